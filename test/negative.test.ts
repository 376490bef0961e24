import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../src/devtools/fixtures.js';
import { UserError } from '../src/errors.js';
import { MemoryFileSystem } from '../src/fs/memory.js';
import { newService } from '../src/pipeline/new.js';

const INVALID = join(FIXTURES_DIR, 'invalid');

/**
 * Negative fixtures: each folder of fixtures/invalid holds a broken contract
 * and the one-line error it must produce (file, line, pointer, what is wrong).
 * Nothing may be written.
 */
describe.each(readdirSync(INVALID).sort())('invalid contract %s', (caseName) => {
  it('fails with the expected message and writes nothing', async () => {
    const dir = join(INVALID, caseName);
    const fs = new MemoryFileSystem();
    const want = readFileSync(join(dir, 'expected-error.txt'), 'utf8').trim();
    const error = await newService({
      name: 'x',
      module: 'example.com/x',
      dir: '/virtual/x',
      fs,
      openapi: 'openapi.yaml',
      transports: ['http'],
      database: 'memory',
      cwd: dir,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).format()).toBe(want);
    expect(fs.writes).toBe(0);
  });
});

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, readTree, renderFixture } from '../../src/devtools/fixtures.js';
import { generateTsSdk } from '../../src/render/ts/index.js';

/**
 * Golden files of small TypeScript SDKs, beside the Go goldens: fixtures/<case>/expected-ts-sdk/.
 * After an intended change, refresh them with
 * `SVC_UPDATE_GOLDEN=1 npx vitest run test/unit/ts-sdk-golden.test.ts` and review the diff.
 */
const UPDATE = process.env.SVC_UPDATE_GOLDEN === '1';

describe.each(['starter', 'orders'])('the TypeScript SDK of fixture %s', (caseName) => {
  it('renders the committed tree, and the same files on a second run', async () => {
    const { result } = await renderFixture(caseName);
    const files = generateTsSdk(result.model, { packageName: `@example/${caseName}-client` });
    const dir = join(FIXTURES_DIR, caseName, 'expected-ts-sdk');
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
    }
    const expected = readTree(dir);
    expect(expected.size, 'no golden tree: run with SVC_UPDATE_GOLDEN=1').toBeGreaterThan(0);
    expect(files.map((f) => f.path).sort()).toEqual([...expected.keys()].sort());
    for (const f of files) expect(f.content, f.path).toBe(expected.get(f.path));
    // Re-running on an unchanged contract changes nothing.
    expect(generateTsSdk(result.model, { packageName: `@example/${caseName}-client` })).toEqual(files);
  }, 120_000);
});

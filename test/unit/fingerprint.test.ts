import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cachedGenApi, FINGERPRINT_PATH } from '../../src/pipeline/fingerprint.js';

/**
 * `svc gen api` on an unchanged service replays the outcome its fingerprint
 * recorded; any change to what the outcome depends on takes the normal path.
 * Runs the CLI on disk (the fingerprint is a disk file system's).
 */

const CONTRACT = 'productproto/openapi/product.yaml';
let cwd: string;
let dir: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'svc-fingerprint-'));
  dir = join(cwd, 'product');
});
afterEach(() => {
  delete process.env.SVC_GEN_CACHE;
  rmSync(cwd, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (d) => (stdout += d));
  const err = new PassThrough().on('data', (d) => (stderr += d));
  const code = await main(args, { cwd, stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream, interactive: false });
  return { code, stdout, stderr };
}

/** `svc gen api` in the service, with the fingerprint on or off. */
async function genApi(cache: 'on' | 'off', ...args: string[]) {
  if (cache === 'off') process.env.SVC_GEN_CACHE = 'off';
  else delete process.env.SVC_GEN_CACHE;
  try {
    return await cli('gen', 'api', '--dir', dir, ...args);
  } finally {
    delete process.env.SVC_GEN_CACHE;
  }
}

/** A new starter service and the `gen api` run that finds it in step (and records the fingerprint). */
async function inStep(): Promise<void> {
  expect((await cli('new', 'product', '--yes', '--skip-tidy', '--database', 'memory')).code).toBe(0);
  expect(existsSync(join(dir, FINGERPRINT_PATH))).toBe(false);
  const first = await genApi('on');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
  expect(cachedGenApi(dir)).toBeDefined();
}

/** Rewrites a file with the same size, its time a second later. */
function sameSizeEdit(path: string, from: string, to: string): void {
  expect(to.length).toBe(from.length);
  const abs = join(dir, path);
  const before = readFileSync(abs, 'utf8');
  const at = statSync(abs).mtime;
  const after = before.replace(from, to);
  expect(after).not.toBe(before);
  writeFileSync(abs, after);
  const later = new Date(at.getTime() + 1000);
  utimesSync(abs, later, later);
  expect(statSync(abs).mtime.getTime()).toBe(later.getTime());
}

describe('gen api fingerprint', () => {
  it('replays the same report, --json document, dry run and --check as a full run, and the fingerprint ignores itself in git', async () => {
    await inStep();
    expect(readFileSync(join(dir, '.svc/cache/.gitignore'), 'utf8')).toMatch(/^\*$/m);
    for (const args of [[], ['--json'], ['--dry-run'], ['--dry-run', '--json'], ['--check'], ['--check', '--json']]) {
      const replayed = await genApi('on', ...args);
      const full = await genApi('off', ...args);
      expect(replayed).toEqual(full);
    }
    // Still replayable: a run that changed nothing wrote nothing.
    expect(cachedGenApi(dir)).toBeDefined();
  });

  it('takes the normal path when a generated file is edited without changing its size', async () => {
    await inStep();
    sameSizeEdit('internal/server/drain.go', 'package server', 'package SERVER');
    expect(cachedGenApi(dir)).toBeUndefined();
    const check = await genApi('on', '--check');
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/conflict\s+internal\/server\/drain\.go/);
    const r = await genApi('on');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 in conflict');
    expect(r.stderr).toContain('internal/server/drain.go');
  });

  it('takes the normal path when a file the contract references changes', async () => {
    expect((await cli('new', 'product', '--yes', '--skip-tidy', '--database', 'memory')).code).toBe(0);
    // The contract's ProductStatus moves to a file of its own.
    const contract = readFileSync(join(dir, CONTRACT), 'utf8');
    const status = /\n {4}ProductStatus:\n(?: {6}.*\n)+/.exec(contract)![0];
    writeFileSync(join(dir, CONTRACT), contract.replace(status, '\n').replaceAll("'#/components/schemas/ProductStatus'", "'./status.yaml#/ProductStatus'"));
    writeFileSync(join(dir, 'productproto/openapi/status.yaml'), status.replace(/^\n/, '').replace(/^ {4}/gm, ''));
    expect((await genApi('on')).code).toBe(0);
    const settled = await genApi('on');
    expect(settled.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
    expect(cachedGenApi(dir)).toBeDefined();

    sameSizeEdit('productproto/openapi/status.yaml', 'enum: [active, archived]', 'enum: [active, retiredd]');
    expect(cachedGenApi(dir)).toBeUndefined();
    const r = await genApi('on');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/[1-9]\d* updated/);
    const models = readdirSync(join(dir, 'pkg/models')).map((f) => readFileSync(join(dir, 'pkg/models', f), 'utf8'));
    expect(models.some((text) => text.includes('"retiredd"'))).toBe(true);
  });

  it('knows an input by its content: the contract touched (new time, same text) still replays', async () => {
    await inStep();
    const abs = join(dir, CONTRACT);
    const later = new Date(statSync(abs).mtime.getTime() + 5000);
    utimesSync(abs, later, later);
    expect(cachedGenApi(dir)).toBeDefined();
  });

  it('takes the normal path for a fingerprint of another svc build, or one that cannot be read', async () => {
    await inStep();
    const path = join(dir, FINGERPRINT_PATH);
    const record = JSON.parse(readFileSync(path, 'utf8')) as { build: string };
    writeFileSync(path, JSON.stringify({ ...record, build: `${record.build}x` }));
    expect(cachedGenApi(dir)).toBeUndefined();
    writeFileSync(path, '{');
    expect(cachedGenApi(dir)).toBeUndefined();
    // The normal run finds the service in step and records it afresh.
    expect((await genApi('on')).code).toBe(0);
    expect(cachedGenApi(dir)).toBeDefined();
  });

  it('takes the normal path when svc.yaml changes, and records nothing with SVC_GEN_CACHE=off', async () => {
    await inStep();
    const yaml = join(dir, 'svc.yaml');
    writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}# a comment\n`);
    expect(cachedGenApi(dir)).toBeUndefined();
    rmSync(join(dir, FINGERPRINT_PATH));
    process.env.SVC_GEN_CACHE = 'off';
    expect((await cli('gen', 'api', '--dir', dir)).code).toBe(0);
    expect(existsSync(join(dir, FINGERPRINT_PATH))).toBe(false);
  });
});

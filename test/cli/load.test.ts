import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOADER = join(import.meta.dirname, '..', '..', 'bin', 'load.js');

/** A package with bin/load.js and a bundle whose main returns `value`. */
function fakePackage(): { root: string; bundle: (value: string) => void; run: (env?: Record<string, string>, uid?: number) => string } {
  const root = mkdtempSync(join(tmpdir(), 'svc-load-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
  copyFileSync(LOADER, join(root, 'bin', 'load.js'));
  // main(true) also calls a large function, after a busy wait that makes the run a long one.
  const bundle = (value: string) => {
    const large = Array.from({ length: 400 }, (_, i) => `  total += String(${i}).length * ${i};`).join('\n');
    writeFileSync(
      join(root, 'dist', 'bundle', 'svc.cjs'),
      `function large() {\n  let total = 0;\n${large}\n  return total;\n}\n` +
        `exports.main = function (long) { if (long) { const end = Date.now() + 250; while (Date.now() < end); large(); } return ${JSON.stringify(value)}; };\n`,
    );
  };
  const run = (env: Record<string, string> = {}, uid?: number) => {
    const script = `import(${JSON.stringify(join(root, 'bin', 'load.js'))}).then((m) => console.log(m.loadBundle('new').main(process.env.LONG === '1')))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, SVC_CODE_CACHE: '', NODE_DISABLE_COMPILE_CACHE: '', SVC_DEBUG: '', ...env }, ...(uid !== undefined ? { uid } : {}) });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  return { root, bundle, run };
}

describe('bin/load.js', () => {
  it('keeps V8 code for each command, made when a run ends, and never serves a cache of another bundle', () => {
    const p = fakePackage();
    const cache = join(p.root, 'dist', '.cache', 'v8-new.bin');
    p.bundle('first');
    expect(p.run()).toBe('first');
    const made = statSync(cache).mtimeMs;
    expect(readFileSync(cache).length).toBeGreaterThan(4);
    // Taken as it is: not written again.
    expect(p.run()).toBe('first');
    expect(statSync(cache).mtimeMs).toBe(made);
    // Another bundle of the same length, which V8's own check lets through.
    p.bundle('other');
    expect(p.run()).toBe('other');
    expect(p.run()).toBe('other');
  });

  it('keeps its cache in the temporary folder when svc cannot write to its own', () => {
    const p = fakePackage();
    p.bundle('read-only');
    const tmp = mkdtempSync(join(tmpdir(), 'svc-load-tmp-'));
    // As root, the folder's mode stops nobody: the run is another user's.
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    chmodSync(p.root, 0o755);
    chmodSync(join(p.root, 'dist'), 0o555);
    chmodSync(tmp, 0o777);
    expect(p.run({ TMPDIR: tmp }, uid)).toBe('read-only');
    expect(() => statSync(join(p.root, 'dist', '.cache'))).toThrow();
    const [folder] = readdirSync(tmp).filter((n) => n.startsWith('svc-code-cache-'));
    expect(readdirSync(join(tmp, folder!))).toEqual(['v8-new.bin']);
  });

  it('grows the cache with what a longer run calls, until a long run adds little', () => {
    const p = fakePackage();
    const cache = join(p.root, 'dist', '.cache', 'v8-new.bin');
    p.bundle('v');
    expect(p.run()).toBe('v');
    const small = readFileSync(cache);
    expect(small[4]).toBe(0); // still growing
    expect(p.run({ LONG: '1' })).toBe('v');
    const grown = readFileSync(cache);
    expect(grown.length).toBeGreaterThan(small.length * 1.05);
    expect(grown[4]).toBe(0);
    // Another long run adds nothing: the cache is kept for good.
    expect(p.run({ LONG: '1' })).toBe('v');
    expect(readFileSync(cache)[4]).toBe(1);
    const settled = statSync(cache).mtimeMs;
    expect(p.run({ LONG: '1' })).toBe('v');
    expect(statSync(cache).mtimeMs).toBe(settled);
  });

  it('writes no cache when turned off', () => {
    const p = fakePackage();
    p.bundle('x');
    expect(p.run({ SVC_CODE_CACHE: 'off' })).toBe('x');
    expect(() => statSync(join(p.root, 'dist', '.cache', 'v8-new.bin'))).toThrow();
  });
});

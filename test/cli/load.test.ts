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
  const bundle = (value: string) => writeFileSync(join(root, 'dist', 'bundle', 'svc.cjs'), `exports.main = function () { return ${JSON.stringify(value)}; };\n`);
  const run = (env: Record<string, string> = {}, uid?: number) => {
    const script = `import(${JSON.stringify(join(root, 'bin', 'load.js'))}).then((m) => console.log(m.loadBundle('new').main()))`;
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

  it('writes no cache when turned off', () => {
    const p = fakePackage();
    p.bundle('x');
    expect(p.run({ SVC_CODE_CACHE: 'off' })).toBe('x');
    expect(() => statSync(join(p.root, 'dist', '.cache', 'v8-new.bin'))).toThrow();
  });
});

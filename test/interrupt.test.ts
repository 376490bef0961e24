import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../src/devtools/corpus.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM at any moment of `svc new` on a large contract
 * (the GitHub REST API: about 3,000 files) leaves the complete service or no
 * folder at all, and no temporary file or folder anywhere; the process says
 * so in one line and exits 130 (SIGINT) or 143 (SIGTERM).
 */
const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');
const NAME = 'gh';
let contract = '';

beforeAll(() => {
  contract = corpusFile('@octokit/openapi:generated/api.github.com.json');
}, 600_000);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Whether the staging folder was seen before the signal was sent. */
  sawStaging: boolean;
  /** Milliseconds from the signal to the exit. */
  afterSignal: number;
}

/** Starts a command; `interrupt` decides when to send the signal (never, when it resolves to undefined). */
async function run(args: string[], cwd: string, interrupt: (parent: string) => Promise<NodeJS.Signals | undefined>): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (code, signal) => done([code, signal])));
  let done = false;
  void exited.then(() => (done = true));
  let sawStaging = false;
  const signal = await Promise.race([interrupt(cwd), exited.then(() => undefined)]);
  let sent = Date.now();
  if (signal && !done) {
    sawStaging = stagingFolders(cwd).length > 0;
    sent = Date.now();
    child.kill(signal);
  }
  const [code, sig] = await exited;
  return { code, signal: sig, stderr, sawStaging, afterSignal: Date.now() - sent };
}

function stagingFolders(parent: string): string[] {
  return readdirSync(parent).filter((n) => n.includes('.svc-new-'));
}

/** Every path under dir, relative to it. */
function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = join(sub, e.name);
      out.push(rel);
      if (e.isDirectory()) visit(rel);
    }
  };
  visit('');
  return out;
}

/** Resolves once the staging folder exists, then after `delay` ms more. */
function whileWriting(delay: number, signal: NodeJS.Signals = 'SIGINT') {
  return async (parent: string) => {
    const deadline = Date.now() + 600_000;
    while (stagingFolders(parent).length === 0) {
      // Finished or failed before it began writing: nothing to interrupt.
      if (existsSync(join(parent, NAME)) || Date.now() > deadline) return undefined;
      await sleep(10);
    }
    await sleep(delay);
    return signal;
  };
}

/** The service folder is complete: svc.yaml, the manifest and every file the manifest records. */
function expectComplete(dir: string): void {
  expect(existsSync(join(dir, 'svc.yaml'))).toBe(true);
  const manifest = JSON.parse(readFileSync(join(dir, '.svc', 'manifest.json'), 'utf8')) as { generated: Record<string, string>; created: Record<string, unknown> };
  const recorded = [...Object.keys(manifest.generated), ...Object.keys(manifest.created)];
  expect(recorded.length).toBeGreaterThan(2000);
  expect(recorded.filter((p) => !existsSync(join(dir, p)))).toEqual([]);
}

function expectNoTemporaries(parent: string): void {
  expect(walk(parent).filter((p) => /\.tmp$|\.svc-new-/.test(p))).toEqual([]);
}

function expectInterruptedLine(r: Run, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stderr.trim().split('\n').at(-1)).toBe('aborted; nothing was written');
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

const NEW = ['new', NAME, '--yes', '--skip-tidy', '--database', 'memory'];

describe('svc new on the GitHub REST contract, interrupted', { timeout: 900_000 }, () => {
  it('at several points leaves the complete service or no folder, and no temporary file', async () => {
    const points: [string, (parent: string) => Promise<NodeJS.Signals | undefined>, number][] = [
      ['while loading the contract', async () => (await sleep(1000), 'SIGINT'), 130],
      ['as the first files are written', whileWriting(0), 130],
      ['while writing', whileWriting(400), 130],
      ['later while writing', whileWriting(1500), 130],
      ['by SIGTERM while writing', whileWriting(800, 'SIGTERM'), 143],
    ];
    let interruptedWhileWriting = 0;
    for (const [, interrupt, code] of points) {
      const parent = mkdtempSync(join(tmpdir(), 'svc-interrupt-'));
      const r = await run([...NEW, '--openapi', contract], parent, interrupt);
      expectNoTemporaries(parent);
      const left = readdirSync(parent);
      if (left.length > 0) {
        // The signal came after the rename: the whole service is there, and the run says so.
        expect(left).toEqual([NAME]);
        expectComplete(join(parent, NAME));
        if (r.code !== 0) expect(r.stderr.trim().split('\n').at(-1)).toBe(`aborted; the files were written to ${join(parent, NAME)}`);
        continue;
      }
      expectInterruptedLine(r, code);
      expect(left).toEqual([]);
      if (!r.sawStaging) continue;
      interruptedWhileWriting++;
      // Promptly, once writing (parsing and rendering are one long step each): not after the last of the 3,000 files.
      expect(r.afterSignal).toBeLessThan(3000);
    }
    // The points above are chosen to fall while files are being written; on
    // any machine at least one of them must have done so.
    expect(interruptedWhileWriting).toBeGreaterThan(0);
  });

  it('into a non-empty folder with --force leaves the folder as it was, or the complete service', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-interrupt-'));
    const dir = join(parent, NAME);
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await run([...NEW, '--force', '--openapi', contract], parent, async () => (await sleep(6000), 'SIGINT'));
    expectNoTemporaries(parent);
    if (r.code === 0 || r.stderr.includes('aborted; the files were written')) {
      expectComplete(dir);
    } else {
      expectInterruptedLine(r, 130);
      expect(readdirSync(dir)).toEqual(['notes.txt']);
    }
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('is complete when not interrupted, and an interrupted re-generation leaves the old tree or the new one', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-interrupt-'));
    const full = await run([...NEW, '--openapi', contract], parent, async () => undefined);
    expect(full.code).toBe(0);
    expect(readdirSync(parent)).toEqual([NAME]);
    const dir = join(parent, NAME);
    expectComplete(dir);

    // A new module path rewrites every generated file (go.mod's module line
    // too): interrupted, either none or all of it has happened.
    const settings = readFileSync(join(dir, 'svc.yaml'), 'utf8');
    writeFileSync(join(dir, 'svc.yaml'), settings.replace(/^module: .*$/m, 'module: example.org/gh'));
    for (const delay of [1500, 4000]) {
      const r = await run(['gen', 'api'], dir, async () => (await sleep(delay), 'SIGINT'));
      expectNoTemporaries(parent);
      const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
      const main = readFileSync(join(dir, 'cmd', NAME, 'main.go'), 'utf8');
      if (r.code === 130) {
        expect(r.stderr.trim().split('\n').at(-1)).toBe('aborted; nothing was written');
        expect(goMod).toMatch(/^module example\.com\/gh$/m);
        expect(main).toMatch(/"example\.com\/gh\//);
      } else {
        // Finished first: exit 1 only for the edits the stubs need (named).
        expect([0, 1]).toContain(r.code);
        expect(goMod).toMatch(/^module example\.org\/gh$/m);
        expect(main).toMatch(/"example\.org\/gh\//);
        expect(main).not.toMatch(/"example\.com\/gh\//);
      }
    }
  });
});

describe('svc new interrupted during go mod tidy', () => {
  it('stops go, leaves no folder, and exits 143 on SIGTERM', { timeout: 120_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-interrupt-'));
    // A go whose tidy is slow and then writes go.sum where it was started,
    // making the folder again if it is still running after the cleanup.
    const bin = mkdtempSync(join(tmpdir(), 'svc-fakego-'));
    writeFileSync(
      join(bin, 'go'),
      '#!/bin/sh\nif [ "$1" = env ]; then echo go1.22.0; exit 0; fi\ntouch tidy-started\nsleep 4\nmkdir -p "$PWD" && echo tidied > "$PWD/go.sum"\n',
      { mode: 0o755 },
    );
    const child = spawn(process.execPath, [BIN, 'new', 'product', '--yes'], {
      cwd: parent,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Tidy runs in the staging folder, before the rename.
    while (!stagingFolders(parent).some((f) => existsSync(join(parent, f, 'tidy-started')))) await sleep(20);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr.trim().split('\n').at(-1)).toBe('aborted; nothing was written');
    await sleep(5000);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('stray temporary files of a killed run', () => {
  it('are removed at the start of the next run, which says so', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-interrupt-'));
    expect((await run(['new', 'product', '--yes', '--skip-tidy'], parent, async () => undefined)).code).toBe(0);
    const dir = join(parent, 'product');
    // What SIGKILL leaves: a temporary file of a dead process (pids never
    // reach 9,999,999 on Linux), and a staging folder of another new service.
    writeFileSync(join(dir, 'internal', 'service', 'service.go.svc-9999999-0a1b2c.tmp'), 'half');
    writeFileSync(join(dir, 'go.mod.svc-0a1b2c3d4e5f.tmp'), 'an older name');
    mkdirSync(join(parent, '.product.svc-new-9999999-0a1b2c3d', 'cmd'), { recursive: true });
    const r = await run(['gen', 'api'], dir, async () => undefined);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: removed what an interrupted svc run left: .*service\.go\.svc-9999999-0a1b2c\.tmp/);
    expectNoTemporaries(parent);
    expect(walk(parent).map((p) => relative('product', p)).filter((p) => p.endsWith('.tmp'))).toEqual([]);
  });
});

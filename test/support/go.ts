import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { fixtureNewOptions, fixtureOptions } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';

/** Environment for every go command the tests run: never download a toolchain. */
export const GO_ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };

export function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Generates a fixture case onto disk (in a fresh temporary folder) and returns the service root. */
export async function generateFixtureOnDisk(caseName: string): Promise<string> {
  const o = fixtureOptions(caseName);
  const dir = join(mkdtempSync(join(tmpdir(), `svc-${caseName}-`)), o.name);
  await newService(fixtureNewOptions(caseName, new DiskFileSystem(dir), dir));
  return dir;
}

/** Runs go with args in dir; throws with go's full output on failure. */
export async function go(dir: string, ...args: string[]): Promise<string> {
  const r = await execa('go', args, { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`go ${args.join(' ')} failed (exit ${r.exitCode}) in ${dir}:\n${r.all}`);
  return r.all ?? '';
}

export async function gofmtList(dir: string): Promise<string> {
  const r = await execa('gofmt', ['-l', '.'], { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`gofmt failed: ${r.all}`);
  return r.stdout.trim();
}

/**
 * The golangci-lint binary the lint checks run: $GOLANGCI_LINT, .tools/gobin's
 * (scripts/setup.sh installs it in CI), or one on PATH; undefined when none.
 */
export function golangciLint(): string | undefined {
  const candidates = [process.env.GOLANGCI_LINT, join(import.meta.dirname, '..', '..', '.tools', 'gobin', 'golangci-lint'), 'golangci-lint'];
  for (const bin of candidates) {
    if (!bin || (bin.includes('/') && !existsSync(bin))) continue;
    try {
      execFileSync(bin, ['version', '--short'], { stdio: 'ignore' });
      return bin;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Runs golangci-lint with the service's own configuration; returns its findings ('' when clean). */
export async function lint(bin: string, dir: string): Promise<string> {
  // Test files run in parallel, and each lints its own tree: the runners must not wait on one another's lock.
  const r = await execa(bin, ['run', '--allow-parallel-runners', './...'], { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (r.exitCode === 0) return '';
  return r.all?.trim() || `golangci-lint exited ${r.exitCode}`;
}

/** Generates the starter onto disk and builds its binary to bin/product; returns the service root. */
export async function buildStarter(): Promise<string> {
  const dir = await generateFixtureOnDisk('starter');
  await go(dir, 'mod', 'tidy');
  await go(dir, 'build', '-o', 'bin/product', './cmd/product');
  return dir;
}

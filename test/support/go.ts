import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { fixtureNewOptions, fixtureOptions } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import { RUNTIME_PACKAGES } from '../../src/render/runtimepkgs.js';

/**
 * Environment for every go command the tests run: never download a
 * toolchain; and -trimpath, so that the build cache keys a package by its
 * import path and files, not by the temporary folder it was generated in:
 * the same package generated again (the starter in several test files, the
 * runtime in every corpus service) is compiled and vetted once per machine.
 */
export const GO_ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-trimpath' };

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

/**
 * Runs golangci-lint with the service's own configuration on packages (every
 * package by default); returns its findings ('' when clean).
 */
export async function lint(bin: string, dir: string, packages: readonly string[] = ['./...']): Promise<string> {
  // Test files run in parallel, and each lints its own tree: the runners must not wait on one another's lock.
  const r = await execa(bin, ['run', '--allow-parallel-runners', ...packages], { cwd: dir, env: GO_ENV, reject: false, all: true });
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

/** A package of a generated service's own module. */
export interface ServicePackage {
  /** Its folder relative to the module root, as go commands take it: `./internal/event`. */
  path: string;
  /**
   * What its checks depend on: its own files and those of every package of
   * the module its test binary links (each with the module path replaced, so
   * that the same runtime in two services has one key), plus the version of
   * each other module that binary links. Equal keys: vet, lint, build and
   * `go test` see the same code.
   */
  key: string;
  /** Whether it has test files (then `go test` links and runs a test binary for it). */
  hasTests: boolean;
}

/** One line of `go list` per package, in this format (tab-separated; Deps comma-separated). */
const LIST_FORMAT = '{{.ImportPath}}\t{{.Dir}}\t{{.Standard}}\t{{with .Module}}{{.Main}}\t{{.Path}}@{{.Version}}{{end}}\t{{join .Deps ","}}';

/** The packages of the service in dir (after `go mod tidy`), each with its key. */
export async function servicePackages(dir: string): Promise<ServicePackage[]> {
  const listed = (await go(dir, 'list', '-deps', '-test', '-f', LIST_FORMAT, './...')).split('\n').filter(Boolean);
  const module = (await go(dir, 'list', '-m')).trim();
  // A test variant ("p [q.test]") is p's own code compiled for q's test: one entry per import path.
  const plain = (importPath: string) => importPath.replace(/ \[.*\]$/, '');
  const info = new Map<string, { dir: string; standard: boolean; main: boolean; version: string; deps: string[] }>();
  for (const line of listed) {
    const [importPath = '', pkgDir = '', standard, main, version = '', deps = ''] = line.split('\t');
    info.set(importPath, { dir: pkgDir, standard: standard === 'true', main: main === 'true', version, deps: deps ? deps.split(',') : [] });
  }
  const own = [...info].filter(([p, i]) => i.main && !i.standard && p === plain(p) && !p.endsWith('.test') && i.dir);
  const ownDirs = new Set(own.map(([, i]) => i.dir));
  const fileHashes = new Map(own.map(([p, i]) => [p, hashPackageFiles(i.dir, ownDirs, module)]));
  return own
    .map(([p, i]) => {
      // The test binary when the package has tests (it links the test files' imports too), else the package.
      const linked = info.get(`${p}.test`) ?? i;
      const parts = new Set<string>([`${relative(dir, i.dir)}=${fileHashes.get(p)}`]);
      for (const dep of linked.deps.map(plain)) {
        const d = info.get(dep);
        if (!d || d.standard) continue;
        parts.add(d.main ? `${relative(dir, d.dir)}=${fileHashes.get(dep)}` : `${dep}@${d.version}`);
      }
      // Named by its folder too: a package and one whose tests link it (dbtest and database) link the same code.
      const subject = `./${relative(dir, i.dir)}`;
      const key = createHash('sha256').update(`${subject}\n${[...parts].sort().join('\n')}`).digest('hex');
      return { path: subject, key, hasTests: info.has(`${p}.test`) };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A hash of a package folder's files (embedded ones in subfolders too, but
 * not other packages' folders), with the module path replaced.
 */
function hashPackageFiles(pkgDir: string, packageDirs: ReadonlySet<string>, module: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!packageDirs.has(p)) walk(p);
      } else if (e.isFile()) {
        h.update(`${relative(pkgDir, p)}\0${readFileSync(p, 'latin1').replaceAll(module, '{{module}}')}\0`);
      }
    }
  };
  walk(pkgDir);
  return h.digest('hex');
}

/**
 * Which packages of each fixture to check, so that a run checks every
 * distinct package once: a package of the service's own code (handlers,
 * services, models, cmd, clients: whatever is not the runtime) in every
 * fixture; a runtime package (`RUNTIME_PACKAGES`) only in the first fixture
 * where its key appears. Fixtures must be taken in the order they are checked.
 */
export class DistinctPackages {
  /** The fixture that first checked each runtime package key. */
  private readonly checkedIn = new Map<string, string>();
  private readonly checked = { packages: 0, tested: 0 };
  private readonly skipped = { packages: 0, tested: 0 };

  /** The packages of caseName to check, and those skipped because an earlier fixture checked the same code. */
  take(caseName: string, packages: readonly ServicePackage[]): { check: string[]; skipped: { path: string; checkedIn: string }[] } {
    const runtime = new Set(Object.values(RUNTIME_PACKAGES).map((p) => `./${p}`));
    const check: string[] = [];
    const skipped: { path: string; checkedIn: string }[] = [];
    for (const p of packages) {
      const first = runtime.has(p.path) ? this.checkedIn.get(p.key) : undefined;
      const count = first === undefined ? this.checked : this.skipped;
      count.packages++;
      if (p.hasTests) count.tested++;
      if (first !== undefined) {
        skipped.push({ path: p.path, checkedIn: first });
        continue;
      }
      if (runtime.has(p.path)) this.checkedIn.set(p.key, caseName);
      check.push(p.path);
    }
    return { check, skipped };
  }

  /** Totals so far, for the log. */
  summary(): string {
    const { checked: c, skipped: s } = this;
    return (
      `${c.packages} packages checked (${c.tested} with tests: go test runs), ` +
      `${s.packages} skipped (${s.tested} with tests) as the same code as a package checked earlier in this run`
    );
  }
}

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { GO_VERSION, GOLANGCI_LINT_VERSION, PROTOC_GEN_GO_GRPC_VERSION, PROTOC_GEN_GO_VERSION } from '../../src/tools/pins.js';
import { captureStreams } from '../support/streams.js';

// The package as users get it: `npm pack` (its prepack builds and swaps in the
// users' README, its postpack puts the repository's back), installed
// globally from the tarball into a temporary prefix, then `svc new` and
// `svc doctor` run from there.
//
// npm pack runs in a copy of the repository: prepack rebuilds dist/, which
// the other test files are using at the same time.

const REPO = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
/** What a pack needs: the package's files, its sources and build settings, the two READMEs and the pack script. */
const COPIED = ['package.json', '.gitignore', 'README.md', 'LICENSE', 'bin', 'templates', 'schema', 'src', 'tsconfig.json', 'tsconfig.build.json', 'docs/npm', 'scripts/pack.js', 'scripts/build.js'];

/** The node running the tests (22), first on PATH, so npm's scripts and the installed svc use it too. */
const ENV = { ...process.env, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), CI: 'true' };

function sh(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', env: ENV, ...options });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('svc --version', () => {
  it('prints the package version alone on the first line, then the versions generated services are pinned to', async () => {
    const io = captureStreams();
    const code = await main(['--version'], { cwd: tmpdir(), stdout: io.stdout, stderr: io.stderr, interactive: false });
    expect(code).toBe(0);
    expect(io.text.stderr).toBe('');
    const lines = io.text.stdout.split('\n');
    expect(lines[0]).toBe(PKG.version);
    for (const [tool, version] of [
      ['go', GO_VERSION],
      ['protoc-gen-go', PROTOC_GEN_GO_VERSION],
      ['protoc-gen-go-grpc', PROTOC_GEN_GO_GRPC_VERSION],
      ['golangci-lint', GOLANGCI_LINT_VERSION],
    ] as const) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +${tool} +${version.replaceAll('.', '\\.')} `)));
    }
  });
});

describe('the npm package', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'svc-pack-'));
  const repo = join(work, 'repo');
  const unpacked = join(work, 'unpacked');
  const prefix = join(work, 'prefix');
  let tarball = '';
  let packed: string[] = [];
  let readmeBefore = '';
  let pack: ReturnType<typeof sh>;

  beforeAll(() => {
    for (const p of COPIED) cpSync(join(REPO, p), join(repo, p), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(repo, 'node_modules'));
    readmeBefore = readFileSync(join(repo, 'README.md'), 'utf8');
    pack = sh('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repo });
    const tgz = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    if (tgz.length !== 1) return;
    tarball = join(work, tgz[0]!);
    mkdirSync(unpacked);
    expect(sh('tar', ['-xzf', tarball, '-C', unpacked]).code).toBe(0);
    packed = files(join(unpacked, 'package'));
  }, 300_000);

  // The installed package and its dependencies are some 100 MB.
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs, named as package.json says', () => {
    expect(pack.stderr).not.toMatch(/error/i);
    expect(pack.code).toBe(0);
    expect(tarball).toBe(join(work, `${PKG.name}-${PKG.version}.tgz`));
  });

  it('is a free npm name (not svc, taken by another package) whose command is svc', () => {
    expect(PKG.name).toBe('svc-gen');
    expect(PKG.bin).toEqual({ svc: 'bin/svc.js' });
    // No install-time script for users: the build runs in prepack, before the tarball exists.
    for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) expect(PKG.scripts[s]).toBeUndefined();
    expect(PKG.scripts.prepack).toBeDefined();
  });

  it('ships the built CLI, the templates, the LICENSE and the users README; no sources, tests, scripts or source maps', () => {
    for (const f of ['package.json', 'LICENSE', 'README.md', 'bin/svc.js', 'bin/load.js', 'dist/bundle/svc.cjs', 'dist/cli/main.js', 'dist/cli/completion.js', 'dist/cli/version.js', 'dist/tools/pins.js', 'schema/svc-output.schema.json']) expect(packed).toContain(f);
    expect(packed.some((f) => f.startsWith('templates/service/'))).toBe(true);
    const stray = packed.filter((f) => /^(src|test|scripts|fixtures|docs|bench|dist\/devtools)\/|\.map$|\.ts$/.test(f));
    expect(stray).toEqual([]);
    const license = readFileSync(join(unpacked, 'package', 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 svc authors\n/);
  });

  it("the tarball's README is the users' one: how to install and run, no scripts/setup.sh", () => {
    const readme = readFileSync(join(unpacked, 'package', 'README.md'), 'utf8');
    expect(readme).toBe(readFileSync(join(REPO, 'docs', 'npm', 'README.md'), 'utf8'));
    expect(readme).not.toContain('scripts/setup.sh');
    expect(readme).toContain(`npx ${PKG.name} new product`);
    expect(readme).toContain(`npm install -g ${PKG.name}`);
  });

  it("the repository's README is unchanged after npm pack, and no copy of it is left behind", () => {
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(readmeBefore);
    expect(readmeBefore).toContain('scripts/setup.sh');
    expect(readdirSync(repo).filter((f) => f.startsWith('.pack'))).toEqual([]);
  });

  it("a pack that died between prepack and postpack leaves the repository's README to the next run, which puts it back", () => {
    const users = readFileSync(join(repo, 'docs', 'npm', 'README.md'), 'utf8');
    writeFileSync(join(repo, '.pack-readme-backup.md'), readmeBefore);
    writeFileSync(join(repo, 'README.md'), users);
    const r = sh(process.execPath, [join(repo, 'scripts', 'pack.js'), 'postpack'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe(readmeBefore);
    expect(existsSync(join(repo, '.pack-readme-backup.md'))).toBe(false);
  });

  it('installed globally from the tarball, svc runs: --version, new, doctor', () => {
    expect(tarball).not.toBe('');
    const install = sh('npm', ['install', '-g', tarball, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: work });
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.code).toBe(0);
    const svc = join(prefix, 'bin', 'svc');
    expect(existsSync(svc)).toBe(true);

    const version = sh(svc, ['--version'], { cwd: work });
    expect(version.code).toBe(0);
    expect(version.stdout.split('\n')[0]).toBe(PKG.version);

    const created = sh(svc, ['new', 'demo', '--skip-tidy', '-y'], { cwd: work });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const demo = join(work, 'demo');
    expect(readFileSync(join(demo, 'svc.yaml'), 'utf8')).toMatch(/demo/);
    // What --version says generated services are pinned to is what was generated.
    expect(readFileSync(join(demo, 'go.mod'), 'utf8')).toMatch(new RegExp(`^go ${GO_VERSION.replace('.', '\\.')}$`, 'm'));
    expect(existsSync(join(demo, 'cmd', 'demo', 'main.go'))).toBe(true);

    // The protoc plugins are where scripts/setup.sh installs them; go and protoc on PATH.
    const doctor = sh(svc, ['doctor'], { cwd: demo, env: { ...ENV, PATH: [join(REPO, '.tools', 'gobin'), ENV.PATH].join(delimiter) } });
    expect(doctor.stdout).toMatch(/^go {2,}/m);
    const toolsThere = sh('sh', ['-c', 'command -v go && command -v protoc']).code === 0 && existsSync(join(REPO, '.tools', 'gobin', 'protoc-gen-go-grpc'));
    if (toolsThere) {
      expect(doctor.stdout).toMatch(/all tools present/);
      expect(doctor.code).toBe(0);
    } else {
      expect(doctor.stdout).toMatch(/tool\(s\) missing/);
      expect(doctor.code).toBe(1);
    }
  });
});

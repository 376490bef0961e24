#!/usr/bin/env node
// Compile time of what svc writes, beside ogen and oapi-codegen on the same
// contract (the starter's productproto/openapi/product.yaml, or --openapi FILE):
//   cold      `go build ./...` with an empty build cache (a temporary GOCACHE,
//             deleted afterwards) and a warm module cache (`go mod download`
//             first, so downloads are not timed)
//   rebuild   `go build ./...` again after appending a comment to one model
//             file (svc: pkg/models/<first resource>.gen.go; ogen:
//             oas_schemas_gen.go; oapi-codegen: its single file), median of RUNS
// For svc it also builds with -tags nosqlite (PostgreSQL only) and -tags
// nopostgres (SQLite only), prints the packages that took longest in the
// first cold build (go build -debug-actiongraph), the number of packages
// (`go list -deps ./...`) and the size of the binary (-ldflags "-s -w").
// Subjects are alternated round by round, so a busy machine slows all alike;
// the shared GOCACHE and GOMODCACHE are never cleared.
//
// ogen (v1.24.0) and oapi-codegen (v2.4.1, the version bench/openapi.js uses)
// are installed with `go install` into .tools/gobin when missing (oapi-codegen's
// runtime pinned to v1.3.1, the last with the strict std-http middleware); a peer that
// cannot be installed is skipped with the reason.
//
// Usage: npm run build && node bench/build.js [--cold N] [--rebuild N]
//          [--openapi FILE] [--no-peers] [--no-tags] [--keep]
// Defaults: 1 cold build per subject (each takes a minute or more on two
// cores), 5 rebuilds; --rebuild 0 measures cold builds only. Wall and CPU
// (user + system) time are printed: on a busy machine compare the CPU times.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const GOBIN = join(ROOT, '.tools', 'gobin');
const OGEN_VERSION = 'v1.24.0';
const OAPI_VERSION = 'v2.4.1';
const OAPI_RUNTIME_VERSION = 'v1.3.1';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const COLD = Number(flag('--cold', 1));
const REBUILD = Number(flag('--rebuild', 5));
const contractArg = flag('--openapi', undefined);
const peers = !args.includes('--no-peers');
const tags = !args.includes('--no-tags');
const keep = args.includes('--keep');

const work = mkdtempSync(join(tmpdir(), 'svc-bench-build-'));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2).padStart(7)} s` : "      -  ");

/** Runs a command, throwing its stderr's tail when it fails. */
function run(cmd, argv, cwd, env = {}) {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout;
}

/**
 * Wall and CPU time (user + system, of go and the compilers and linker it
 * runs; ms) of `go build ./...` (with argv before ./...) in dir. On a busy
 * machine the CPU time moves less than the wall time.
 */
function goBuild(dir, argv, env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', 'go', 'build', ...argv, './...'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`go build ${argv.join(' ')} ./...: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const [wall, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { ms: wall * 1000, cpu: (user + sys) * 1000 };
}

/** Installs a Go tool into .tools/gobin unless there; false (with the reason printed) when it cannot be. */
function ensureTool(bin, pkg) {
  if (existsSync(join(GOBIN, bin))) return true;
  try {
    run('go', ['install', pkg], ROOT, { GOBIN });
    return true;
  } catch (err) {
    console.log(`${bin}: not installed (${err.message}); its figures are missing`);
    return false;
  }
}

// --- the subjects -----------------------------------------------------------

const svcDir = join(work, 'svc');
run(process.execPath, [join(ROOT, 'bin', 'svc.js'), 'new', 'product', '--dir', svcDir, '--yes', '--skip-tidy', ...(contractArg ? ['--openapi', resolve(contractArg)] : [])], work);
run('go', ['mod', 'tidy'], svcDir);
run('go', ['mod', 'download'], svcDir);
const contract = contractArg ? resolve(contractArg) : join(svcDir, 'productproto', 'openapi', 'product.yaml');
const svcModel = join(svcDir, 'pkg', 'models', readdirSync(join(svcDir, 'pkg', 'models')).filter((f) => f.endsWith('.gen.go') && !['problem.gen.go', 'shapes.gen.go'].includes(f)).sort()[0]);

/** @type {{name: string, dir: string, argv: string[], model: string}[]} */
const subjects = [{ name: 'svc', dir: svcDir, argv: [], model: svcModel }];
if (tags) {
  subjects.push({ name: 'svc -tags nosqlite', dir: svcDir, argv: ['-tags', 'nosqlite'], model: svcModel });
  subjects.push({ name: 'svc -tags nopostgres', dir: svcDir, argv: ['-tags', 'nopostgres'], model: svcModel });
}

/** A Go module at dir holding a peer's generated package api. */
function peerModule(dir, name) {
  mkdirSync(join(dir, 'api'), { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.22\n`);
}

if (peers && ensureTool('ogen', `github.com/ogen-go/ogen/cmd/ogen@${OGEN_VERSION}`)) {
  const dir = join(work, 'ogen');
  try {
    peerModule(dir, 'ogenpeer');
    run(join(GOBIN, 'ogen'), ['--target', join(dir, 'api'), '--package', 'api', '--clean', contract], dir);
    run('go', ['mod', 'tidy'], dir);
    run('go', ['mod', 'download'], dir);
    subjects.push({ name: `ogen ${OGEN_VERSION}`, dir, argv: [], model: join(dir, 'api', 'oas_schemas_gen.go') });
  } catch (err) {
    console.log(`ogen: fails on this contract (${err.message})`);
  }
}
if (peers && ensureTool('oapi-codegen', `github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@${OAPI_VERSION}`)) {
  const dir = join(work, 'oapi');
  try {
    peerModule(dir, 'oapipeer');
    run(join(GOBIN, 'oapi-codegen'), ['-generate', 'types,std-http-server,strict-server,client', '-package', 'api', '-o', join(dir, 'api', 'api.gen.go'), contract], dir);
    // The strict server imports runtime/strictmiddleware/nethttp, which
    // runtime v1.4 and later no longer have.
    run('go', ['get', `github.com/oapi-codegen/runtime@${OAPI_RUNTIME_VERSION}`], dir);
    run('go', ['mod', 'tidy'], dir);
    run('go', ['mod', 'download'], dir);
    subjects.push({ name: `oapi-codegen ${OAPI_VERSION}`, dir, argv: [], model: join(dir, 'api', 'api.gen.go') });
  } catch (err) {
    console.log(`oapi-codegen: fails on this contract (${err.message})`);
  }
}

// --- cold builds, alternated ---------------------------------------------------

const cold = new Map(subjects.map((s) => [s.name, []]));
const actiongraph = join(work, 'actiongraph.json');
for (let round = 0; round < COLD; round++) {
  for (const s of subjects) {
    const cache = mkdtempSync(join(tmpdir(), 'svc-bench-gocache-'));
    try {
      const graph = round === 0 && s === subjects[0] ? [`-debug-actiongraph=${actiongraph}`] : [];
      cold.get(s.name).push(goBuild(s.dir, [...s.argv, ...graph], { GOCACHE: cache }));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
}

// --- rebuilds after touching one model, in a warm private cache -----------------

const rebuild = new Map(subjects.map((s) => [s.name, []]));
const warm = mkdtempSync(join(tmpdir(), 'svc-bench-gocache-'));
try {
  if (REBUILD > 0) for (const s of subjects) goBuild(s.dir, s.argv, { GOCACHE: warm });
  for (let round = 0; round < REBUILD; round++) {
    for (const s of subjects) {
      appendFileSync(s.model, `\n// touched by bench/build.js, round ${round}\n`);
      rebuild.get(s.name).push(goBuild(s.dir, s.argv, { GOCACHE: warm }));
    }
  }

  // --- what the starter compiles, and its binary -------------------------------
  console.log(`contract: ${contractArg ?? 'the starter (productproto/openapi/product.yaml)'}; ${COLD} cold build(s) and ${REBUILD} rebuild(s) per subject, alternated; medians`);
  console.log(`${'subject'.padEnd(24)} ${'cold: wall'.padStart(11)} ${'cpu'.padStart(10)}  ${'rebuild: wall'.padStart(13)} ${'cpu'.padStart(10)}   packages (go list -deps ./...)`);
  const ogen = cold.get(subjects.find((s) => s.name.startsWith('ogen'))?.name ?? '');
  const base = ogen ? median(ogen.map((r) => r.ms)) : NaN;
  for (const s of subjects) {
    const c = median(cold.get(s.name).map((r) => r.ms));
    const cpu = median(cold.get(s.name).map((r) => r.cpu));
    const rb = rebuild.get(s.name);
    const ratio = Number.isFinite(base) ? `  (cold ${(c / base).toFixed(2)}× ogen)` : '';
    const pkgs = run('go', ['list', '-deps', ...s.argv, './...'], s.dir, { GOCACHE: warm }).trim().split('\n').length;
    console.log(`${s.name.padEnd(24)} ${secs(c).padStart(11)} ${secs(cpu).padStart(10)}  ${secs(median(rb.map((r) => r.ms))).padStart(13)} ${secs(median(rb.map((r) => r.cpu))).padStart(10)}   ${pkgs}${ratio}`);
  }

  for (const s of subjects.filter((x) => x.name.startsWith('svc'))) {
    if (REBUILD === 0) break; // no warm cache: a binary would cost another cold build
    const out = join(work, 'bin', s.name.replace(/\W+/g, '-'));
    // -ldflags "-s -w" as make build has it; not -trimpath, which would
    // compile every package again (another cold build) for a few bytes.
    run('go', ['build', '-ldflags', '-s -w', ...s.argv, '-o', out, './cmd/product'], s.dir, { GOCACHE: warm });
    console.log(`binary (${s.name}, -ldflags "-s -w"): ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB`);
  }
} finally {
  rmSync(warm, { recursive: true, force: true });
}

// --- which packages dominate the cold build -------------------------------------

if (existsSync(actiongraph)) {
  const actions = JSON.parse(readFileSync(actiongraph, 'utf8'));
  const timed = actions
    .filter((a) => a.TimeStart && a.TimeDone && (a.Mode === 'build' || a.Mode === 'link'))
    .map((a) => ({ what: `${a.Mode} ${a.Package}`, ms: new Date(a.TimeDone) - new Date(a.TimeStart) }))
    .sort((a, b) => b.ms - a.ms);
  const total = timed.reduce((sum, a) => sum + a.ms, 0);
  console.log(`\nsvc's cold build: ${timed.length} actions, ${secs(total).trim()} of compile and link time in all (on 2 cores); the longest:`);
  for (const a of timed.slice(0, 12)) console.log(`  ${secs(a.ms)}  ${(100 * a.ms / total).toFixed(0).padStart(3)} %  ${a.what}`);
}

if (keep) console.log(`\nkept: ${work}`);
else rmSync(work, { recursive: true, force: true });

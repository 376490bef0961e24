#!/usr/bin/env node
// Prints the wall time and peak memory (max RSS) of the svc CLI, for the record:
//   svc --version
//   svc new product --skip-tidy     (generation alone; code cache warm)
//   svc new product --skip-tidy     with SVC_CODE_CACHE=off (every template and validator compiled: a first run)
//   svc gen api                     (in a service just generated: the contract unchanged; this run records the fingerprint)
//   svc gen api, again              (the steady state: the fingerprint recorded by the run before replays the outcome)
//   svc new product                 (with go mod tidy, warm module cache; left out with --no-tidy)
// Each is run RUNS times (default 5) in fresh temporary folders; the median
// wall time, the median CPU time of the svc process (user + system: steadier
// than the wall time on a busy machine) and the largest peak RSS are printed. Peak RSS is the svc (node)
// process's own; go's child processes are not included.
//
// --baseline DIR compares with another build of svc (a folder holding its
// bin/, dist/, templates/ and node_modules, e.g. a worktree of main after
// `npm run build`): the two are alternated run by run, so that a machine
// busy with something else slows both alike, and the ratio is printed.
//
// ogen (github.com/ogen-go/ogen, the version bench/peers.js pins, in
// .tools/gobin) is a peer: it generates the API layer from the starter's contract,
// alternated with `svc new` in the same rounds. Without it the line says how
// to install it and the rest runs.
//
// Usage: npm run build && node bench/cli.js [runs] [--baseline DIR] [--no-tidy]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scratch, takeOption } from './measure.js';
import { PEERS, peerPath } from './peers.js';

const args = process.argv.slice(2);
const flag = (name) => takeOption(args, name);
const baselineDir = flag('--baseline');
const noTidy = args.includes('--no-tidy');
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');
const ROOT = join(import.meta.dirname, '..');
const builds = [{ name: 'svc', bin: join(ROOT, 'bin', 'svc.js') }];
if (baselineDir) builds.push({ name: 'baseline', bin: join(resolve(baselineDir), 'bin', 'svc.js') });

function once(bin, argv, cwd, env = {}) {
  const rssFile = join(tmpdir(), `svc-bench-rss-${process.pid}`);
  const cpuFile = join(tmpdir(), `svc-bench-cpu-${process.pid}`);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, bin, ...argv], {
    cwd,
    env: { ...process.env, ...env, SVC_RSS_FILE: rssFile, SVC_CPU_FILE: cpuFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${argv.join(' ')} failed:\n${r.stderr}`);
  const rssKiB = Number(readFileSync(rssFile, 'utf8'));
  const cpuMs = Number(readFileSync(cpuFile, 'utf8'));
  rmSync(rssFile, { force: true });
  rmSync(cpuFile, { force: true });
  return { ms, rssKiB, cpuMs };
}

/** A fresh folder for one run, removed when the bench exits (see scratch); `prepare` may fill it (untimed) before the run. */
function inTemp(fn, prepare) {
  const cwd = scratch('svc-bench-');
  return fn(prepare ? prepare(cwd) : cwd);
}

/**
 * Times `argv` with every build, RUNS times, alternated; `peers` (name → a
 * function timing one run of another tool in a fresh folder) run in the same
 * rounds, and each is printed beside svc with the ratio.
 */
function measure(label, argv, { env, prepare, peers = [] } = {}) {
  const runners = [
    ...builds.map((b) => ({ name: b.name, run: () => inTemp((cwd) => once(b.bin, argv, cwd, env), prepare && ((cwd) => prepare(b, cwd))) })),
    ...peers.map((p) => ({ name: p.name, run: () => inTemp(p.run) })),
  ];
  const samples = new Map(runners.map((r) => [r.name, []]));
  for (let i = 0; i < RUNS; i++) {
    // Alternate, starting with each in turn.
    const order = i % 2 === 0 ? runners : [...runners].reverse();
    for (const r of order) samples.get(r.name).push(r.run());
  }
  const medians = {};
  for (const r of runners) {
    const s = samples.get(r.name);
    const times = s.map((x) => x.ms).sort((a, c) => a - c);
    medians[r.name] = times[Math.floor(times.length / 2)];
    const peak = Math.max(...s.map((x) => x.rssKiB));
    const name = runners.length > 1 ? `${label} [${r.name}]` : label;
    const rss = Number.isFinite(peak) ? `   peak RSS ${(peak / 1024).toFixed(1).padStart(6)} MiB` : '';
    const cpus = s.map((x) => x.cpuMs).sort((a, c) => a - c);
    const cpu = Number.isFinite(cpus[0]) ? `   CPU median ${cpus[Math.floor(cpus.length / 2)].toFixed(0).padStart(5)} ms` : '';
    console.log(`${name.padEnd(48)} median ${medians[r.name].toFixed(0).padStart(6)} ms   min ${times[0].toFixed(0).padStart(6)} ms${cpu}${rss}`);
  }
  if (builds.length > 1) console.log(`${''.padEnd(48)} svc / baseline: ${(medians.svc / medians.baseline).toFixed(2)}×`);
  for (const p of peers) console.log(`${''.padEnd(48)} svc / ${p.name}: ${(medians.svc / medians[p.name]).toFixed(2)}×`);
  return medians;
}

/** The pinned ogen (bench/peers.js), when installed; this bench does not install it (bench/server.js does). */
function findOgen() {
  const bin = peerPath('ogen');
  return existsSync(bin) ? bin : undefined;
}

/**
 * ogen as a peer of `svc new`: it generates its API layer (server, client,
 * models, validation) from the starter's contract. Its wall time only: its
 * peak memory is not measured (printed as absent).
 */
function ogenPeer(contract) {
  const ogen = findOgen();
  if (!ogen) {
    console.log(`ogen ${PEERS.ogen.version}: not installed, left out (node bench/server.js --peers ogen installs it)`);
    return [];
  }
  return [
    {
      name: 'ogen',
      run: (cwd) => {
        const started = process.hrtime.bigint();
        const r = spawnSync(ogen, ['--target', join(cwd, 'api'), '--package', 'api', '--clean', contract], { cwd, encoding: 'utf8' });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (r.status !== 0) throw new Error(`ogen failed:\n${r.stderr}`);
        return { ms, rssKiB: NaN, cpuMs: NaN };
      },
    },
  ];
}

/** Generates the starter into `cwd/product` (untimed): the service a `gen api` runs in. */
function starter(build, cwd) {
  once(build.bin, ['new', 'product', '--yes', '--skip-tidy'], cwd);
  return join(cwd, 'product');
}

/** Runs `gen api` once in a service (untimed): the run that records the fingerprint. */
function regenerate(build, dir) {
  once(build.bin, ['gen', 'api'], dir);
  return dir;
}

console.log(`svc CLI benchmark: ${RUNS} runs each, node ${process.version}${baselineDir ? `, alternated with the baseline at ${baselineDir}` : ''}`);
// One untimed run fills each build's code cache, as a user's first run does; its contract is ogen's input.
const keep = scratch('svc-bench-contract-');
for (const b of builds) inTemp((cwd) => {
  once(b.bin, ['new', 'product', '--yes', '--skip-tidy'], cwd);
  if (b.name === 'svc') copyFileSync(join(cwd, 'product', 'productproto', 'openapi', 'product.yaml'), join(keep, 'product.yaml'));
});
measure('svc --version', ['--version']);
const created = measure('svc new product --skip-tidy', ['new', 'product', '--yes', '--skip-tidy'], { peers: ogenPeer(join(keep, 'product.yaml')) });
measure('svc new product --skip-tidy (no code cache)', ['new', 'product', '--yes', '--skip-tidy'], { env: { SVC_CODE_CACHE: 'off' } });
const regenerated = measure('svc gen api (contract unchanged)', ['gen', 'api'], { prepare: starter });
const again = measure('svc gen api, again (fingerprint)', ['gen', 'api'], { prepare: (b, cwd) => regenerate(b, starter(b, cwd)) });
for (const b of builds) {
  console.log(`${`gen api / new [${b.name}]`.padEnd(48)} ${((regenerated[b.name] / created[b.name]) * 100).toFixed(0)} %   again: ${((again[b.name] / created[b.name]) * 100).toFixed(0)} %`);
}
if (!noTidy) measure('svc new product (go mod tidy)', ['new', 'product', '--yes']);


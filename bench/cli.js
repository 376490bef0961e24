#!/usr/bin/env node
// Prints the wall time and peak memory (max RSS) of the svc CLI, for the record:
//   svc --version
//   svc new product --skip-tidy     (generation alone; code cache warm)
//   svc new product --skip-tidy     with SVC_CODE_CACHE=off (every template and validator compiled: a first run)
//   svc gen api                     (in a service just generated: the contract unchanged)
//   svc new product                 (with go mod tidy, warm module cache; left out with --no-tidy)
// Each is run RUNS times (default 5) in fresh temporary folders; the median
// wall time and the largest peak RSS are printed. Peak RSS is the svc (node)
// process's own; go's child processes are not included.
//
// --baseline DIR compares with another build of svc (a folder holding its
// bin/, dist/, templates/ and node_modules, e.g. a worktree of main after
// `npm run build`): the two are alternated run by run, so that a machine
// busy with something else slows both alike, and the ratio is printed.
//
// Usage: npm run build && node bench/cli.js [runs] [--baseline DIR] [--no-tidy]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const baselineDir = flag('--baseline');
const noTidy = args.includes('--no-tidy');
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');
const builds = [{ name: 'svc', bin: join(import.meta.dirname, '..', 'bin', 'svc.js') }];
if (baselineDir) builds.push({ name: 'baseline', bin: join(resolve(baselineDir), 'bin', 'svc.js') });

function once(bin, argv, cwd, env = {}) {
  const rssFile = join(tmpdir(), `svc-bench-rss-${process.pid}`);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, bin, ...argv], {
    cwd,
    env: { ...process.env, ...env, SVC_RSS_FILE: rssFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${argv.join(' ')} failed:\n${r.stderr}`);
  const rssKiB = Number(readFileSync(rssFile, 'utf8'));
  rmSync(rssFile, { force: true });
  return { ms, rssKiB };
}

/** A fresh folder for one run; `prepare` may fill it (untimed) before the run. */
function inTemp(fn, prepare) {
  const cwd = mkdtempSync(join(tmpdir(), 'svc-bench-'));
  try {
    const dir = prepare ? prepare(cwd) : cwd;
    return fn(dir);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

function measure(label, argv, { env, prepare } = {}) {
  const samples = new Map(builds.map((b) => [b.name, []]));
  for (let i = 0; i < RUNS; i++) {
    // Alternate the builds, starting with each in turn.
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) samples.get(b.name).push(inTemp((cwd) => once(b.bin, argv, cwd, env), prepare && ((cwd) => prepare(b, cwd))));
  }
  const medians = {};
  for (const b of builds) {
    const s = samples.get(b.name);
    const times = s.map((x) => x.ms).sort((a, c) => a - c);
    medians[b.name] = times[Math.floor(times.length / 2)];
    const peak = Math.max(...s.map((x) => x.rssKiB));
    const name = builds.length > 1 ? `${label} [${b.name}]` : label;
    console.log(`${name.padEnd(48)} median ${medians[b.name].toFixed(0).padStart(6)} ms   min ${times[0].toFixed(0).padStart(6)} ms   peak RSS ${(peak / 1024).toFixed(1).padStart(6)} MiB`);
  }
  if (builds.length > 1) console.log(`${''.padEnd(48)} svc / baseline: ${(medians.svc / medians.baseline).toFixed(2)}×`);
  return medians;
}

/** Generates the starter into `cwd/product` (untimed): the service a `gen api` runs in. */
function starter(build, cwd) {
  once(build.bin, ['new', 'product', '--yes', '--skip-tidy'], cwd);
  return join(cwd, 'product');
}

console.log(`svc CLI benchmark: ${RUNS} runs each, node ${process.version}${baselineDir ? `, alternated with the baseline at ${baselineDir}` : ''}`);
// One untimed run fills each build's code cache, as a user's first run does.
for (const b of builds) inTemp((cwd) => once(b.bin, ['new', 'product', '--yes', '--skip-tidy'], cwd));
measure('svc --version', ['--version']);
const created = measure('svc new product --skip-tidy', ['new', 'product', '--yes', '--skip-tidy']);
measure('svc new product --skip-tidy (no code cache)', ['new', 'product', '--yes', '--skip-tidy'], { env: { SVC_CODE_CACHE: 'off' } });
const regenerated = measure('svc gen api (contract unchanged)', ['gen', 'api'], { prepare: starter });
for (const b of builds) console.log(`${`gen api / new [${b.name}]`.padEnd(48)} ${((regenerated[b.name] / created[b.name]) * 100).toFixed(0)} %`);
if (!noTidy) measure('svc new product (go mod tidy)', ['new', 'product', '--yes']);

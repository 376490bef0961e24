#!/usr/bin/env node
// Overload benchmark of the generated starter's inbound protection: does load
// shedding keep the latency of the requests it admits close to the unloaded
// latency when twice the traffic the service can serve arrives?
//
// It generates the starter (`svc new product --database memory`), seeds 100
// products, and drives GET /products?page_size=100 (JSON encoding of 100
// items per answer, so that the service, not the client, does most of the
// work) with the open-loop Go load generator in bench/load (`go run`). The
// service runs with GOMAXPROCS=1 so that the generator has CPU of its own.
//   1. unloaded: an open loop at UNLOADED_RATE/s for 5 s, for its p99
//      (this and the ramp run without shedding);
//   2. capacity: a ramp of open-loop steps of STEP_SECONDS, each 25% faster,
//      up to the last rate served in full with a median latency within 5x the
//      unloaded one: the throughput the service can serve;
//   3. overload: an open loop at 2x the capacity for SECONDS, once with the
//      default protection (http.shedding on, http.max_inflight 1024) and once
//      with it off (PRODUCT_HTTP_SHEDDING=false, PRODUCT_HTTP_MAX_INFLIGHT=0).
// Per-client rate limiting is off in every run (PRODUCT_LIMITS_RATE=0): the
// load generator is one client address and would otherwise get 429s that
// hide the shedding.
//
// The goal holds when, with shedding on, the p99 of admitted requests stays
// within 5x the unloaded p99 and no request fails otherwise than 503/429.
// Usage: npm run build && node bench/shedding.js [seconds] [--dir DIR]
//   --dir DIR: use an already generated service in DIR instead of a new one.
// The load generator and the service share the machine's CPUs: figures are
// for comparison between the two runs, not absolute.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const dirFlag = args.indexOf('--dir');
const givenDir = dirFlag >= 0 ? resolve(args.splice(dirFlag, 2)[1]) : undefined;
const SECONDS = Number(args[0] ?? 20);
const UNLOADED_RATE = 100;
const STEP_SECONDS = 2;
const CONNS = 256;
const SVC = join(import.meta.dirname, '..', 'bin', 'svc.js');
const LOAD = join(import.meta.dirname, 'load');
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };

/**
 * cmd pinned to one CPU with taskset where there is one (Linux): the service
 * on CPU 0, the load generator on CPU 1, so neither steals the other's time.
 */
const TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
function pinned(cpu, cmd, cmdArgs) {
  return TASKSET ? ['taskset', ['-c', String(cpu), cmd, ...cmdArgs]] : [cmd, cmdArgs];
}

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => done(p));
    });
  });
}

/** Starts the service with the extra environment; resolves once it is ready. */
async function start(bin, cwd, extra) {
  const [port, admin] = [await freePort(), await freePort()];
  const proc = spawn(...pinned(0, bin, []), {
    cwd,
    env: {
      ...env,
      PRODUCT_HTTP_ADDR: `127.0.0.1:${port}`,
      PRODUCT_ADMIN_ADDR: `127.0.0.1:${admin}`,
      PRODUCT_HTTP_SHUTDOWN_DELAY: '0s',
      PRODUCT_LOG_LEVEL: 'error',
      PRODUCT_LIMITS_RATE: '0',
      GOMAXPROCS: '1',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.status === 200).catch(() => false)) break;
    if (i > 150) throw new Error('the service did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${base}/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Bench product ${i}`, description: 'A product to list. '.repeat(5), price: 9.5, currency: 'EUR', tags: ['bench', 'load'] }),
    });
    if (r.status !== 201) throw new Error(`seeding: POST /products answered ${r.status}: ${await r.text()}`);
  }
  const stop = async () => {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  };
  return { url: `${base}/products?page_size=100`, adminUrl: `http://127.0.0.1:${admin}`, stop };
}

/** Runs the load generator; returns its JSON result. */
function load(url, flags) {
  const out = run(...pinned(1, 'go', ['run', '.', '-url', url, '-conns', String(CONNS), ...flags]), LOAD);
  return JSON.parse(out.trim().split('\n').pop());
}

/** The requests_shed_total series of the service's metrics. */
async function shedCounters(adminUrl) {
  const text = await fetch(`${adminUrl}/metrics`).then((r) => r.text()).catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('requests_shed_total{') && !l.endsWith(' 0')).join(', ') || 'none';
}

const fmt = (r) =>
  `admitted ${r.ok_per_second.toFixed(0).padStart(6)}/s  ok ${String(r.ok).padStart(7)}  503 ${String(r.shed503).padStart(7)}  429 ${String(r.limited429).padStart(4)}  ` +
  `other ${r.other_status + r.errors + r.dropped}  p50 ${r.p50_ms.toFixed(2).padStart(8)} ms  p99 ${r.p99_ms.toFixed(2).padStart(8)} ms` +
  (r.first_error && r.other_status + r.errors > 0 ? `  (first failure: ${r.first_error})` : '');

const work = givenDir ? undefined : mkdtempSync(join(tmpdir(), 'svc-bench-shed-'));
try {
  const dir = givenDir ?? join(work, 'product');
  if (!givenDir) run(process.execPath, [SVC, 'new', 'product', '--dir', dir, '--database', 'memory', '--yes'], work);
  run('go', ['build', '-o', 'bin/product', './cmd/product'], dir);
  run('go', ['build', '-o', '/dev/null', '.'], LOAD); // compile the generator once, outside the timings
  const bin = join(dir, 'bin', 'product');
  console.log(`shedding benchmark: GET /products?page_size=100 on loopback, service GOMAXPROCS=1, ${CONNS} client connections, ${spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim()}`);
  console.log('per-client rate limiting off in every run (PRODUCT_LIMITS_RATE=0)');

  // Unloaded latency and capacity are the service's own, without shedding.
  const off = { PRODUCT_HTTP_SHEDDING: 'false', PRODUCT_HTTP_MAX_INFLIGHT: '0' };
  let svc = await start(bin, dir, off);
  const unloaded = load(svc.url, ['-rate', String(UNLOADED_RATE), '-duration', '5s']);
  console.log(`unloaded (open loop at ${UNLOADED_RATE}/s, 5s): ${fmt(unloaded)}`);
  let capacity = 0;
  for (let rate = 250; ; rate = Math.round(rate * 1.25)) {
    const step = load(svc.url, ['-rate', String(rate), '-duration', `${STEP_SECONDS}s`]);
    // The median, not the p99, decides: a saturated service queues every
    // request, while a hiccup of a shared machine only moves the tail.
    const served = step.ok >= 0.99 * step.scheduled && step.p50_ms <= 5 * unloaded.p50_ms;
    console.log(`  ramp ${String(rate).padStart(6)}/s: ${fmt(step)}${served ? '' : '  <- not served'}`);
    if (!served) break;
    capacity = rate;
  }
  await svc.stop();
  if (capacity === 0) throw new Error('the service could not serve even the first ramp step');
  const overloadRate = 2 * capacity;
  console.log(`capacity: ${capacity} req/s (the last ramp step served in full with a p50 within 5x the unloaded p50)`);
  console.log(`overload: open loop at ${overloadRate}/s (2x capacity) for ${SECONDS}s`);

  const runs = [
    ['shedding on ', {}],
    ['shedding off', off],
  ];
  const results = {};
  for (const [label, extra] of runs) {
    svc = await start(bin, dir, extra);
    const r = load(svc.url, ['-rate', String(overloadRate), '-duration', `${SECONDS}s`, '-window', '5s']);
    const shed = await shedCounters(svc.adminUrl);
    await svc.stop();
    results[label.trim()] = r;
    console.log(`  ${label}  ${fmt(r)}`);
    console.log(`                shed counters: ${shed}`);
    for (const w of r.windows ?? []) {
      console.log(`                ${String(w.start_s).padStart(3)}s+: ok ${String(w.ok).padStart(6)}  503 ${String(w.shed503).padStart(6)}  other ${w.other}  p99 ${w.p99_ms.toFixed(2).padStart(8)} ms`);
    }
  }
  const on = results['shedding on'];
  const bound = 5 * unloaded.p99_ms;
  const failures = on.other_status + on.errors + on.dropped;
  const holds = on.p99_ms <= bound && failures === 0;
  console.log(
    `goal (shedding on: admitted p99 ${on.p99_ms.toFixed(2)} ms <= 5 x unloaded p99 = ${bound.toFixed(2)} ms; ${failures} failures other than 503/429): ${holds ? 'HOLDS' : 'DOES NOT HOLD'}`,
  );
  process.exitCode = holds ? 0 : 1;
} finally {
  if (work) rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Request-path benchmark of the generated server: the starter with in-memory
// storage and its full default middleware chain (logging at info, metrics,
// tracing, validation, protections), against a bare net/http server doing
// the same work (bench/server/bare: ServeMux, encoding/json, a mutex-guarded
// map), the practical limit.
//
// Each server runs pinned to CPU 0 (taskset, GOMAXPROCS=1) and the closed-loop
// load generator (bench/load, CONC workers) on CPU 1. Servers are alternated
// within each round; each round starts every server afresh and measures
// GET /products/{id} (a product created first) then POST /products. The table
// gives the median over the rounds of requests/s (2xx answers only), the
// server's CPU time per answered request (from /proc: what the machine's
// other load disturbs least), the service's heap allocations per request
// (go_memstats_mallocs_total, which includes the scrape's own few), p50 and p99, the ratio to bare net/http, answers other than 2xx, binary size, idle
// RSS and the time from start to a ready /readyz.
//
// Per-client rate limiting is off (PRODUCT_LIMITS_RATE=0): the generator is
// one client address. Everything else is the generated default.
//
// Usage: npm run build && node bench/server.js [--rounds 3] [--seconds 5]
//          [--conc 32] [--svc LABEL=path/to/bin/svc.js]... [--smoke]
//   --svc: a svc build to generate the starter with (repeatable, e.g. an
//          old and a new build for an A/B in the same run); default the
//          checkout's bin/svc.js as "svc".
//   --smoke: one round of 2 s (CI, so the script does not rot).
// Figures are for comparison within one run; the machine's other load shows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
function option(name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
}
const smoke = argv.includes('--smoke');
const ROUNDS = Number(option('--rounds', smoke ? 1 : 3));
const SECONDS = Number(option('--seconds', smoke ? 2 : 5));
const CONC = Number(option('--conc', 32));
const builds = argv.flatMap((a, i) => (argv[i - 1] === '--svc' ? [a] : [])).map((spec) => {
  const [label, path] = spec.includes('=') ? spec.split('=') : ['svc', spec];
  return { label, cli: resolve(path) };
});
if (builds.length === 0) builds.push({ label: 'svc', cli: join(import.meta.dirname, '..', 'bin', 'svc.js') });

const LOAD = join(import.meta.dirname, 'load');
const BARE = join(import.meta.dirname, 'server', 'bare');
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
const TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, cmd, args) => (TASKSET ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts a server; resolves once /readyz answers 200, with its start-to-ready time and idle RSS. */
async function start(server) {
  const port = await freePort();
  const admin = await freePort();
  const t0 = performance.now();
  const [cmd, args] = pinned(0, server.bin, server.bare ? ['-addr', `127.0.0.1:${port}`] : []);
  const proc = spawn(cmd, args, {
    cwd: server.dir,
    env: {
      ...env,
      GOMAXPROCS: '1',
      PRODUCT_HTTP_ADDR: `127.0.0.1:${port}`,
      PRODUCT_ADMIN_ADDR: `127.0.0.1:${admin}`,
      PRODUCT_HTTP_SHUTDOWN_DELAY: '0s',
      PRODUCT_LIMITS_RATE: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.status === 200).catch(() => false)) break;
    if (i > 3000) throw new Error(`${server.label} did not become ready`);
    await sleep(2);
  }
  const readyMs = performance.now() - t0;
  await sleep(300);
  const rss = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  // taskset execs the server, so the pid is the server's own.
  const stop = async () => {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
  };
  return { base, admin: server.bare ? undefined : `http://127.0.0.1:${admin}`, pid: proc.pid, readyMs, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, stop };
}

/** CPU seconds the process pid has used (user + system), from /proc; NaN where there is none. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** The Go runtime's count of heap allocations, from a service's Prometheus metrics; NaN without them. */
async function mallocs(admin) {
  if (!admin) return NaN;
  const text = await fetch(`${admin}/metrics`).then((r) => r.text()).catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('go_memstats_mallocs_total '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/**
 * load() with the server's CPU time per answered request (µs), which the
 * machine's other load moves less than requests/s, and its heap allocations
 * per request (services only: from their metrics), which it does not move.
 */
async function loadCPU(s, url, extra) {
  const before = cpuSeconds(s.pid);
  const allocsBefore = await mallocs(s.admin);
  const r = load(url, extra);
  const answered = r.ok + r.shed503 + r.limited429 + r.other_status;
  r.cpu_us = ((cpuSeconds(s.pid) - before) / answered) * 1e6;
  r.allocs = ((await mallocs(s.admin)) - allocsBefore) / answered;
  return r;
}

const BODY = JSON.stringify({ name: 'Bench product', description: 'A product to read.', price: 9.5, currency: 'EUR', tags: ['bench', 'load'] });

/** Runs the load generator against url; returns its JSON result. */
function load(url, extra) {
  const out = run(...pinned(1, join(LOAD, 'load'), ['-url', url, '-workers', String(CONC), '-conns', String(CONC), ...extra]), LOAD);
  return JSON.parse(out.trim().split('\n').pop());
}

async function measure(server) {
  const s = await start(server);
  try {
    const created = await fetch(`${s.base}/products`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: BODY });
    if (created.status !== 201) throw new Error(`${server.label}: POST /products answered ${created.status}: ${await created.text()}`);
    const { id } = await created.json();
    const getUrl = `${s.base}/products/${id}`;
    load(getUrl, ['-duration', '1s']); // warm-up
    const get = await loadCPU(s, getUrl, ['-duration', `${SECONDS}s`]);
    const post = await loadCPU(s, `${s.base}/products`, ['-duration', `${SECONDS}s`, '-method', 'POST', '-body', BODY]);
    return { get, post, readyMs: s.readyMs, rssMiB: s.rssMiB };
  } finally {
    await s.stop();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const work = mkdtempSync(join(tmpdir(), 'svc-bench-server-'));
try {
  run('go', ['build', '-o', 'load', '.'], LOAD);
  const servers = [];
  run('go', ['build', '-o', join(work, 'bare'), '.'], BARE);
  servers.push({ label: 'bare net/http', bin: join(work, 'bare'), dir: work, bare: true });
  for (const b of builds) {
    const dir = join(work, b.label.replace(/[^\w.-]/g, '_'));
    run(process.execPath, [b.cli, 'new', 'product', '--dir', dir, '--database', 'memory', '--skip-tidy', '--yes'], work);
    run('go', ['mod', 'tidy'], dir);
    run('go', ['build', '-o', 'bin/product', './cmd/product'], dir);
    servers.push({ label: `${b.label} starter`, bin: join(dir, 'bin', 'product'), dir });
  }
  for (const s of servers) s.sizeMiB = statSync(s.bin).size / 2 ** 20;

  const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`server benchmark: ${ROUNDS} round(s) of ${SECONDS} s, server on CPU 0 (GOMAXPROCS=1), ${CONC} closed-loop workers on CPU 1${TASKSET ? '' : ' (no taskset: unpinned)'}, ${goVersion}`);
  const results = new Map(servers.map((s) => [s.label, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? servers : [...servers].reverse();
    for (const s of order) {
      const r = await measure(s);
      results.get(s.label).push(r);
      console.log(
        `  round ${round} ${s.label.padEnd(24)} GET ${r.get.ok_per_second.toFixed(0).padStart(6)}/s ${r.get.cpu_us.toFixed(0).padStart(4)} µs CPU/req  POST ${r.post.ok_per_second.toFixed(0).padStart(6)}/s ${r.post.cpu_us.toFixed(0).padStart(4)} µs CPU/req`,
      );
    }
  }

  const summary = (label) => {
    const rs = results.get(label);
    const pick = (kind) => ({
      rps: median(rs.map((r) => r[kind].ok_per_second)),
      p50: median(rs.map((r) => r[kind].p50_ms)),
      p99: median(rs.map((r) => r[kind].p99_ms)),
      cpu: median(rs.map((r) => r[kind].cpu_us)),
      allocs: median(rs.map((r) => r[kind].allocs)),
      failed: rs.reduce((n, r) => n + r[kind].shed503 + r[kind].limited429 + r[kind].other_status + r[kind].errors, 0),
      why: rs.map((r) => `${r[kind].shed503 ? `${r[kind].shed503}x503 ` : ''}${r[kind].first_error ?? ''}`.trim()).find(Boolean),
    });
    return { get: pick('get'), post: pick('post'), readyMs: median(rs.map((r) => r.readyMs)), rssMiB: median(rs.map((r) => r.rssMiB)) };
  };
  const bare = summary('bare net/http');
  const cell = (x, ref) => `${x.rps.toFixed(0).padStart(6)}/s ${(x.rps / ref.rps).toFixed(2)}x  ${x.cpu.toFixed(0).padStart(3)} µs CPU/req ${Number.isNaN(x.allocs) ? '' : `${x.allocs.toFixed(0)} allocs/req `} p50 ${x.p50.toFixed(2).padStart(5)}  p99 ${x.p99.toFixed(2).padStart(6)} ms${x.failed ? `  (${x.failed} not 2xx: ${x.why})` : ''}`;
  console.log('\nmedians over the rounds (ratio to bare net/http):');
  console.log(`${'server'.padEnd(24)} ${'GET /products/{id}'.padEnd(76)} ${'POST /products'.padEnd(76)} binary    idle RSS  ready`);
  for (const s of servers) {
    const m = summary(s.label);
    console.log(
      `${s.label.padEnd(24)} ${cell(m.get, bare.get).padEnd(76)} ${cell(m.post, bare.post).padEnd(76)} ${s.sizeMiB.toFixed(1).padStart(5)} MiB ${m.rssMiB.toFixed(1).padStart(5)} MiB ${m.readyMs.toFixed(0).padStart(4)} ms`,
    );
  }
  console.log('not measured here (gap): ogen and go-zero peers');
} finally {
  rmSync(join(LOAD, 'load'), { force: true });
  rmSync(work, { recursive: true, force: true });
}

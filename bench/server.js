#!/usr/bin/env node
// Request-path benchmark of the generated server: the starter with in-memory
// storage and its full default middleware chain (logging at info, metrics,
// tracing, validation, protections), against a bare net/http server doing
// the same work (bench/server/bare: ServeMux, encoding/json, a mutex-guarded
// map), the practical limit, and two peers on the same contract, each with
// the same hand-written store (bench/server/<peer>: only hand-written
// sources; the rest is generated here, in a temporary folder):
//   ogen     ogen's server from the starter's productproto/openapi/product.yaml
//            (its default options: full contract validation, OpenTelemetry on
//            the no-op global providers);
//   go-zero  goctl's service from bench/server/gozero/product.api (an
//            equivalent of the contract's GET and POST; go-zero's defaults:
//            access log at info, shedding, breaker, timeout).
// Their generators are pinned in bench/peers.js and installed into
// .tools/gobin when missing; a peer whose generator cannot be installed or
// whose build fails is left out with the reason, and the rest goes on.
//
// Each server runs pinned to CPU 0 (taskset, GOMAXPROCS=1) and the closed-loop
// load generator (bench/load, CONC workers) on CPU 1. Servers are alternated
// within each round; each round starts every server afresh and measures
// GET /products/{id} (a product created first) then POST /products. Each
// server's standard output is a pipe that cat reads, as a container runtime
// reads a service's log, so an access line costs what it costs there. The table
// gives the median over the rounds of requests/s (2xx answers only), the
// server's CPU time per answered request (from /proc: what the machine's
// other load disturbs least), heap allocations per request (every server's
// go_memstats_mallocs_total: the service's own metrics, and for bare and the
// peers the same count of runtime.MemStats served on an admin port by
// bench/server/*/admin.go; it includes the two scrapes' own few), p50 and
// p99, the ratio to bare net/http, answers other than 2xx, binary size, idle
// RSS and the time from start to a ready /readyz.
//
// Per-client rate limiting is off (PRODUCT_LIMITS_RATE=0): the generator is
// one client address. Everything else is the generated default.
//
// Usage: npm run build && node bench/server.js [--rounds 3] [--seconds 5]
//          [--conc 32] [--svc LABEL=path/to/bin/svc.js]... [--peers ogen,go-zero]
//          [--smoke]
//   --svc: a svc build to generate the starter with (repeatable, e.g. an
//          old and a new build for an A/B in the same run); default the
//          checkout's bin/svc.js as "svc".
//   --peers: which peers to add ("none" for none); default both.
//   --smoke: one round of 2 s and no peers unless --peers names them (CI, so
//          the script does not rot; building go-zero's peer alone takes
//          minutes).
// Figures are for comparison within one run; the machine's other load shows.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installPeer, PEERS as PINS } from './peers.js';

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
const PEERS = option('--peers', smoke ? 'none' : 'ogen,go-zero')
  .split(',')
  .map((p) => p.trim())
  .filter((p) => p && p !== 'none');
for (const p of PEERS) if (p !== 'ogen' && p !== 'go-zero') throw new Error(`--peers: unknown peer ${p} (ogen, go-zero)`);

const LOAD = join(import.meta.dirname, 'load');
const SERVERS = join(import.meta.dirname, 'server');
const BARE = join(SERVERS, 'bare');
// The go.mod files of bench/server/{ogen,gozero} pin the peers' runtimes to
// the generators' versions in bench/peers.js.
const GOZERO_VERSION = readFileSync(join(SERVERS, 'gozero', 'go.mod'), 'utf8').match(/zeromicro\/go-zero v(\S+)/)?.[1] ?? '?';
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };
const TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, cmd, args) => (TASKSET ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

function run(cmd, args, cwd, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Generates and builds the ogen peer in work from the starter's contract; returns its binary. */
function buildOgen(work, contract) {
  const ogen = installPeer('ogen');
  const dir = join(work, 'ogen');
  cpSync(join(SERVERS, 'ogen'), dir, { recursive: true });
  run(ogen, ['--target', 'api', '--package', 'api', '--clean', contract], dir);
  run('go', ['mod', 'tidy'], dir);
  run('go', ['build', '-o', 'ogen', '.'], dir);
  return { bin: join(dir, 'ogen'), dir };
}

/** Generates with goctl and builds the go-zero peer in work; the hand-written files replace goctl's scaffolds. */
function buildGozero(work) {
  const goctl = installPeer('goctl');
  const dir = join(work, 'gozero');
  mkdirSync(dir);
  cpSync(join(SERVERS, 'gozero', 'go.mod'), join(dir, 'go.mod'));
  run(goctl, ['api', 'go', '-api', join(SERVERS, 'gozero', 'product.api'), '-dir', '.'], dir);
  cpSync(join(SERVERS, 'gozero'), dir, { recursive: true });
  run('go', ['mod', 'tidy'], dir);
  run('go', ['build', '-o', 'gozero', '.'], dir);
  return { bin: join(dir, 'gozero'), dir };
}

/** How each kind of server is told its addresses: flags for bare and ogen, a config file for go-zero, the environment for the service. */
function launch(server, port, admin) {
  const addr = `127.0.0.1:${port}`;
  const adminAddr = `127.0.0.1:${admin}`;
  if (server.kind === 'flags') return ['-addr', addr, '-admin', adminAddr];
  if (server.kind === 'go-zero') {
    const config = join(server.dir, 'etc', 'bench.yaml');
    writeFileSync(config, `Name: product-api\nHost: 127.0.0.1\nPort: ${port}\n`);
    return ['-f', config, '-admin', adminAddr];
  }
  return [];
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
  const stderr = openSync(server.stderr, 'a');
  const [cmd, args] = pinned(0, server.bin, launch(server, port, admin));
  const t0 = performance.now();
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
    // stdout to a pipe that another process reads, as a container runtime
    // reads a service's log (an access line is a write into a pipe, not into
    // /dev/null); stderr to a file: go-zero logs its slow calls there; shown
    // if the server fails to start.
    stdio: ['ignore', 'pipe', stderr],
  });
  closeSync(stderr);
  // cat, not this process, reads the pipe: the load generator runs
  // synchronously and would leave the pipe full. It runs on any core.
  spawn('cat', [], { stdio: [proc.stdout, 'ignore', 'ignore'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.status === 200).catch(() => false)) break;
    if (i > 3000 || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`${server.label} did not become ready; its stderr ends:\n${readFileSync(server.stderr, 'utf8').slice(-2000)}`);
    }
    await sleep(2);
  }
  const readyMs = performance.now() - t0;
  await sleep(300);
  const rss = readFileSync(`/proc/${proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  // taskset execs the server, so the pid is the server's own.
  // go-zero waits seconds on SIGTERM before it exits: SIGKILL after 2 s.
  const stop = async () => {
    const exited = new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.on('exit', r)));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  return { base, admin: `http://127.0.0.1:${admin}`, pid: proc.pid, readyMs, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, stop };
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

/** The Go runtime's count of heap allocations, from a server's metrics (admin port); NaN without them. */
async function mallocs(admin) {
  const text = await fetch(`${admin}/metrics`).then((r) => r.text()).catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('go_memstats_mallocs_total '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/**
 * load() with the server's CPU time per answered request (µs), which the
 * machine's other load moves less than requests/s, and its heap allocations
 * per request (from its metrics), which it does not move.
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
    // 201 from the service, bare and ogen; go-zero's generated handler answers 200.
    if (!created.ok) throw new Error(`${server.label}: POST /products answered ${created.status}: ${await created.text()}`);
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
  servers.push({ label: 'bare net/http', bin: join(work, 'bare'), dir: work, kind: 'flags' });
  let contract;
  for (const b of builds) {
    const dir = join(work, b.label.replace(/[^\w.-]/g, '_'));
    run(process.execPath, [b.cli, 'new', 'product', '--dir', dir, '--database', 'memory', '--skip-tidy', '--yes'], work);
    run('go', ['mod', 'tidy'], dir);
    run('go', ['build', '-o', 'bin/product', './cmd/product'], dir);
    servers.push({ label: `${b.label} starter`, bin: join(dir, 'bin', 'product'), dir, kind: 'service' });
    contract ??= join(dir, 'productproto', 'openapi', 'product.yaml');
  }
  const left = [];
  const peers = {
    ogen: () => ({ label: `ogen ${PINS.ogen.version.slice(1)}`, kind: 'flags', ...buildOgen(work, contract) }),
    'go-zero': () => ({ label: `go-zero ${GOZERO_VERSION} (goctl ${PINS.goctl.version.slice(1)})`, kind: 'go-zero', ...buildGozero(work) }),
  };
  for (const p of PEERS) {
    try {
      servers.push(peers[p]());
    } catch (e) {
      const why = String(e.message ?? e).trim().split('\n').slice(0, 6).join('\n    ');
      left.push(p);
      console.log(`${p}: left out: ${why}`);
    }
  }
  for (const s of servers) {
    s.sizeMiB = statSync(s.bin).size / 2 ** 20;
    s.stderr = join(work, `${s.label.replace(/[^\w.-]/g, '_')}.stderr`);
  }

  // Node's fetch loads its HTTP client on first use (~0.1 s): do it now, not
  // inside the first server's start-to-ready time.
  await fetch('http://127.0.0.1:9/').catch(() => {});
  const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`server benchmark: ${ROUNDS} round(s) of ${SECONDS} s, server on CPU 0 (GOMAXPROCS=1), ${CONC} closed-loop workers on CPU 1${TASKSET ? '' : ' (no taskset: unpinned)'}, ${goVersion}`);
  const results = new Map(servers.map((s) => [s.label, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? servers : [...servers].reverse();
    for (const s of order) {
      const r = await measure(s);
      results.get(s.label).push(r);
      console.log(
        `  round ${round} ${s.label.padEnd(30)} GET ${r.get.ok_per_second.toFixed(0).padStart(6)}/s ${r.get.cpu_us.toFixed(0).padStart(4)} µs CPU/req  POST ${r.post.ok_per_second.toFixed(0).padStart(6)}/s ${r.post.cpu_us.toFixed(0).padStart(4)} µs CPU/req`,
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
      why: [
        ['503', 'shed503'],
        ['429', 'limited429'],
        ['other status', 'other_status'],
        ['errors', 'errors'],
      ]
        .map(([name, key]) => [name, rs.reduce((n, r) => n + r[kind][key], 0)])
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${n}x ${name}`)
        .concat(rs.map((r) => r[kind].first_error).filter(Boolean).slice(0, 1))
        .join(', '),
    });
    return { get: pick('get'), post: pick('post'), readyMs: median(rs.map((r) => r.readyMs)), rssMiB: median(rs.map((r) => r.rssMiB)) };
  };
  const bare = summary('bare net/http');
  const cell = (x, ref) => `${x.rps.toFixed(0).padStart(6)}/s ${(x.rps / ref.rps).toFixed(2)}x  ${x.cpu.toFixed(0).padStart(3)} µs CPU/req (${(ref.cpu / x.cpu).toFixed(2)}x) ${Number.isNaN(x.allocs) ? '' : `${x.allocs.toFixed(0)} allocs/req `} p50 ${x.p50.toFixed(2).padStart(5)}  p99 ${x.p99.toFixed(2).padStart(6)} ms${x.failed ? `  (${x.failed} not 2xx: ${x.why})` : ''}`;
  console.log('\nmedians over the rounds (ratios to bare net/http: requests/s, and bare\'s CPU per request over the server\'s, which a busy machine moves less):');
  console.log(`${'server'.padEnd(30)} ${'GET /products/{id}'.padEnd(84)} ${'POST /products'.padEnd(84)} binary    idle RSS  ready`);
  for (const s of servers) {
    const m = summary(s.label);
    console.log(
      `${s.label.padEnd(30)} ${cell(m.get, bare.get).padEnd(84)} ${cell(m.post, bare.post).padEnd(84)} ${s.sizeMiB.toFixed(1).padStart(5)} MiB ${m.rssMiB.toFixed(1).padStart(5)} MiB ${m.readyMs.toFixed(0).padStart(4)} ms`,
    );
  }
  if (left.length) console.log(`left out (see above): ${left.join(', ')}`);
  if (PEERS.length === 0) console.log('peers not run (--peers ogen,go-zero adds them)');
} finally {
  rmSync(join(LOAD, 'load'), { force: true });
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Events and cache throughput of generated services on this machine, over
// real components on loopback (nats-server from .tools/gobin, see
// scripts/nats.sh; Debian's redis-server):
//   1. the outbox relay: N creates are committed while the broker is
//      unreachable (their events wait in svc_outbox), then the producer
//      restarts with the broker: events/s until the backlog is relayed;
//      next to it, the same N events published straight to NATS by the
//      memory-storage starter (best-effort, no outbox): creates/s with their publish;
//   2. the consumer pool: N events wait in JetStream for the audit
//      fixture's consumer, which starts with W workers: events/s handled
//      (each in its own transaction with the dedupe mark), for W = 1, 8, 32;
//   3. GET /products/{id} with no cache, the in-process LRU, Redis, and both
//      (closed loop, bench/load, CONCURRENCY workers for SECONDS each).
// Usage: npm run build && node bench/events.js [N] [seconds]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const N = Number(process.argv[2] ?? 2000);
const SECONDS = Number(process.argv[3] ?? 5);
const CONCURRENCY = 16;
const ROOT = resolve(import.meta.dirname, '..');
const SVC = join(ROOT, 'bin', 'svc.js');
const NATS = join(ROOT, '.tools', 'gobin', 'nats-server');
const LOAD = join(ROOT, 'bench', 'load');
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => ok(p));
    });
  });

/** Starts a process and resolves when `ready` matches its output (or its /readyz answers, for a service). */
async function start(cmd, args, extraEnv, ready) {
  const proc = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b) => (out += b));
  proc.stderr.on('data', (b) => (out += b));
  const stop = async (signal = 'SIGTERM') => {
    if (proc.exitCode !== null) return;
    proc.kill(signal);
    await new Promise((r) => proc.on('exit', r));
  };
  for (let i = 0; i < 300; i++) {
    if (await ready(out)) return { proc, stop };
    if (proc.exitCode !== null) throw new Error(`${cmd} exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${cmd} did not start: ${out}`);
}

async function service(bin, prefix, extra) {
  const [http, admin] = [await freePort(), await freePort()];
  const s = await start(bin, [], {
    [`${prefix}_HTTP_ADDR`]: `127.0.0.1:${http}`,
    [`${prefix}_ADMIN_ADDR`]: `127.0.0.1:${admin}`,
    [`${prefix}_HTTP_SHUTDOWN_DELAY`]: '0s',
    [`${prefix}_LIMITS_RATE`]: '0',
    [`${prefix}_HTTP_SHEDDING`]: 'false',
    [`${prefix}_LOG_LEVEL`]: 'warn',
    ...extra,
  }, async () => fetch(`http://127.0.0.1:${http}/healthz`).then((r) => r.ok).catch(() => false));
  return { ...s, base: `http://127.0.0.1:${http}`, admin: `http://127.0.0.1:${admin}` };
}

async function metric(svc, name, labels = {}) {
  const text = await fetch(`${svc.admin}/metrics`).then((r) => r.text()).catch(() => '');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function waitFor(probe, ms = 300_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

/** POSTs n products with CONCURRENCY workers; returns the seconds it took and the ids. */
async function createMany(base, n) {
  let next = 0;
  const ids = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const r = await fetch(`${base}/products`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `Bench ${i}`, price: i, currency: 'EUR' }) });
        if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
        ids.push((await r.json()).id);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, ids };
}

function generate(args, dir) {
  run(process.execPath, [SVC, 'new', ...args, '--dir', dir, '--yes'], ROOT);
  run('go', ['build', '-o', 'bin/svc', `./cmd/${args[0]}`], dir);
  return join(dir, 'bin', 'svc');
}

const work = mkdtempSync(join(tmpdir(), 'svc-bench-events-'));
const stops = [];
try {
  console.log(`events benchmark: ${N} events, ${CONCURRENCY} client workers, ${run('go', ['version'], ROOT).trim()}, nats-server ${run(NATS, ['--version'], ROOT).trim()}`);
  const product = generate(['product', '--events', 'nats', '--cache', 'redis'], join(work, 'product'));
  const direct = generate(['product', '--events', 'nats', '--database', 'memory'], join(work, 'direct'));
  const audit = generate(['audit', '--openapi', join(ROOT, 'fixtures', 'audit', 'audit.yaml'), '--events', 'nats'], join(work, 'audit'));
  run('go', ['build', '-o', '/dev/null', '.'], LOAD);

  const natsPort = await freePort();
  const nats = await start(NATS, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(work, 'nats')], {}, async (o) => /Server is ready/.test(o));
  stops.push(nats.stop);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const redisPort = await freePort();
  const redis = await start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, async (o) => /Ready to accept/.test(o));
  stops.push(redis.stop);

  // 1. The outbox relay.
  const db = join(work, 'product.db');
  const productEnv = (url, extra = {}) => ({ PRODUCT_DATABASE_SQLITE_PATH: db, PRODUCT_EVENTS_DRIVER: 'nats', PRODUCT_EVENTS_URL: url, ...extra });
  const deadBroker = `nats://127.0.0.1:${await freePort()}`;
  let p = await service(product, 'PRODUCT', productEnv(deadBroker));
  const filled = await createMany(p.base, N);
  await p.stop();
  console.log(`creates with the outbox (SQLite, broker unreachable): ${(N / filled.seconds).toFixed(0)}/s`);
  const t0 = performance.now();
  p = await service(product, 'PRODUCT', productEnv(natsUrl, { PRODUCT_OUTBOX_INTERVAL: '10ms', PRODUCT_OUTBOX_BATCH_SIZE: '500' }));
  await waitFor(async () => (await metric(p, 'outbox_relayed_total')) >= N);
  const relay = N / ((performance.now() - t0) / 1000);
  console.log(`outbox relay to NATS JetStream (batches of 500, restart included): ${relay.toFixed(0)} events/s`);
  await p.stop();
  const d = await service(direct, 'PRODUCT', { PRODUCT_EVENTS_DRIVER: 'nats', PRODUCT_EVENTS_URL: natsUrl });
  const straight = await createMany(d.base, N);
  await d.stop();
  console.log(`peer: creates published straight to NATS (memory storage, no outbox): ${(N / straight.seconds).toFixed(0)}/s (create + publish each)`);

  // 2. The consumer pool: the stream holds 2N product.created events (both runs above); the audit consumer starts on them.
  const total = 2 * N;
  for (const workers of [1, 8, 32]) {
    const group = `audit-w${workers}`;
    const t = performance.now();
    const a = await service(audit, 'AUDIT', {
      AUDIT_DATABASE_SQLITE_PATH: join(work, `${group}.db`),
      AUDIT_EVENTS_DRIVER: 'nats',
      AUDIT_EVENTS_URL: natsUrl,
      AUDIT_EVENTS_GROUP: group,
      AUDIT_EVENTS_WORKERS: String(workers),
    });
    await waitFor(async () => (await metric(a, 'events_consumed_total', { outcome: 'ok' })) >= total);
    console.log(`consumer pool, ${String(workers).padStart(2)} workers (SQLite, dedupe mark and handler in one transaction): ${(total / ((performance.now() - t) / 1000)).toFixed(0)} events/s`);
    await a.stop();
  }

  // 3. GET throughput with and without the cache.
  const cases = [
    ['no cache', { PRODUCT_CACHE_MEMORY_ENABLED: 'false' }],
    ['in-process LRU', {}],
    ['Redis only', { PRODUCT_CACHE_MEMORY_ENABLED: 'false', PRODUCT_CACHE_REDIS_ADDR: `127.0.0.1:${redisPort}` }],
    ['LRU in front of Redis', { PRODUCT_CACHE_REDIS_ADDR: `127.0.0.1:${redisPort}` }],
  ];
  p = await service(product, 'PRODUCT', productEnv(natsUrl));
  const id = (await createMany(p.base, 1)).ids[0];
  await p.stop();
  for (const [label, extra] of cases) {
    const s = await service(product, 'PRODUCT', productEnv(natsUrl, extra));
    const out = run('go', ['run', '.', '-url', `${s.base}/products/${id}`, '-workers', String(CONCURRENCY), '-duration', `${SECONDS}s`], LOAD);
    const r = JSON.parse(out.trim().split('\n').pop());
    const hits = await metric(s, 'cache_hits_total');
    console.log(`GET /products/{id}, ${label.padEnd(22)} ${r.ok_per_second.toFixed(0).padStart(6)} req/s  p50 ${r.p50_ms.toFixed(2)} ms  p99 ${r.p99_ms.toFixed(2)} ms  cache hits ${hits}`);
    await s.stop();
  }
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

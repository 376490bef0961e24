#!/usr/bin/env node
// Prints the create and get throughput of the generated starter service on
// SQLite and, when DATABASE_URL names a PostgreSQL server, on PostgreSQL, for
// the record. It generates and builds the service, runs it on loopback, and
// drives it with a closed-loop load generator: CONCURRENCY workers, each
// sending its next request as soon as the last one is answered, for SECONDS
// per phase (POST /products, then GET /products/{id} over the created ids).
// Usage: npm run build && node bench/database.js [seconds] [concurrency]
//        (export DATABASE_URL="$(bash scripts/postgres.sh)" for PostgreSQL)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

const SECONDS = Number(process.argv[2] ?? 5);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const SVC = join(import.meta.dirname, '..', 'bin', 'svc.js');
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

/** Starts the service on a free loopback port and returns its process and base URL. */
async function start(bin, cwd, extra) {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn(bin, [], {
    cwd,
    env: { ...env, PRODUCT_HTTP_ADDR: `127.0.0.1:${port}`, PRODUCT_HTTP_SHUTDOWN_DELAY: '0s', PRODUCT_LOG_LEVEL: 'warn', PRODUCT_LIMITS_RATE: '0', ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}

/** Runs `fn` in CONCURRENCY loops for SECONDS; returns the count, errors and latency percentiles. */
async function load(fn) {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies = [];
  let errors = 0;
  const worker = async (w) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      const ok = await fn(w, i).catch(() => false);
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { count: latencies.length, errors, rps: latencies.length / elapsed, p50: pct(50), p99: pct(99) };
}

async function bench(label, bin, cwd, extra) {
  const { proc, base } = await start(bin, cwd, extra);
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/readyz`).then((r) => r.status === 200).catch(() => false);
      if (ok) break;
      if (i > 150) throw new Error(`${label}: the service did not become ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = [];
    const create = await load(async (w, i) => {
      const r = await fetch(`${base}/products`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Bench ${w}-${i}`, price: 9.5, currency: 'EUR', tags: ['bench'] }),
      });
      const body = await r.json();
      if (r.status === 201) ids.push(body.id);
      return r.status === 201;
    });
    const get = await load(async (w, i) => {
      const r = await fetch(`${base}/products/${ids[(w * 7919 + i) % ids.length]}`);
      await r.arrayBuffer();
      return r.status === 200;
    });
    const line = (op, s) =>
      `${label.padEnd(11)} ${op.padEnd(7)} ${s.rps.toFixed(0).padStart(7)} req/s   p50 ${s.p50.toFixed(2).padStart(6)} ms   p99 ${s.p99.toFixed(2).padStart(6)} ms   ${s.count} requests, ${s.errors} errors`;
    console.log(line('create', create));
    console.log(line('get', get));
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));
  }
}

const work = mkdtempSync(join(tmpdir(), 'svc-bench-db-'));
try {
  const dir = join(work, 'product');
  run(process.execPath, [SVC, 'new', 'product', '--dir', dir, '--yes'], work);
  run('go', ['build', '-o', 'bin/product', './cmd/product'], dir);
  const bin = join(dir, 'bin', 'product');
  console.log(`generated-service benchmark: ${SECONDS}s per phase, ${CONCURRENCY} concurrent clients on loopback, ${spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim()}`);
  await bench('sqlite', bin, dir, {});
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `svc_bench_${randomBytes(4).toString('hex')}`;
    execFileSync('psql', [url, '-qc', `CREATE DATABASE ${name}`]);
    const dsn = new URL(url);
    dsn.pathname = `/${name}`;
    try {
      await bench('postgres', bin, dir, { PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: dsn.toString() });
    } finally {
      execFileSync('psql', [url, '-qc', `DROP DATABASE ${name}`]);
    }
  } else {
    console.log('postgres    skipped: DATABASE_URL is not set (export DATABASE_URL="$(bash scripts/postgres.sh)")');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

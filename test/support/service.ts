import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { GO_ENV } from './go.js';

/** A generated service's binary, started on a free loopback port. */
export interface RunningService {
  proc: ChildProcess;
  /** `http://127.0.0.1:port` once it listens. */
  base: string;
  /** The admin listener (metrics), `http://127.0.0.1:port`, when it has one. */
  admin?: string;
  /** Every JSON log line so far (and stderr lines as `{ stderr }`). */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `bin` in `dir` with extra environment and waits for its "http server
 * listening" log line; rejects when the process exits first or after 30s.
 */
export function startService(bin: string, dir: string, env: Record<string, string>, args: string[] = []): Promise<RunningService> {
  // The admin listener (metrics) too gets a free port, so that services
  // started at once do not compete for its default one. The tests are one
  // client on one address: the per-client rate limit (on by default, tested
  // in the services' own tests) is off unless a test sets it. So is CPU load
  // shedding (tested there too): on a shared 2-core CI machine the tests'
  // own load would make it answer 503, which is not what they check.
  const adminEnv: Record<string, string> = {};
  for (const key of ['PRODUCT_HTTP_ADDR', ...Object.keys(env)]) {
    const prefix = /^(.+)_HTTP_ADDR$/.exec(key)?.[1];
    if (prefix) {
      adminEnv[`${prefix}_ADMIN_ADDR`] = '127.0.0.1:0';
      adminEnv[`${prefix}_LIMITS_RATE`] = '0';
      adminEnv[`${prefix}_HTTP_SHEDDING`] = 'false';
    }
  }
  const admin: { url?: string } = {};
  const proc = spawn(bin, args, {
    cwd: dir,
    env: { ...GO_ENV, PRODUCT_HTTP_ADDR: '127.0.0.1:0', PRODUCT_HTTP_SHUTDOWN_DELAY: '0s', ...adminEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  createInterface({ input: proc.stderr! }).on('line', (l) => logs.push({ stderr: l }));
  const lines = createInterface({ input: proc.stdout! });
  return new Promise<RunningService>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" log line; logs: ${JSON.stringify(logs)}`)), 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; logs: ${JSON.stringify(logs)}`));
    });
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { raw: line };
      }
      logs.push(entry);
      if (entry.msg === 'admin server listening') admin.url = `http://${String(entry.addr)}`;
      if (entry.msg === 'http server listening') {
        clearTimeout(timer);
        const stop = () => {
          if (proc.exitCode === null) proc.kill('SIGTERM');
          return exited;
        };
        resolve({ proc, base: `http://${String(entry.addr)}`, admin: admin.url, logs, exited, stop });
      }
    });
  });
}

export interface Reply {
  status: number;
  json?: Record<string, unknown>;
  text: string;
}

/** One HTTP call with an optional JSON body. */
export async function call(base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const resp = await fetch(base + path, init);
  const text = await resp.text();
  const json = /json/.test(resp.headers.get('content-type') ?? '') && text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  return json ? { status: resp.status, json, text } : { status: resp.status, text };
}

/** Polls `probe` every 200ms until it returns true or `ms` pass. */
export async function eventually(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * A fresh database on the PostgreSQL server that DATABASE_URL names, owned by
 * a fresh user with a password of its own (created with psql), and its URL;
 * undefined when DATABASE_URL is not set.
 */
export function freshPostgresDatabase(prefix: string): string | undefined {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = `pw_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [base, '-qc', `CREATE ROLE ${name} LOGIN PASSWORD '${password}'`], { stdio: 'pipe' });
  execFileSync('psql', [base, '-qc', `CREATE DATABASE ${name} OWNER ${name}`], { stdio: 'pipe' });
  const url = new URL(base);
  url.username = name;
  url.password = password;
  url.pathname = `/${name}`;
  return url.toString();
}

/** A TCP port free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

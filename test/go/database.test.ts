import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genApi } from '../../src/pipeline/gen.js';
import { GO_ENV, buildStarter, go } from '../support/go.js';
import { call, eventually, freePort, freshPostgresDatabase, startService } from '../support/service.js';

/**
 * The data layer end to end: the starter service built and run on SQLite
 * (always) and on PostgreSQL (when DATABASE_URL names a server, as
 * scripts/postgres.sh provides in CI), storing products across restarts, and
 * its behaviour when the database is down, a migration fails or the DSN is
 * invalid.
 */

let dir = '';
const bin = () => join(dir, 'bin', 'product');

beforeAll(async () => {
  dir = await buildStarter();
}, 600_000);

/** Runs the binary to completion. */
function runOnce(args: string[], env: Record<string, string>, cwd = dir) {
  const r = spawnSync(bin(), args, { cwd, env: { ...GO_ENV, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Create, list, update and delete over HTTP; restart; the data is still there. */
async function crudAcrossRestart(env: Record<string, string>): Promise<void> {
  let svc = await startService(bin(), dir, env);
  expect((await call(svc.base, 'GET', '/readyz')).json).toEqual({ status: 'ok', checks: { database: 'ok', events: 'ok' } });
  const ids: string[] = [];
  for (const name of ['Cup', 'Saucer', 'Spoon']) {
    const created = await call(svc.base, 'POST', '/products', { name, price: 3.5, currency: 'EUR', tags: ['kitchen'] });
    expect(created.status, created.text).toBe(201);
    ids.push(String(created.json!.id));
  }
  const first = await call(svc.base, 'GET', '/products?page_size=2');
  expect(first.status).toBe(200);
  expect(first.json!.items).toHaveLength(2);
  const second = await call(svc.base, 'GET', `/products?page_size=2&page_token=${String(first.json!.next_page_token)}`);
  expect([...(first.json!.items as { id: string }[]), ...(second.json!.items as { id: string }[])].map((p) => p.id).sort()).toEqual([...ids].sort());
  expect(second.json!.next_page_token).toBeUndefined();

  const updated = await call(svc.base, 'PATCH', `/products/${ids[0]}`, { price: 4.25, tags: ['kitchen', 'sale'] });
  expect(updated.status, updated.text).toBe(200);
  expect((await call(svc.base, 'DELETE', `/products/${ids[1]}`)).status).toBe(204);
  expect((await call(svc.base, 'GET', `/products/${ids[1]}`)).status).toBe(404);
  expect(await svc.stop()).toBe(0);

  svc = await startService(bin(), dir, env);
  try {
    const kept = await call(svc.base, 'GET', `/products/${ids[0]}`);
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ id: ids[0], name: 'Cup', price: 4.25, tags: ['kitchen', 'sale'] });
    expect(kept.json!.updated_at).toBe(updated.json!.updated_at);
    expect((await call(svc.base, 'GET', `/products/${ids[1]}`)).status).toBe(404);
    const all = await call(svc.base, 'GET', '/products');
    expect((all.json!.items as { id: string }[]).map((p) => p.id).sort()).toEqual([ids[0], ids[2]].sort());
  } finally {
    expect(await svc.stop()).toBe(0);
  }
}

describe('the starter service on SQLite', () => {
  it('stores products across a restart, in ./data by default', { timeout: 60_000 }, async () => {
    await crudAcrossRestart({});
    const status = runOnce(['migrate', 'status'], {});
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^00001_create_products\.sql\s+\d{4}-\d\d-\d\d /m);
  });

  it('migrate down and up revert and re-apply the schema', () => {
    const env = { PRODUCT_DATABASE_SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'svc-migrate-')), 'm.db') };
    expect(runOnce(['migrate', 'up'], env).stdout).toMatch(/^applied {2}00001_create_products\.sql/m);
    expect(runOnce(['migrate'], env).stdout).toMatch(/up to date/);
    expect(runOnce(['migrate', 'down'], env).stdout).toMatch(/^reverted 00001_create_products\.sql/m);
    expect(runOnce(['migrate', 'status'], env).stdout).toMatch(/^00001_create_products\.sql\s+pending$/m);
    const bad = runOnce(['migrate', 'sideways'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown action "sideways"/);
  });

  it('exits non-zero with a clear error when a migration fails, leaving nothing half-applied', { timeout: 300_000 }, async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'svc-broken-')), 'product');
    cpSync(dir, broken, { recursive: true });
    // Creates a table, then fails: the table must not survive.
    for (const dialect of ['sqlite', 'postgres']) {
      writeFileSync(join(broken, 'migrations', dialect, '00002_broken.sql'), '-- +goose Up\nCREATE TABLE half (id TEXT);\nINSERT INTO no_such_table VALUES (1);\n\n-- +goose Down\nDROP TABLE half;\n');
    }
    await go(broken, 'build', '-o', 'bin/product', './cmd/product');
    const env = { PRODUCT_DATABASE_SQLITE_PATH: join(broken, 'data', 'broken.db') };
    const run = () => spawnSync(join(broken, 'bin', 'product'), [], { cwd: broken, env: { ...GO_ENV, ...env, PRODUCT_HTTP_ADDR: '127.0.0.1:0', PRODUCT_ADMIN_ADDR: '127.0.0.1:0' }, encoding: 'utf8', timeout: 60_000 });
    const first = run();
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/^database: migration 00002_broken\.sql failed and was rolled back: .*no such table: no_such_table/m);
    // Had CREATE TABLE half stayed, the second attempt would fail on it instead.
    const second = run();
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/no such table: no_such_table/);
    const status = spawnSync(join(broken, 'bin', 'product'), ['migrate', 'status'], { cwd: broken, env: { ...GO_ENV, ...env }, encoding: 'utf8' });
    expect(status.stdout).toMatch(/^00001_create_products\.sql\s+\d{4}/m);
    expect(status.stdout).toMatch(/^00002_broken\.sql\s+pending$/m);

    // The same on PostgreSQL, whose DDL is transactional too.
    const dsn = freshPostgresDatabase('svc_broken');
    if (dsn) {
      const pgEnv = { PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: dsn };
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = spawnSync(join(broken, 'bin', 'product'), ['migrate', 'up'], { cwd: broken, env: { ...GO_ENV, ...pgEnv }, encoding: 'utf8' });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/migration 00002_broken\.sql failed and was rolled back: .*relation "no_such_table" does not exist/);
      }
      expect(spawnSync(join(broken, 'bin', 'product'), ['migrate', 'status'], { cwd: broken, env: { ...GO_ENV, ...pgEnv }, encoding: 'utf8' }).stdout).toMatch(/^00002_broken\.sql\s+pending$/m);
    }
  });

  it('upgrades an existing database when a field is added to the contract (svc gen api → new migration)', { timeout: 300_000 }, async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'svc-evolve-')), 'product');
    cpSync(dir, copy, { recursive: true });
    const env = { PRODUCT_DATABASE_SQLITE_PATH: join(copy, 'data', 'evolve.db') };
    const before = await startService(join(copy, 'bin', 'product'), copy, env);
    const id = String((await call(before.base, 'POST', '/products', { name: 'Old', price: 1, currency: 'EUR' })).json!.id);
    expect(await before.stop()).toBe(0);

    const contract = join(copy, 'productproto', 'openapi', 'product.yaml');
    writeFileSync(contract, readFileSync(contract, 'utf8').replace(/(\n    Product:\n[\s\S]*?\n      properties:\n)/, '$1        sku:\n          type: string\n          maxLength: 40\n'));
    const result = await genApi({ dir: copy, fs: new DiskFileSystem(copy) });
    expect(result.written).toEqual(expect.arrayContaining(['migrations/sqlite/00002_add_sku_to_products.sql', 'migrations/postgres/00002_add_sku_to_products.sql']));
    await go(copy, 'build', '-o', 'bin/product', './cmd/product');
    // The generated repository tests cover the new column on every database.
    await go(copy, 'test', '-count=1', './internal/repository/', './internal/database/');

    const up = spawnSync(join(copy, 'bin', 'product'), ['migrate', 'up'], { cwd: copy, env: { ...GO_ENV, ...env }, encoding: 'utf8' });
    expect(up.stdout).toMatch(/^applied {2}00002_add_sku_to_products\.sql/m);
    const after = await startService(join(copy, 'bin', 'product'), copy, env);
    try {
      const old = await call(after.base, 'GET', `/products/${id}`);
      expect(old.status).toBe(200);
      expect(old.json).toMatchObject({ id, name: 'Old' });
      expect(old.json!.sku).toBeUndefined();
    } finally {
      expect(await after.stop()).toBe(0);
    }
  });

  it('refuses an invalid DSN with a clear error that does not echo the password', () => {
    const r = runOnce([], { PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: 'postgres://app:s3cretpw@127.0.0.1:notaport/app' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid PostgreSQL DSN in PRODUCT_DATABASE_DSN/);
    expect(r.stderr + r.stdout).not.toContain('s3cretpw');
    const missing = runOnce([], { PRODUCT_DATABASE_DRIVER: 'postgres' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/database\.driver is postgres but no DSN is set: set PRODUCT_DATABASE_DSN or PRODUCT_DATABASE_DSN_FILE/);
  });
});

const pgUrl = process.env.DATABASE_URL;
if (!pgUrl) console.warn('PostgreSQL end-to-end tests skipped: DATABASE_URL is not set (export DATABASE_URL="$(bash scripts/postgres.sh)" starts a server)');
describe.skipIf(!pgUrl)(pgUrl ? 'the starter service on PostgreSQL' : 'the starter service on PostgreSQL: skipped, DATABASE_URL is not set (scripts/postgres.sh starts a server)', () => {
  it('stores products across a restart', { timeout: 60_000 }, async () => {
    const dsn = freshPostgresDatabase('svc_e2e')!;
    await crudAcrossRestart({ PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: dsn });
  });

  it('serves with readiness failing while the database is down, logs why, retries, and recovers', { timeout: 60_000 }, async () => {
    const target = new URL(freshPostgresDatabase('svc_down')!);
    // A port nothing listens on yet; later a proxy to the real server opens it.
    const port = await freePort();
    const dsn = new URL(target);
    dsn.host = `127.0.0.1:${port}`;
    const svc = await startService(bin(), dir, { PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: dsn.toString(), PRODUCT_DATABASE_CONNECT_TIMEOUT: '1s' });
    let proxy: Server | undefined;
    try {
      expect((await call(svc.base, 'GET', '/healthz')).status).toBe(200);
      const ready = await call(svc.base, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({ status: 'unavailable', checks: { database: 'failing', events: 'ok' } });
      expect((await call(svc.base, 'GET', '/products')).status).toBe(503);
      expect(svc.logs.find((l) => String(l.msg).startsWith('database unreachable at start-up'))).toMatchObject({ level: 'warn', driver: 'postgres' });
      expect(await eventually(async () => svc.logs.some((l) => l.msg === 'database unreachable; retrying'), 5_000)).toBe(true);

      proxy = await tcpProxy(port, Number(target.port || 5432), target.hostname);
      expect(await eventually(async () => (await call(svc.base, 'GET', '/readyz')).status === 200, 20_000)).toBe(true);
      expect(await eventually(async () => svc.logs.some((l) => l.msg === 'migration applied'), 5_000)).toBe(true);
      expect(svc.logs.find((l) => l.msg === 'migration applied')).toMatchObject({ migration: '00001_create_products.sql' });
      const created = await call(svc.base, 'POST', '/products', { name: 'Late', price: 1, currency: 'EUR' });
      expect(created.status, created.text).toBe(201);
      expect(JSON.stringify(svc.logs)).not.toContain(decodeURIComponent(target.password));
    } finally {
      expect(await svc.stop()).toBe(0);
      proxy?.close();
    }
  });
});

/** Forwards connections on 127.0.0.1:port to host:targetPort. */
function tcpProxy(port: number, targetPort: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((client) => {
      const upstream = connect(targetPort, host);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureNewOptions, fixtureOptions } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import type { Database } from '../../src/project/settings.js';
import { go } from '../support/go.js';
import { call, freshPostgresDatabase, startService, type RunningService } from '../support/service.js';

/**
 * Resources as real APIs have them, stored end to end over HTTP: the
 * petstore-expanded example (integer ids the database assigns, a bare array
 * list sized by `limit`, no update) and fixtures/registry (ids the client
 * chooses, a list-only collection paged by a cursor on integer ids, 32-bit
 * ids without update, integer ids the client chooses without list or delete). Each runs on SQLite and on the memory store, and on
 * PostgreSQL when DATABASE_URL names a server (scripts/postgres.sh).
 */

/** Generates a fixture with the given store into a fresh folder and builds its binary; returns the binary's path. */
async function build(caseName: string, database: Database): Promise<{ dir: string; bin: string }> {
  const name = fixtureOptions(caseName).name;
  const dir = join(mkdtempSync(join(tmpdir(), `svc-${caseName}-${database}-`)), name);
  await newService({ ...fixtureNewOptions(caseName, new DiskFileSystem(dir), dir), database });
  await go(dir, 'mod', 'tidy');
  await go(dir, 'build', '-o', `bin/${name}`, `./cmd/${name}`);
  return { dir, bin: join(dir, 'bin', name) };
}

/** Starts a built service on a free port with the store the environment selects. */
function start(built: { dir: string; bin: string }, prefix: string, env: Record<string, string>): Promise<RunningService> {
  return startService(built.bin, built.dir, { [`${prefix}_HTTP_ADDR`]: '127.0.0.1:0', [`${prefix}_HTTP_SHUTDOWN_DELAY`]: '0s', ...env });
}

/** The stores a SQL service runs on here: SQLite always, PostgreSQL when there is a server. */
function sqlStores(prefix: string, db: string): [string, Record<string, string>][] {
  const stores: [string, Record<string, string>][] = [['sqlite', { [`${prefix}_DATABASE_SQLITE_PATH`]: join(mkdtempSync(join(tmpdir(), 'svc-db-')), `${db}.db`) }]];
  const dsn = freshPostgresDatabase(`svc_${db}`);
  if (dsn) stores.push(['postgres', { [`${prefix}_DATABASE_DRIVER`]: 'postgres', [`${prefix}_DATABASE_DSN`]: dsn }]);
  return stores;
}

type Pet = { id: number; name: string; tag?: string };

async function petstoreRoundTrip(svc: RunningService): Promise<void> {
  const ids: number[] = [];
  for (const [name, tag] of [['Rex', 'dog'], ['Tom', 'cat'], ['Nemo', 'fish']]) {
    const created = await call(svc.base, 'POST', '/pets', { name, tag });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({ name, tag });
    ids.push(created.json!.id as number);
  }
  // The database numbers them in order.
  expect(ids.every((id, i) => Number.isInteger(id) && id > 0 && (i === 0 || id > ids[i - 1]!))).toBe(true);

  const got = await call(svc.base, 'GET', `/pets/${ids[1]}`);
  expect(got.status, got.text).toBe(200);
  expect(got.json).toEqual({ id: ids[1], name: 'Tom', tag: 'cat' });
  expect((await call(svc.base, 'GET', '/pets/99999')).status).toBe(404);
  expect((await call(svc.base, 'GET', '/pets/abc')).status).toBe(400);

  const all = await call(svc.base, 'GET', '/pets');
  expect(all.status, all.text).toBe(200);
  expect((all.json as unknown as Pet[]).map((p) => p.id)).toEqual(ids);
  const limited = await call(svc.base, 'GET', '/pets?limit=2');
  expect((limited.json as unknown as Pet[]).map((p) => p.name)).toEqual(['Rex', 'Tom']);

  // Deleting the newest pet does not free its number for the next one.
  expect((await call(svc.base, 'DELETE', `/pets/${ids[2]}`)).status).toBe(204);
  expect((await call(svc.base, 'GET', `/pets/${ids[2]}`)).status).toBe(404);
  expect((await call(svc.base, 'DELETE', `/pets/${ids[2]}`)).status).toBe(404);
  const next = await call(svc.base, 'POST', '/pets', { name: 'Dory' });
  expect(next.json!.id as number).toBeGreaterThan(ids[2]!);
  const after = await call(svc.base, 'GET', '/pets');
  expect((after.json as unknown as Pet[]).map((p) => p.name)).toEqual(['Rex', 'Tom', 'Dory']);
}

async function registryRoundTrip(svc: RunningService): Promise<void> {
  // Countries: the client chooses the code; a second FR is a conflict.
  for (const [code, name] of [['FR', 'France'], ['DE', 'Germany'], ['IT', 'Italy']]) {
    const created = await call(svc.base, 'POST', '/countries', { code, name });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ code, name });
  }
  const duplicate = await call(svc.base, 'POST', '/countries', { code: 'FR', name: 'France again' });
  expect(duplicate.status, duplicate.text).toBe(409);
  expect(duplicate.json).toMatchObject({ status: 409, detail: 'country "FR" already exists' });
  expect((await call(svc.base, 'GET', '/countries/FR')).json).toMatchObject({ code: 'FR', name: 'France' });
  const patched = await call(svc.base, 'PATCH', '/countries/FR', { population: 68000000 });
  expect(patched.status, patched.text).toBe(200);
  expect((await call(svc.base, 'GET', '/countries/FR')).json).toMatchObject({ code: 'FR', name: 'France', population: 68000000 });
  const codes: string[] = [];
  let token = '';
  for (let pages = 0; pages < 5; pages++) {
    const page = await call(svc.base, 'GET', `/countries?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
    expect(page.status, page.text).toBe(200);
    codes.push(...(page.json!.items as { code: string }[]).map((c) => c.code));
    token = (page.json!.next_page_token as string | undefined) ?? '';
    if (!token) break;
  }
  expect(codes).toEqual(['DE', 'FR', 'IT']);
  expect((await call(svc.base, 'DELETE', '/countries/DE')).status).toBe(204);
  expect((await call(svc.base, 'GET', '/countries/DE')).status).toBe(404);

  // Notes: created and listed only, numbered by the database, paged by a cursor on the number.
  const notes: number[] = [];
  for (const text of ['one', 'two', 'three']) {
    const created = await call(svc.base, 'POST', '/notes', { text });
    expect(created.status, created.text).toBe(201);
    notes.push(created.json!.id as number);
  }
  const first = await call(svc.base, 'GET', '/notes?page_size=2');
  expect((first.json!.items as { id: number }[]).map((n) => n.id)).toEqual(notes.slice(0, 2));
  const second = await call(svc.base, 'GET', `/notes?page_size=2&page_token=${encodeURIComponent(first.json!.next_page_token as string)}`);
  expect(second.json!.items).toMatchObject([{ id: notes[2], text: 'three' }]);
  expect(second.json!.next_page_token).toBeUndefined();
  expect((await call(svc.base, 'GET', '/notes?page_token=bogus')).status).toBe(400);

  // Tickets: 32-bit numbers, a bare array list, no update.
  const opened = await call(svc.base, 'POST', '/tickets', { title: 'Broken link', labels: ['web'] });
  expect(opened.status, opened.text).toBe(201);
  const number = opened.json!.number as number;
  expect((await call(svc.base, 'GET', `/tickets/${number}`)).json).toEqual({ number, title: 'Broken link', labels: ['web'] });
  expect((await call(svc.base, 'POST', '/tickets', { title: 'Typo' })).status).toBe(201);
  expect(((await call(svc.base, 'GET', '/tickets?limit=1')).json as unknown as unknown[]).length).toBe(1);
  expect((await call(svc.base, 'DELETE', `/tickets/${number}`)).status).toBe(204);
  expect((await call(svc.base, 'GET', '/tickets')).json).toMatchObject([{ title: 'Typo' }]);

  // Seats: integer numbers the client chooses, replaced with PUT.
  expect((await call(svc.base, 'POST', '/seats', { number: 12, row: 'C', window: true })).status).toBe(201);
  const taken = await call(svc.base, 'POST', '/seats', { number: 12, row: 'D' });
  expect(taken.status, taken.text).toBe(409);
  expect(taken.json).toMatchObject({ detail: 'seat 12 already exists' });
  const replaced = await call(svc.base, 'PUT', '/seats/12', { row: 'D' });
  expect(replaced.status, replaced.text).toBe(200);
  expect((await call(svc.base, 'GET', '/seats/12')).json).toEqual({ number: 12, row: 'D' });
  expect((await call(svc.base, 'PUT', '/seats/13', { row: 'E' })).status).toBe(404);
}

describe.each([
  { caseName: 'petstore', prefix: 'PETSTORE', roundTrip: petstoreRoundTrip },
  { caseName: 'registry', prefix: 'REGISTRY', roundTrip: registryRoundTrip },
])('fixture $caseName stores its resources over HTTP', ({ caseName, prefix, roundTrip }) => {
  let sql: { dir: string; bin: string };
  let memory: { dir: string; bin: string };
  beforeAll(async () => {
    sql = await build(caseName, 'sql');
    memory = await build(caseName, 'memory');
  }, 600_000);

  it('on the memory store', { timeout: 60_000 }, async () => {
    const svc = await start(memory, prefix, {});
    try {
      await roundTrip(svc);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  });

  it('on SQL (SQLite, and PostgreSQL when DATABASE_URL is set), keeping the data across a restart', { timeout: 120_000 }, async () => {
    for (const [store, env] of sqlStores(prefix, caseName)) {
      let svc = await start(sql, prefix, env);
      try {
        await roundTrip(svc);
      } finally {
        expect(await svc.stop(), store).toBe(0);
      }
      svc = await start(sql, prefix, env);
      try {
        const path = caseName === 'petstore' ? '/pets' : '/countries';
        const kept = await call(svc.base, 'GET', path);
        expect(kept.status, `${store}: ${kept.text}`).toBe(200);
        expect(JSON.stringify(kept.json), store).toMatch(caseName === 'petstore' ? /"Dory"/ : /"FR"/);
      } finally {
        expect(await svc.stop(), store).toBe(0);
      }
    }
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { genApi } from '../../src/pipeline/gen.js';
import { newService } from '../../src/pipeline/new.js';
import { parseState, planMigrations, serializeState, SCHEMA_STATE_PATH } from '../../src/render/sql/migrations.js';
import { RUNTIME_TABLES, type Table } from '../../src/render/sql/schema.js';

const CONTRACT = 'productproto/openapi/product.yaml';

async function starter(database: 'sql' | 'memory' = 'sql'): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await newService({ name: 'product', module: 'example.com/product', dir: '/virtual/product', fs, transports: ['http'], database });
  return fs;
}

/** Adds a property to the Product schema (and to its create input). */
async function addField(fs: MemoryFileSystem, name: string, schema: string, required = false): Promise<void> {
  let text = (await fs.read(CONTRACT))!;
  text = text.replace(/(\n    Product:\n[\s\S]*?\n      properties:\n)/, `$1        ${name}: ${schema}\n`);
  if (required) text = text.replace('required: [id, name, price, currency, status, created_at, updated_at]', `required: [id, name, price, currency, status, created_at, updated_at, ${name}]`);
  await fs.write(CONTRACT, text);
}

const regen = (fs: MemoryFileSystem) => genApi({ dir: '/virtual/product', fs });

describe('SQL migrations', () => {
  it('creates the table of each resource for both dialects, and records the schema', async () => {
    const fs = await starter();
    expect(await fs.list('migrations/sqlite')).toEqual(['00001_create_products.sql']);
    expect(await fs.list('migrations/postgres')).toEqual(['00001_create_products.sql']);
    const pg = (await fs.read('migrations/postgres/00001_create_products.sql'))!;
    expect(pg).toContain('-- +goose Up\nCREATE TABLE products (\n    id TEXT COLLATE "C" NOT NULL PRIMARY KEY,');
    expect(pg).toContain('    price DOUBLE PRECISION NOT NULL,\n');
    expect(pg).toContain('    tags JSONB,\n');
    expect(pg).toContain('    created_at TIMESTAMPTZ NOT NULL,\n');
    expect(pg).toContain('\nDROP TABLE products;\n');
    const lite = (await fs.read('migrations/sqlite/00001_create_products.sql'))!;
    expect(lite).toContain('    id TEXT NOT NULL PRIMARY KEY,\n');
    expect(lite).toContain('    created_at TIMESTAMP NOT NULL,\n');
    expect(lite.split('\n')[0]).not.toMatch(/Code generated/);
    expect(parseState((await fs.read(SCHEMA_STATE_PATH))!).tables.map((t) => t.name)).toEqual(['products', 'svc_outbox', 'svc_processed_events']);
  });

  it('writes nothing for a memory service', async () => {
    const fs = await starter('memory');
    expect(await fs.list('migrations')).toEqual([]);
    expect(await fs.read(SCHEMA_STATE_PATH)).toBeUndefined();
    expect(await fs.read('internal/database/database.go')).toBeUndefined();
  });

  it('turns a new field into a new ALTER TABLE migration and never rewrites the old one', async () => {
    const fs = await starter();
    const first = (await fs.read('migrations/sqlite/00001_create_products.sql'))!;
    await fs.write('migrations/sqlite/00001_create_products.sql', `${first}-- my note\n`);
    await addField(fs, 'sku', '{type: string, maxLength: 40}');
    await addField(fs, 'stock', '{type: integer, format: int32, default: 0}', true);
    const result = await regen(fs);
    const actions = Object.fromEntries(result.plan.changes.map((c) => [c.artifact.path, c.action]));
    expect(actions['migrations/sqlite/00002_add_stock_and_sku_to_products.sql']).toBe('create');
    expect(actions['migrations/postgres/00002_add_stock_and_sku_to_products.sql']).toBe('create');
    expect(actions['migrations/sqlite/00001_create_products.sql']).toBeUndefined();
    expect(actions[SCHEMA_STATE_PATH]).toBe('overwrite');
    expect(await fs.read('migrations/sqlite/00001_create_products.sql')).toBe(`${first}-- my note\n`);
    const pg = (await fs.read('migrations/postgres/00002_add_stock_and_sku_to_products.sql'))!;
    expect(pg).toContain('-- +goose Up\nALTER TABLE products ADD COLUMN stock INTEGER NOT NULL DEFAULT 0;\n\nALTER TABLE products ADD COLUMN sku TEXT;\n');
    expect(pg).toContain('-- +goose Down\nALTER TABLE products DROP COLUMN sku;\nALTER TABLE products DROP COLUMN stock;\n');
    expect(await fs.read('internal/repository/product_sql.gen.go')).toContain('"id, stock, sku, name, description, price, currency, status, tags, created_at, updated_at"');

    // Unchanged contract: no new migration, nothing written.
    const again = await regen(fs);
    expect(again.written).toEqual([]);
    expect(await fs.list('migrations/sqlite')).toHaveLength(2);
  });

  it('takes the next free number after migrations of the user, and reports what it does not migrate', async () => {
    const fs = await starter();
    await fs.write('migrations/sqlite/00007_my_index.sql', '-- +goose Up\nSELECT 1;\n');
    let text = (await fs.read(CONTRACT))!;
    text = text.replace(/(\n    Product:\n[\s\S]*?\n        description:\n)          type: string/, '$1          type: integer');
    text = text.replace(/(\n    Product:\n[\s\S]*?)\n        tags:\n          type: array\n          maxItems: 20\n          items:\n            type: string\n            minLength: 1\n            maxLength: 50\n          description: Free-form labels./, '$1');
    await addField(fs, 'sku', '{type: string}');
    await fs.write(CONTRACT, text.replace(/(\n    Product:\n[\s\S]*?\n      properties:\n)/, '$1        sku: {type: string}\n'));
    const result = await regen(fs);
    expect(await fs.read('migrations/postgres/00008_add_sku_to_products.sql')).toBeDefined();
    expect(result.model.warnings).toEqual([
      expect.stringMatching(/^products\.description: the contract now makes it bigint, the database has text; svc does not convert columns/),
      expect.stringMatching(/^products\.tags: no field stores it any more; svc keeps the column/),
    ]);
  });

  it('widens a column whose type keeps every value (integer to number) by itself, for both dialects', async () => {
    const fs = await starter();
    await addField(fs, 'stock', '{type: integer, format: int32}');
    await regen(fs);
    let text = (await fs.read(CONTRACT))!;
    text = text.replace('stock: {type: integer, format: int32}', 'stock: {type: number, format: double}');
    await fs.write(CONTRACT, text);
    const result = await regen(fs);
    expect(result.model.warnings.filter((w) => w.includes('stock'))).toEqual([]);
    const pg = (await fs.read('migrations/postgres/00003_widen_stock_in_products.sql'))!;
    expect(pg).toContain('-- +goose Up\nALTER TABLE products ALTER COLUMN stock TYPE DOUBLE PRECISION;');
    expect(pg).toContain('-- +goose Down\nALTER TABLE products ALTER COLUMN stock TYPE INTEGER;');
    const lite = (await fs.read('migrations/sqlite/00003_widen_stock_in_products.sql'))!;
    expect(lite).toContain('-- +goose Up\n-- SQLite keeps the values as they are: nothing to change.');
    expect(await fs.read(SCHEMA_STATE_PATH)).toMatch(/- stock double\b/);
    // Recorded: the next run neither migrates nor warns again.
    const again = await regen(fs);
    expect(again.model.warnings.filter((w) => w.includes('stock'))).toEqual([]);
    expect(await fs.list('migrations/postgres')).toHaveLength(3);
  });

  it('switches a memory service to SQL, naming the modules its go.mod lacks', async () => {
    const fs = await starter('memory');
    await fs.write('svc.yaml', (await fs.read('svc.yaml'))!.replace('database: memory', 'database: sql'));
    await fs.write('go.mod', (await fs.read('go.mod'))!.replace(/\t(modernc\.org\/sqlite|github\.com\/jackc\/pgx\/v5) .*\n/g, ''));
    const result = await regen(fs);
    expect(await fs.list('migrations/sqlite')).toEqual(['00001_create_products.sql']);
    expect(await fs.read('cmd/product/wire.go')).toContain('repository.NewSQLProductRepository(db)');
    expect(result.model.warnings).toEqual([
      'go.mod lacks the database drivers and migration library; add the versions svc is tested with: go get github.com/jackc/pgx/v5@v5.7.4 modernc.org/sqlite@v1.36.1',
    ]);
  });

  it('refuses to guess when migrations exist without the schema record', async () => {
    expect(() => parseState('')).toThrow(/expected a "tables" mapping/);
    const fresh = new MemoryFileSystem();
    for (const [path, content] of (await starter()).files) if (path !== SCHEMA_STATE_PATH) await fresh.write(path, content);
    const result = await genApi({ dir: '/virtual/product', fs: fresh });
    expect(result.model.warnings).toEqual([expect.stringMatching(/^\.svc\/schema\.yaml is missing but migrations exist/)]);
    expect(await fresh.list('migrations/sqlite')).toEqual(['00001_create_products.sql']);
  });

  it('makes a database-assigned identifier a sequence (SERIAL, BIGSERIAL) or an SQLite rowid that is never reused', async () => {
    const fs = new MemoryFileSystem();
    const contract = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      operationId: addPet
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/NewPet'}}}}
      responses: {'201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: integer, format: int64}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
  /tags/{n}:
    get:
      operationId: getTag
      parameters: [{name: n, in: path, required: true, schema: {type: integer, format: int32}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Tag'}}}}}
components:
  schemas:
    NewPet: {type: object, required: [name], properties: {name: {type: string}}}
    Pet: {type: object, required: [id, name], properties: {id: {type: integer, format: int64}, name: {type: string}}}
    Tag: {type: object, required: [n], properties: {n: {type: integer, format: int32}}}
`;
    const file = join(mkdtempSync(join(tmpdir(), 'svc-pets-')), 'pets.yaml');
    writeFileSync(file, contract);
    await newService({ name: 'pets', module: 'example.com/pets', dir: '/virtual/pets', fs, transports: ['http'], database: 'sql', openapi: file });
    const pg = (await fs.read('migrations/postgres/00001_create_pets_and_tags.sql'))!;
    expect(pg).toContain('CREATE TABLE pets (\n    id BIGSERIAL NOT NULL PRIMARY KEY,\n    name TEXT NOT NULL\n);');
    expect(pg).toContain('CREATE TABLE tags (\n    n SERIAL NOT NULL PRIMARY KEY\n);');
    const lite = (await fs.read('migrations/sqlite/00001_create_pets_and_tags.sql'))!;
    expect(lite).toContain('    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n');
    expect(lite).toContain('    n INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT\n');
    const state = (await fs.read(SCHEMA_STATE_PATH))!;
    expect(state).toContain('- id bigserial not null primary key');
    expect(serializeState(parseState(state))).toBe(state);
  });

  it('round-trips the schema record and quotes reserved words', () => {
    const tables: Table[] = [
      {
        name: 'order',
        resource: 'Order',
        columns: [
          { name: 'id', type: 'text', notNull: true, primaryKey: true },
          { name: 'group', type: 'bigint', notNull: false, primaryKey: false },
        ],
      },
    ];
    const plan = planMigrations('shop', tables, undefined, { sqlite: [], postgres: [] });
    const state = plan.artifacts.find((a) => a.path === SCHEMA_STATE_PATH)!.content;
    expect(state.split('\n')[0]).toBe('# Code generated by svc. DO NOT EDIT.');
    expect(serializeState(parseState(state))).toBe(state);
    const sql = plan.artifacts.find((a) => a.path === 'migrations/postgres/00001_create_order.sql')!.content;
    expect(sql).toContain('CREATE TABLE "order" (\n    id TEXT COLLATE "C" NOT NULL PRIMARY KEY,\n    "group" BIGINT\n);');
  });
  it("creates the runtime's tables (outbox, processed events) and their indexes with the resources', and records them", async () => {
    const fs = await starter();
    for (const dialect of ['sqlite', 'postgres']) {
      const sql = (await fs.read(`migrations/${dialect}/00001_create_products.sql`))!;
      expect(sql.split('\n')[0]).toContain('creates the svc_outbox table (the outbox of events to publish); creates the svc_processed_events table');
      expect(sql).toContain('CREATE TABLE svc_outbox (\n');
      expect(sql).toContain('CREATE TABLE svc_processed_events (\n');
      expect(sql).toContain('CREATE INDEX svc_outbox_pending ON svc_outbox (available_at) WHERE published_at IS NULL;');
      expect(sql).toContain('-- +goose Down\nDROP INDEX svc_processed_events_at;\nDROP INDEX svc_outbox_published;\nDROP INDEX svc_outbox_pending;\nDROP TABLE svc_processed_events;\nDROP TABLE svc_outbox;\nDROP TABLE products;\n');
    }
    expect(await fs.read('migrations/postgres/00001_create_products.sql')).toContain('    seq BIGSERIAL NOT NULL PRIMARY KEY,\n');
    expect(await fs.read('migrations/sqlite/00001_create_products.sql')).toContain('    seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n');
    const stateText = (await fs.read(SCHEMA_STATE_PATH))!;
    expect(stateText).toContain('indexes:\n  svc_outbox_pending: svc_outbox (available_at) WHERE published_at IS NULL\n');
    const state = parseState(stateText);
    expect(state.tables.map((t) => t.name)).toEqual(['products', 'svc_outbox', 'svc_processed_events']);
    expect(state.indexes).toEqual([
      { name: 'svc_outbox_pending', table: 'svc_outbox', columns: ['available_at'], where: 'published_at IS NULL' },
      { name: 'svc_outbox_published', table: 'svc_outbox', columns: ['published_at'], where: 'published_at IS NOT NULL' },
      { name: 'svc_processed_events_at', table: 'svc_processed_events', columns: ['processed_at'] },
    ]);
    expect(serializeState(state)).toBe(stateText);
  });

  it("gives a service that predates the runtime's tables a migration of their own, once", async () => {
    const fs = await starter();
    // What an older svc wrote: the resource's table alone, no indexes.
    await fs.write(SCHEMA_STATE_PATH, serializeState({ tables: parseState((await fs.read(SCHEMA_STATE_PATH))!).tables.filter((t) => t.name === 'products') }));
    // --force: the record no longer matches the manifest's hash.
    const result = await genApi({ dir: '/virtual/product', fs, force: true });
    expect(result.model.warnings).toEqual([]);
    const file = '00002_create_svc_outbox_and_svc_processed_events.sql';
    expect(await fs.list('migrations/postgres')).toEqual(['00001_create_products.sql', file]);
    const pg = (await fs.read(`migrations/postgres/${file}`))!;
    expect(pg).not.toContain('CREATE TABLE products');
    expect(pg).toContain('-- +goose Up\nCREATE TABLE svc_outbox (\n');
    expect(pg).toContain('CREATE INDEX svc_outbox_published ON svc_outbox (published_at) WHERE published_at IS NOT NULL;');
    expect(await fs.read(`migrations/sqlite/${file}`)).toContain('CREATE TABLE svc_processed_events (\n    id TEXT NOT NULL PRIMARY KEY,\n    processed_at TIMESTAMP NOT NULL\n);');
    const again = await regen(fs);
    expect(again.written).toEqual([]);
    expect(await fs.list('migrations/postgres')).toHaveLength(2);
  });

  it('creates a new index of an existing table in a migration of its own, and reports one it would change', () => {
    const none = { sqlite: [], postgres: [] };
    const table = (indexes?: Table['indexes']): Table => ({
      name: 'items',
      resource: 'Item',
      columns: [
        { name: 'id', type: 'text', notNull: true, primaryKey: true },
        { name: 'order', type: 'bigint', notNull: true, primaryKey: false },
      ],
      ...(indexes ? { indexes } : {}),
    });
    const stateOf = (plan: { artifacts: { path: string; content: string }[] }) => parseState(plan.artifacts.find((a) => a.path === SCHEMA_STATE_PATH)!.content);
    const first = planMigrations('shop', [table()], undefined, none);
    const files = { sqlite: ['00001_create_items.sql'], postgres: ['00001_create_items.sql'] };
    const second = planMigrations('shop', [table([{ name: 'items_by_order', columns: ['order', 'id'] }])], stateOf(first), files);
    expect(second.warnings).toEqual([]);
    const sql = second.artifacts.find((a) => a.path === 'migrations/postgres/00002_create_index_items_by_order.sql')!.content;
    expect(sql.split('\n')[0]).toBe('-- Migration 2 of the shop service for PostgreSQL: indexes items (items_by_order).');
    expect(sql).toContain('-- +goose Up\nCREATE INDEX items_by_order ON items ("order", id);\n\n-- +goose Down\nDROP INDEX items_by_order;\n');
    const third = planMigrations('shop', [table([{ name: 'items_by_order', columns: ['order'] }])], stateOf(second), files);
    expect(third.artifacts.map((a) => a.path)).toEqual([SCHEMA_STATE_PATH]);
    expect(third.warnings).toEqual([expect.stringMatching(/^index items_by_order: svc now defines it as items \(order\), the database has items \(order, id\); svc does not rebuild indexes/)]);
    const fourth = planMigrations('shop', [table()], stateOf(second), files);
    expect(fourth.warnings).toEqual(['index items_by_order: svc no longer defines it; svc keeps it']);
    expect(() => parseState('tables: {}\nindexes: {x: "no parentheses"}')).toThrow(/index x: cannot read "no parentheses"/);
  });

  it("refuses a resource whose table would be one of the runtime's", () => {
    const clash: Table = { name: RUNTIME_TABLES[0]!.name, resource: 'SvcOutbox', columns: [{ name: 'id', type: 'text', notNull: true, primaryKey: true }] };
    expect(() => planMigrations('shop', [clash], undefined, { sqlite: [], postgres: [] })).toThrow(/the SvcOutbox resource's table would be svc_outbox, which svc's runtime keeps for itself/);
  });
  it("gives the outbox package's tests the runtime's tables exactly as a service's migrations create them", () => {
    const plan = planMigrations('x', [], undefined, { sqlite: [], postgres: [] });
    const template = readFileSync(join(import.meta.dirname, '../../templates/service/internal/outbox/migrations_test.go.hbs'), 'utf8');
    for (const dialect of ['sqlite', 'postgres']) {
      const sql = plan.artifacts.find((a) => a.path.startsWith(`migrations/${dialect}/`))!.content;
      expect(template).toContain(`"${dialect}/00001_runtime.sql": {Data: []byte(\`${sql.slice(sql.indexOf('-- +goose Up'))}\`)},`);
    }
  });
});

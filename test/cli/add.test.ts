import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { go, hasGo } from '../support/go.js';
import { call, startService, type RunningService } from '../support/service.js';
import { captureStreams } from '../support/streams.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'svc.js');
const CONTRACT = 'shopproto/openapi/shop.yaml';

/** The CLI in process; every folder keeps its in-memory file system across runs. */
function cli() {
  const systems = new Map<string, MemoryFileSystem>();
  const fsOf = (dir: string) => {
    let fs = systems.get(dir);
    if (!fs) systems.set(dir, (fs = new MemoryFileSystem()));
    return fs;
  };
  const run = async (...args: string[]) => {
    const io = captureStreams();
    const code = await main(args, { cwd: '/work', stdout: io.stdout, stderr: io.stderr, interactive: false, fsFor: fsOf });
    return { code, ...io.text };
  };
  return { run, fs: fsOf };
}

/** A fresh starter service `shop` (OpenAPI, or the proto starter) in memory at /work/shop. */
async function shop(proto = false) {
  const c = cli();
  const made = await c.run('new', 'shop', '--dir', '/work/shop', '--yes', ...(proto ? ['--proto'] : []));
  expect(made.code, made.stderr).toBe(0);
  return { ...c, fs: c.fs('/work/shop') };
}

describe('svc add resource', () => {
  it('adds the resource to the contract and re-generates: its stubs, store and migrations', async () => {
    const s = await shop();
    const r = await s.run('add', 'resource', 'order', '--dir', '/work/shop', '--fields', 'item:string,quantity:integer,due:date-time', '--required', 'item');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^overwrite {2}shopproto\/openapi\/shop\.yaml$/m);
    expect(r.stdout).toMatch(/^create {5}internal\/service\/create_order\.go$/m);
    expect(r.stdout).toMatch(/added the order resource to shopproto\/openapi\/shop\.yaml; the service is re-generated/);
    const contract = (await s.fs.read(CONTRACT))!;
    expect(contract).toMatch(/^ {2}\/orders\/\{id\}:$/m);
    for (const f of ['internal/service/create_order.go', 'internal/repository/order_sql.gen.go', 'migrations/sqlite/00002_create_orders.sql', 'pkg/models/order.gen.go']) {
      expect(await s.fs.exists(f), f).toBe(true);
    }
    // In step: a second generation changes nothing.
    const again = await s.run('gen', 'api', '--dir', '/work/shop');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 created, 0 updated/m);
  });

  it('--dry-run prints the contract edit and the plan, and writes nothing', async () => {
    const s = await shop();
    const writes = s.fs.writes;
    const r = await s.run('add', 'resource', 'order', '--dir', '/work/shop', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\+ {2}\/orders:$/m);
    expect(r.stdout).toMatch(/dry run: .*; nothing written/);
    expect(s.fs.writes).toBe(writes);
  });

  const refusals: [string, string[], number, RegExp][] = [
    ['an existing resource', ['order'], 1, /^error: shopproto\/openapi\/shop\.yaml:\d+: the path \/orders already exists/],
    ['the service\'s own resource', ['shop'], 1, /^error: shopproto\/openapi\/shop\.yaml:\d+: the path \/shops already exists/],
    ['an invalid name', ['Order!'], 1, /^error: invalid resource name "Order!"/],
    ['a bad field type', ['invoice', '--fields', 'total:money'], 2, /^error: --fields: unknown type "money" for "total"/],
    ['a field without a type', ['invoice', '--fields', 'total'], 2, /^error: --fields: "total" has no type/],
    ['--required without --fields', ['invoice', '--required', 'total'], 2, /^error: --required names fields given with --fields/],
  ];
  it.each(refusals)('refuses %s: one line, its exit code, nothing written', async (_what, args, code, message) => {
    const s = await shop();
    if (args[0] === 'order') expect((await s.run('add', 'resource', 'order', '--dir', '/work/shop')).code).toBe(0);
    const before = (await s.fs.read(CONTRACT))!;
    const writes = s.fs.writes;
    const r = await s.run('add', 'resource', ...args, '--dir', '/work/shop');
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(s.fs.writes).toBe(writes);
    expect(await s.fs.read(CONTRACT)).toBe(before);
  });

  it('a generated file edited by hand stops the run: the contract is not edited either', async () => {
    const s = await shop();
    await s.fs.write('pkg/models/shapes.gen.go', `${(await s.fs.read('pkg/models/shapes.gen.go'))!}\n// mine\n`);
    const before = (await s.fs.read(CONTRACT))!;
    const writes = s.fs.writes;
    const r = await s.run('add', 'resource', 'order', '--dir', '/work/shop');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^conflict {3}pkg\/models\/shapes\.gen\.go/m);
    expect(r.stderr).toMatch(/edited by hand: nothing was written/);
    expect(s.fs.writes).toBe(writes);
    expect(await s.fs.read(CONTRACT)).toBe(before);
  });

  it('outside a service: one line, exit 1', async () => {
    const r = await cli().run('add', 'resource', 'order', '--dir', '/work/nothing');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*svc\.yaml/);
  });
});

describe('svc add operation', () => {
  it('adds the operation; its stub answers "not implemented"', async () => {
    const s = await shop();
    const r = await s.run('add', 'operation', 'archiveShop', '--method', 'post', '--path', '/shops/{id}:archive', '--resource', 'shop', '--dir', '/work/shop');
    expect(r.code, r.stderr).toBe(0);
    expect(await s.fs.read(CONTRACT)).toMatch(/^ {2}\/shops\/\{id\}:archive:\n {4}post:\n {6}operationId: archiveShop\n {6}tags: \[shops\]$/m);
    expect(await s.fs.read('internal/service/archive_shop.go')).toMatch(/apperrors\.NotImplemented\("ArchiveShop"\)/);
  });

  it.each([
    ['no --method', ['x', '--path', '/x'], 2, /required option '--method <method>' not specified/],
    ['a bad method', ['x', '--method', 'head', '--path', '/x'], 2, /argument 'head' is invalid/],
    ['a taken operation id', ['getShop', '--method', 'get', '--path', '/x'], 1, /^error: shopproto\/openapi\/shop\.yaml:\d+: the operation getShop already exists/],
  ])('refuses %s', async (_what, args, code, message) => {
    const s = await shop();
    const writes = s.fs.writes;
    const r = await s.run('add', 'operation', ...args, '--dir', '/work/shop');
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(s.fs.writes).toBe(writes);
  });
});

describe('svc add: help', () => {
  it('lists the service and platform subcommands, each with examples', async () => {
    const c = cli();
    const add = await c.run('add', '--help');
    expect(add.code).toBe(0);
    for (const sub of ['resource', 'operation', 'service', 'client']) expect(add.stdout).toMatch(new RegExp(`^ {2}${sub} `, 'm'));
    for (const sub of ['resource', 'operation']) {
      const h = await c.run('add', sub, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Examples:\n {2}svc add /);
    }
  });
});

/** A proto service's contract imports resolve from its folder on disk: these run the real bin on disk (no Go build). */
describe('svc add on the proto starter, on disk', () => {
  let root = '';
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('adds a resource and an operation; each run re-generates without a warning', () => {
    root = mkdtempSync(join(tmpdir(), 'svc-add-proto-'));
    let cwd = root;
    const svc = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(svc('new', 'shop', '--proto', '--skip-tidy', '--yes').status).toBe(0);
    const dir = join(root, 'shop');
    const resource = svc('add', 'resource', 'order', '--dir', dir, '--fields', 'item:string,quantity:integer', '--required', 'item');
    expect(resource.status, resource.stderr).toBe(0);
    expect(resource.stderr).toBe('');
    const missing = svc('add', 'resource', 'order', '--dir', join(root, 'nope'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope does not exist/);
    // From a folder inside the service, svc.yaml is found upward.
    cwd = join(dir, 'internal');
    const operation = svc('add', 'operation', 'ArchiveShop', '--method', 'post', '--path', '/v1/{name=shops/*}:archive');
    expect(operation.status, operation.stderr).toBe(0);
    expect(operation.stderr).toBe('');
    const proto = readFileSync(join(dir, 'shopproto/shop.proto'), 'utf8');
    expect(proto).toMatch(/rpc CreateOrder\(CreateOrderRequest\) returns \(Order\)/);
    expect(proto).toMatch(/^ {2}string item = 2 \[\(google\.api\.field_behavior\) = REQUIRED\];$/m);
    expect(proto).toMatch(/rpc ArchiveShop\(ArchiveShopRequest\) returns \(ArchiveShopResponse\) \{\n {4}option \(google\.api\.http\) = \{\n {6}post: "\/v1\/\{name=shops\/\*\}:archive"/);
    expect(readFileSync(join(dir, 'internal/service/shop_service_archive_shop.go'), 'utf8')).toMatch(/codes\.Unimplemented, "shop\.v1\.ShopService\.ArchiveShop is not implemented"/);
    expect(readFileSync(join(dir, 'internal/service/shop_service_create_order.go'), 'utf8')).toMatch(/return s\.createOrder\(ctx, req\)/);
    expect(existsSync(join(dir, 'internal/service/order_store.gen.go'))).toBe(true);
  }, 120_000);
});

/**
 * The proof on disk, one Go build: the starter with an `order` resource
 * added builds, its tests pass, and an order is stored and read back.
 */
describe.skipIf(!hasGo())('svc add resource order on the starter, on disk', () => {
  let root = '';
  let dir = '';
  let service: RunningService | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'svc-add-'));
    dir = join(root, 'shop');
    const svc = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const made = svc('new', 'shop', '--skip-tidy', '--yes');
    expect(made.status, made.stderr).toBe(0);
    const added = svc('add', 'resource', 'order', '--dir', dir, '--fields', 'item:string,quantity:integer,tags:[]string', '--required', 'item,quantity');
    expect(added.status, added.stderr).toBe(0);
    await go(dir, 'mod', 'tidy');
    await go(dir, 'build', '-o', 'bin/shop', './cmd/shop');
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('its tests pass', async () => {
    expect(readFileSync(join(dir, 'internal/handler/orders.gen.go'), 'utf8')).toMatch(/Code generated by svc/);
    await go(dir, 'vet', './...');
    await go(dir, 'test', './internal/handler/...', './internal/repository/...', './internal/service/...', './pkg/...');
  }, 300_000);

  it('stores an order and reads it back over HTTP', async () => {
    service = await startService(join(dir, 'bin', 'shop'), dir, { SHOP_HTTP_ADDR: '127.0.0.1:0' });
    const created = await call(service.base, 'POST', '/orders', { item: 'book', quantity: 2, tags: ['gift'] });
    expect(created.status, created.text).toBe(201);
    const id = created.json!.id as string;
    const read = await call(service.base, 'GET', `/orders/${id}`);
    expect(read.status, read.text).toBe(200);
    expect(read.json).toMatchObject({ id, item: 'book', quantity: 2, tags: ['gift'] });
    const missing = await call(service.base, 'POST', '/orders', { quantity: 2 });
    expect(missing.status).toBe(400);
  }, 60_000);
});

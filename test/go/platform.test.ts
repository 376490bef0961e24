import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { addClient, addService, genPlatform, newPlatform } from '../../src/pipeline/platform.js';
import { countActions } from '../../src/plan/plan.js';
import { RUNTIME_PACKAGES, SHARED_PACKAGES } from '../../src/render/runtimepkgs.js';
import { GO_ENV, go, gofmtList, golangciLint, lint } from '../support/go.js';
import { call, eventually, startService, type RunningService } from '../support/service.js';

const LINTER = golangciLint();
const SERVICES = ['order', 'product', 'user'] as const;

/**
 * The platform of the issue: product (the OpenAPI starter), user (the proto
 * starter) and order (the OpenAPI starter, with clients of both), in one
 * monorepo with one shared runtime. It must pass the bar of any service
 * through the workspace, and run: an order is made by calling the other
 * two, with one trace across the three, and a stopped product makes order
 * answer a clear problem, not hang.
 */
let root = '';

const MONEY_PROTO = `syntax = "proto3";

package shop.shared;

option go_package = "example.com/shop/shared/proto;sharedpb";

// An amount of money in a currency.
message Money {
  // ISO 4217 currency code, e.g. EUR.
  string currency = 1;
  // The amount in minor units (cents).
  int64 minor = 2;
}
`;

const disk = (dir: string) => new DiskFileSystem(dir, { staged: true });
const goIn = (dir: string, ...args: string[]) => execa('go', args, { cwd: dir, env: { ...GO_ENV, GOWORK: 'off' }, all: true });

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'svc-platform-')), 'shop');
  await newPlatform({ name: 'shop', module: 'example.com/shop', dir: root, fs: disk(root) });
  await addService({ dir: root, fs: disk(root), service: { name: 'product' } });
  await addService({ dir: root, fs: disk(root), service: { name: 'user', proto: true } });
  await addService({ dir: root, fs: disk(root), service: { name: 'order' } });
  for (const other of ['product', 'user']) {
    const r = await addClient({ dir: root, fs: disk(root), other, to: 'order' });
    expect(r.reports).toEqual([]);
  }
  // user's contract uses a message of shared/proto, whose Go code the root holds once.
  writeFileSync(join(root, 'shared', 'proto', 'money.proto'), MONEY_PROTO);
  const userProto = join(root, 'services', 'user', 'userproto', 'user.proto');
  writeFileSync(
    userProto,
    readFileSync(userProto, 'utf8')
      .replace('import "google/api/annotations.proto";', 'import "google/api/annotations.proto";\nimport "shared/proto/money.proto";')
      .replace(/(\n  google\.protobuf\.Timestamp update_time = 9 [^\n]*\n)\}/, '$1  // Credit the user may spend.\n  shop.shared.Money credit = 10;\n}'),
  );
  const regenerated = await genPlatform({ dir: root, fs: disk(root) });
  expect(regenerated.reports).toEqual([]);
  // Each module is tidied on its own, as the CLI does: a service reaches the
  // shared runtime through its replace directive.
  await goIn(root, 'mod', 'tidy');
  for (const s of SERVICES) await goIn(join(root, 'services', s), 'mod', 'tidy');
}, 600_000);

afterAll(() => {
  if (root && !process.env.SVC_KEEP) rmSync(join(root, '..'), { recursive: true, force: true });
});

/** Every file under dir, relative to it. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...files(full).map((f) => join(entry, f)));
    else out.push(entry);
  }
  return out;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('a three-service platform', () => {
  it('keeps one copy of the shared runtime: no shared package, and no file of it, under services/', () => {
    const shared = new Map(files(join(root, 'shared', 'pkg')).map((f) => [sha(join(root, 'shared', 'pkg', f)), f]));
    expect(shared.size).toBeGreaterThan(50);
    for (const s of SERVICES) {
      const dir = join(root, 'services', s);
      for (const p of SHARED_PACKAGES) {
        // No file of the package (auth keeps the contract's own files: schemes.gen.go, custom.go...).
        const sharedFiles = new Set(readdirSync(join(root, 'shared', 'pkg', RUNTIME_PACKAGES[p].replace(/^(internal|pkg)\//, ''))));
        const own = existsSync(join(dir, RUNTIME_PACKAGES[p])) ? readdirSync(join(dir, RUNTIME_PACKAGES[p])) : [];
        expect(own.filter((f) => sharedFiles.has(f)), `${s}: ${RUNTIME_PACKAGES[p]}`).toEqual([]);
      }
      const copies = files(dir).filter((f) => f.endsWith('.go') && shared.has(sha(join(dir, f))));
      expect(copies, `${s} holds copies of shared files`).toEqual([]);
    }
  });

  it('generates the Go code of a shared proto once, in the root module, and the service imports it', () => {
    expect(readFileSync(join(root, 'shared', 'proto', 'money.pb.go'), 'utf8')).toMatch(/^package sharedpb$/m);
    expect(readFileSync(join(root, 'services', 'user', 'userproto', 'user.pb.go'), 'utf8')).toContain('"example.com/shop/shared/proto"');
    const copies = files(join(root, 'services')).filter((f) => f.endsWith('money.proto') || f.endsWith('money.pb.go'));
    expect(copies).toEqual([]);
  });

  it('lists the root module and every service in go.work, each service with its own go.mod', () => {
    const work = readFileSync(join(root, 'go.work'), 'utf8');
    for (const s of SERVICES) {
      expect(work).toContain(`./services/${s}`);
      const mod = readFileSync(join(root, 'services', s, 'go.mod'), 'utf8');
      expect(mod).toContain(`module example.com/shop/services/${s}`);
      expect(mod).toMatch(/^replace example\.com\/shop v0\.0\.0 => \.\.\/\.\.$/m);
    }
  });

  it('is gofmt-clean, vets and builds through the workspace', { timeout: 600_000 }, async () => {
    expect(await gofmtList(root)).toBe('');
    const all = ['./...', ...SERVICES.map((s) => `./services/${s}/...`)];
    await go(root, 'vet', ...all);
    await go(root, 'build', ...all);
  });

  it('builds each service on its own, without the workspace (as its image does)', { timeout: 600_000 }, async () => {
    for (const s of SERVICES) await goIn(join(root, 'services', s), 'build', './...');
  });

  // product is order without its clients: the root, order and user (proto) cover every kind of file.
  it.skipIf(!LINTER)('golangci-lint reports nothing in the root module, order and user', { timeout: 900_000 }, async () => {
    expect(await lint(LINTER!, root)).toBe('');
    for (const s of ['order', 'user']) expect(await lint(LINTER!, join(root, 'services', s)), s).toBe('');
  });

  it("passes the shared runtime's tests and every service's own", { timeout: 900_000 }, async () => {
    await go(root, 'test', './...', ...SERVICES.map((s) => `./services/${s}/...`));
  });

  it('picks up an edit of shared/pkg in every service without regeneration', { timeout: 600_000 }, async () => {
    // A change that breaks the shared problem package breaks every service
    // that imports it, and mending it mends them: one copy, used by all.
    const file = join(root, 'shared', 'pkg', 'problem', 'zz_edit.go');
    writeFileSync(file, 'package problem\n\nvar _ int = "not an int"\n');
    try {
      for (const s of SERVICES) {
        const r = await execa('go', ['build', `./services/${s}/...`], { cwd: root, env: GO_ENV, reject: false, all: true });
        expect(r.exitCode, s).not.toBe(0);
        expect(r.all, s).toContain('shared/pkg/problem');
      }
    } finally {
      rmSync(file);
    }
    await go(root, 'build', ...SERVICES.map((s) => `./services/${s}/...`));
  });

  it('has a Helm umbrella chart over every service that lints and renders for every environment', { timeout: 120_000 }, async () => {
    const helm = join(import.meta.dirname, '..', '..', '.tools', 'gobin', 'helm');
    const chart = join(root, 'infrastructure', 'helm', 'shop');
    await execa(helm, ['dependency', 'build', chart]);
    for (const values of ['values.yaml', 'values-dev.yaml', 'values-staging.yaml', 'values-prod.yaml']) {
      await execa(helm, ['lint', '--strict', chart, '-f', join(chart, values)]);
      const out = (await execa(helm, ['template', 'shop', chart, '-f', join(chart, values)])).stdout;
      for (const s of SERVICES) expect(out, `${values}: ${s}`).toMatch(new RegExp(`kind: Deployment\nmetadata:\n  name: ${s}\n`));
    }
  });

  it('changes nothing when svc gen api runs at the root of an unchanged platform', { timeout: 300_000 }, async () => {
    const r = await genPlatform({ dir: root, fs: disk(root) });
    const counts = countActions(r.plan);
    expect({ create: counts.create, overwrite: counts.overwrite, delete: counts.delete, conflict: counts.conflict }).toEqual({ create: 0, overwrite: 0, delete: 0, conflict: 0 });
    expect(r.written).toEqual([]);
  });
});

/** order's own business logic: an order names a product (name) and a user (description). */
const CREATE_ORDER = `package service

import (
	"context"
	"fmt"
	"net/http"

	productapi "example.com/shop/services/order/internal/client/product/api"
	userapi "example.com/shop/services/order/internal/client/user/api"
	"example.com/shop/services/order/pkg/models"
	apperrors "example.com/shop/shared/pkg/errors"
	"example.com/shop/shared/pkg/httpclient"
)

// CreateOrder handles POST /orders: its name is a product's id, its
// description a user's; both must exist, and the order takes the price.
func (s *Service) CreateOrder(ctx context.Context, req CreateOrderRequest) (*models.Order, error) {
	product, err := s.Clients.Product.GetProduct(ctx, productapi.GetProductRequest{ID: req.Body.Name})
	if err != nil {
		return nil, upstream("product", err)
	}
	if req.Body.Description == nil {
		return nil, apperrors.InvalidArgument("description", "must name the user")
	}
	if _, err := s.Clients.User.GetUser(ctx, userapi.GetUserRequest{User: *req.Body.Description}); err != nil {
		return nil, upstream("user", err)
	}
	order := newOrder(req)
	order.Price = product.Price
	if err := s.Repos.Orders.Create(ctx, order); err != nil {
		return nil, fmt.Errorf("create order: %w", err)
	}
	s.publish(ctx, "order.created", order)
	return order, nil
}

// upstream maps a failed call of another service: what it does not know is
// the caller's mistake; anything else (down, breaker open) is unavailable.
func upstream(service string, err error) error {
	if httpclient.IsStatus(err, http.StatusNotFound) {
		return apperrors.InvalidArgument("name", "no such %s", service)
	}
	return apperrors.Unavailable("the %s service is unavailable: %v", service, err)
}
`;

describe('the platform running on loopback', () => {
  let product: RunningService | undefined;
  let user: RunningService | undefined;
  let order: RunningService | undefined;
  let productAddr = '';
  const data = mkdtempSync(join(tmpdir(), 'svc-platform-data-'));
  const bins: Record<string, string> = {};

  const startProduct = async (addr: string) =>
    startService(bins.product!, join(root, 'services', 'product'), { PRODUCT_HTTP_ADDR: addr, PRODUCT_DATABASE_SQLITE_PATH: join(data, 'product.db') });

  beforeAll(async () => {
    writeFileSync(join(root, 'services', 'order', 'internal', 'service', 'create_order.go'), CREATE_ORDER);
    for (const s of SERVICES) {
      bins[s] = join(data, s);
      await go(root, 'build', '-o', bins[s]!, `./services/${s}/cmd/${s}`);
    }
    product = await startProduct('127.0.0.1:0');
    productAddr = product.base.replace('http://', '');
    user = await startService(bins.user!, join(root, 'services', 'user'), {
      USER_HTTP_ADDR: '127.0.0.1:0',
      USER_GRPC_ADDR: '127.0.0.1:0',
      USER_DATABASE_SQLITE_PATH: join(data, 'user.db'),
    });
    order = await startService(bins.order!, join(root, 'services', 'order'), {
      ORDER_HTTP_ADDR: '127.0.0.1:0',
      ORDER_DATABASE_SQLITE_PATH: join(data, 'order.db'),
      ORDER_CLIENTS_PRODUCT_URL: product.base,
      ORDER_CLIENTS_USER_URL: user.base,
      // Quick to open and to try again, so that the test need not wait.
      ORDER_CLIENTS_PRODUCT_BREAKER_FAILURES: '2',
      ORDER_CLIENTS_PRODUCT_BREAKER_OPEN: '1s',
      ORDER_CLIENTS_PRODUCT_TIMEOUT: '2s',
    });
  }, 600_000);

  afterAll(async () => {
    await Promise.all([product?.stop(), user?.stop(), order?.stop()]);
    rmSync(data, { recursive: true, force: true });
  });

  it('creates an order by calling product and user, in one trace across the three', { timeout: 120_000 }, async () => {
    const p = await call(product!.base, 'POST', '/products', { name: 'Lamp', price: 12.5, currency: 'EUR' });
    expect(p.status, p.text).toBe(201);
    const u = await call(user!.base, 'POST', '/v1/users', { displayName: 'Ada', priceMinor: '100', currency: 'EUR' });
    expect(u.status, u.text).toBe(200);
    const userId = String(u.json!.name).replace(/^users\//, '');
    const o = await call(order!.base, 'POST', '/orders', { name: p.json!.id, description: userId, price: 0, currency: 'EUR' });
    expect(o.status, o.text).toBe(201);
    expect(o.json!.price).toBe(12.5);

    // The access log line of each service for this request: one trace id.
    const traceOf = (svc: RunningService, path: RegExp) =>
      svc.logs.filter((l) => typeof l.path === 'string' && path.test(l.path) && typeof l.trace_id === 'string').map((l) => String(l.trace_id)).pop();
    const ok = await eventually(async () => [traceOf(product!, /^\/products\//), traceOf(user!, /^\/v1\/users\//), traceOf(order!, /^\/orders$/)].every(Boolean), 5_000);
    expect(ok, 'access log lines of the calls').toBe(true);
    const trace = traceOf(order!, /^\/orders$/);
    expect(trace).toMatch(/^[0-9a-f]{32}$/);
    expect(traceOf(product!, /^\/products\//)).toBe(trace);
    expect(traceOf(user!, /^\/v1\/users\//)).toBe(trace);
  });

  it('answers a clear problem while product is down, and recovers when it returns', { timeout: 120_000 }, async () => {
    const p = await call(product!.base, 'POST', '/products', { name: 'Desk', price: 99, currency: 'EUR' });
    const u = await call(user!.base, 'POST', '/v1/users', { displayName: 'Grace', priceMinor: '100', currency: 'EUR' });
    const body = { name: p.json!.id, description: String(u.json!.name).replace(/^users\//, ''), price: 0, currency: 'EUR' };
    await product!.stop();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const o = await call(order!.base, 'POST', '/orders', body);
      expect(Date.now() - started, 'no hanging: answered within the client deadline').toBeLessThan(5_000);
      expect(o.status, o.text).toBe(503);
      expect(String(o.json!.detail)).toMatch(/product service is unavailable/);
      seen.push(o.status);
    }
    // After the failures the breaker is open: the answer says so, at once.
    const open = await call(order!.base, 'POST', '/orders', body);
    expect(open.status).toBe(503);
    expect(String(open.json!.detail)).toMatch(/circuit/i);

    product = await startProduct(productAddr);
    const recovered = await eventually(async () => (await call(order!.base, 'POST', '/orders', body)).status === 201, 10_000);
    expect(recovered, 'order recovers once product is back').toBe(true);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genApi } from '../../src/pipeline/gen.js';
import { generateFixtureOnDisk, go, gofmtList, golangciLint, lint } from '../support/go.js';

const LINTER = golangciLint();

/**
 * A test in the service's cmd package: the clients newClients wires (as the
 * service starts them) put their metrics on the service's registry. The
 * orders client calls a test server once; http_client_requests_total must
 * then carry client="orders".
 */
function clientMetricsTest(): string {
  return `package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/product/internal/config"
	"example.com/product/internal/metrics"
	"example.com/product/internal/client/orders/api"
)

func TestClientMetricsOnServiceRegistry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusNotFound)
	}))
	defer srv.Close()
	t.Setenv("PRODUCT_CLIENTS_ORDERS_URL", srv.URL)
	cfg, _, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	clients, err := newClients(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clients.Orders.ListOrders(context.Background(), api.ListOrdersRequest{}); err == nil {
		t.Fatal("a 404 was taken for an answer")
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "http_client_requests_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "client" && l.GetValue() == "orders" {
					return
				}
			}
		}
	}
	t.Fatal("the service's registry has no http_client_requests_total of the orders client")
}
`;
}

/** svc.yaml lines giving a service a client of the orders fixture. */
const ORDERS_CLIENT = ['clients:', '  orders:', `    contract: ${join(FIXTURES_DIR, 'orders', 'openapi.yaml')}`, ''].join('\n');

/**
 * Clients of other services, from svc.yaml: the starter calls the orders
 * fixture (typed responses, forms, raw bodies), the secured fixture (every
 * kind of credential) and the library proto (through its REST gateway). The
 * service with its three clients must pass the same bar as any fixture.
 */
describe('a service with clients of three other services, with real go', () => {
  let dir = '';

  it('generates its clients from svc.yaml and resolves its modules', { timeout: 300_000 }, async () => {
    dir = await generateFixtureOnDisk('starter');
    const clients = [
      'clients:',
      '  orders:',
      `    contract: ${join(FIXTURES_DIR, 'orders', 'openapi.yaml')}`,
      '  notes:',
      `    contract: ${join(FIXTURES_DIR, 'secured', 'openapi.yaml')}`,
      '  library:',
      `    contract: ${join(FIXTURES_DIR, 'library', 'proto', 'library', 'v1', 'library.proto')}`,
      '    includes:',
      `      - ${join(FIXTURES_DIR, 'library', 'proto')}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'svc.yaml'), readFileSync(join(dir, 'svc.yaml'), 'utf8') + clients);
    const fs = new DiskFileSystem(dir, { staged: true });
    const result = await genApi({ dir, fs });
    expect(result.reports).toEqual([]);
    for (const name of ['orders', 'notes', 'library']) expect(result.written.some((p) => p.startsWith(`internal/client/${name}/`)), name).toBe(true);
    expect(readFileSync(join(dir, 'internal', 'config', 'clients.gen.go'), 'utf8')).toMatch(/"library": +"http:\/\/library",/);
    await go(dir, 'mod', 'tidy');
  });

  it('is gofmt-clean, vets and builds', { timeout: 600_000 }, async () => {
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './...');
    await go(dir, 'build', './...');
  });

  it.skipIf(!LINTER)('golangci-lint reports nothing', { timeout: 600_000 }, async () => {
    expect(await lint(LINTER!, dir)).toBe('');
  });

  it('reads the clients config and credential secrets', { timeout: 600_000 }, async () => {
    // A test in the service module: NewFromConfig from the loaded config, with one secret set.
    writeFileSync(
      join(dir, 'internal', 'client', 'notes', 'fromconfig_test.go'),
      `package notes

import (
	"testing"

	"example.com/product/internal/config"
)

func TestNewFromConfig(t *testing.T) {
	t.Setenv("PRODUCT_CLIENTS_NOTES_BEARER_AUTH", "token-1")
	t.Setenv("PRODUCT_CLIENTS_NOTES_URL", "http://notes.test:8080")
	cfg, _, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Clients.Notes.URL != "http://notes.test:8080" || cfg.Clients.Notes.MaxAttempts != 3 {
		t.Fatalf("clients.notes = %+v", cfg.Clients.Notes)
	}
	if _, err := NewFromConfig(cfg.Clients.Notes); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PRODUCT_CLIENTS_NOTES_BASIC_AUTH", "no-colon")
	if _, err := NewFromConfig(cfg.Clients.Notes); err == nil {
		t.Fatal("a basic secret without a colon was accepted")
	}
}
`,
    );
    const out = await go(dir, 'test', '-count=1', './internal/client/...');
    expect(out).toMatch(/^ok\s+example\.com\/product\/internal\/client\/notes/m);
  });

  it('puts the clients\' metrics on the service\'s registry', { timeout: 600_000 }, async () => {
    writeFileSync(join(dir, 'cmd', 'product', 'clientmetrics_test.go'), clientMetricsTest());
    const out = await go(dir, 'test', '-count=1', '-run', 'TestClientMetricsOnServiceRegistry', './cmd/product/');
    expect(out).toMatch(/^ok\s+example\.com\/product\/cmd\/product/m);
  });
});

/**
 * A proto service with a client of another service: newAPI builds the
 * clients and hands them to the service layer, as newHandler does for an
 * OpenAPI service.
 */
describe('a proto service with a client of another service, with real go', () => {
  let dir = '';

  it('generates, vets and wires its client', { timeout: 900_000 }, async () => {
    dir = await generateFixtureOnDisk('starter-proto');
    writeFileSync(join(dir, 'svc.yaml'), readFileSync(join(dir, 'svc.yaml'), 'utf8') + ORDERS_CLIENT);
    const result = await genApi({ dir, fs: new DiskFileSystem(dir, { staged: true }) });
    expect(result.reports).toEqual([]);
    expect(readFileSync(join(dir, 'cmd', 'product', 'wire.go'), 'utf8')).toContain('Clients: clients');
    await go(dir, 'mod', 'tidy');
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './cmd/...', './internal/client/...');
    writeFileSync(join(dir, 'cmd', 'product', 'clientmetrics_test.go'), clientMetricsTest());
    const out = await go(dir, 'test', '-count=1', './cmd/product/');
    expect(out).toMatch(/^ok\s+example\.com\/product\/cmd\/product/m);
  });
});

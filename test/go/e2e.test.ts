import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_ENV, buildStarter } from '../support/go.js';
import { eventually } from '../support/service.js';

/**
 * End to end: generate the starter service, build it, run the binary on a
 * free loopback port and talk to it over HTTP.
 */
describe('the starter service, built and running', () => {
  let dir = '';
  let proc: ChildProcess;
  let base = '';
  // The admin listener, which serves the metrics; it starts before the API one.
  let admin = '';
  const logs: Record<string, unknown>[] = [];
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = await buildStarter();
    proc = spawn(join(dir, 'bin', 'product'), [], {
      cwd: dir,
      env: { ...GO_ENV, PRODUCT_HTTP_ADDR: '127.0.0.1:0', PRODUCT_ADMIN_ADDR: '127.0.0.1:0', PRODUCT_HTTP_SHUTDOWN_DELAY: '500ms', PRODUCT_LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    const lines = createInterface({ input: proc.stdout! });
    const stderr = createInterface({ input: proc.stderr! });
    stderr.on('line', (l) => logs.push({ stderr: l }));
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" log line; logs: ${JSON.stringify(logs)}`)), 30_000);
      lines.on('line', (line) => {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'admin server listening') admin = `http://${String(entry.addr)}`;
          if (entry.msg === 'http server listening') {
            clearTimeout(timer);
            resolve(`http://${String(entry.addr)}`);
          }
        } catch {
          logs.push({ raw: line });
        }
      });
    });
  }, 600_000);

  afterAll(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const resp = await fetch(base + path, init);
    const text = await resp.text();
    const isJson = /json/.test(resp.headers.get('content-type') ?? '');
    return { status: resp.status, headers: resp.headers, text, json: isJson && text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  it('answers health and readiness', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
  });

  it('has a healthcheck subcommand that probes the running server', () => {
    const addr = new URL(base).host;
    const ok = spawnSync(join(dir, 'bin', 'product'), ['healthcheck'], { env: { ...GO_ENV, PRODUCT_HTTP_ADDR: addr }, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const down = spawnSync(join(dir, 'bin', 'product'), ['healthcheck'], { env: { ...GO_ENV, PRODUCT_HTTP_ADDR: '127.0.0.1:1' }, encoding: 'utf8' });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/^healthcheck: /);
  });

  it('is called by its own generated Go client: CRUD, and a typed problem for a bad request', async () => {
    // A test package inside the service module, run against the service running above.
    const pkg = join(dir, 'e2eclient');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'client_e2e_test.go'), GO_CLIENT_E2E);
    try {
      const r = await execa('go', ['test', '-count=1', './e2eclient/'], { cwd: dir, env: { ...GO_ENV, E2E_BASE_URL: base }, reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
    // The request ID the client sent reached the service's access log.
    // Info lines reach standard output within the logger's flush interval.
    expect(await eventually(async () => logs.some((l) => l.request_id === 'e2e-client-1'), 5_000)).toBe(true);
  }, 300_000);

  it('serves every CRUD route', async () => {
    const created = await call('POST', '/products', { name: 'Cup', price: 3.5, currency: 'EUR', tags: ['kitchen'] });
    expect(created.status).toBe(201);
    const id = String(created.json!.id);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json).toMatchObject({ name: 'Cup', price: 3.5, currency: 'EUR', status: 'active' });

    const got = await call('GET', `/products/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id, name: 'Cup' });

    const listed = await call('GET', '/products?page_size=10');
    expect(listed.status).toBe(200);
    expect((listed.json!.items as { id: string }[]).map((p) => p.id)).toContain(id);

    const updated = await call('PATCH', `/products/${id}`, { price: 4 });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id, price: 4, name: 'Cup' });

    expect((await call('DELETE', `/products/${id}`)).status).toBe(204);
    const gone = await call('GET', `/products/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/problem+json');
  });

  it('rejects invalid input with a 400 problem naming the field', async () => {
    const bad = await call('POST', '/products', { name: 'Cup', price: -1, currency: 'EUR' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(bad.json)).toMatch(/price/);
    const badQuery = await call('GET', '/products?page_size=abc');
    expect(badQuery.status).toBe(400);
    expect(JSON.stringify(badQuery.json)).toMatch(/page_size/);
  });

  it('returns a request ID, echoing the one it is given', async () => {
    const fresh = await call('GET', '/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/\S{8,}/);
    const given = await call('GET', '/products', undefined, { 'X-Request-ID': 'e2e-abc-123' });
    expect(given.headers.get('x-request-id')).toBe('e2e-abc-123');
    expect(await eventually(async () => logs.some((l) => l.request_id === 'e2e-abc-123'), 5_000)).toBe(true);
    const line = logs.find((l) => l.request_id === 'e2e-abc-123');
    expect(line).toMatchObject({ method: 'GET', route: '/products', status: 200 });
    expect(line!.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('counts calls in /metrics under the route pattern, never the raw path', async () => {
    const id = String((await call('POST', '/products', { name: 'A', price: 1, currency: 'EUR' })).json!.id);
    await call('GET', `/products/${id}`);
    await call('GET', `/products/${id}`);
    expect((await call('GET', '/metrics')).status).toBe(404); // not on the API port
    const resp = await fetch(`${admin}/metrics`);
    const metrics = { status: resp.status, text: await resp.text() };
    expect(metrics.status).toBe(200);
    const count = (route: string, code: string) => {
      const line = metrics.text.split('\n').find((l) => l.startsWith('http_requests_total{') && l.includes(`route="${route}"`) && l.includes(`code="${code}"`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    expect(count('/products/{id}', '200')).toBeGreaterThanOrEqual(2);
    expect(count('/products', '201')).toBeGreaterThanOrEqual(1);
    expect(metrics.text).not.toContain(id);
    expect(metrics.text).toMatch(/go_goroutines/);
  });

  it('on SIGTERM turns unready, lets a slow request finish, and exits 0', async () => {
    const url = new URL(base);
    const body = JSON.stringify({ name: 'Slow', price: 1, currency: 'EUR' });
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    let response = '';
    socket.on('data', (d) => (response += d.toString()));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    // Headers and half the body now: the request is in flight.
    socket.write(`POST /products HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 200));
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 150));
    const ready = await call('GET', '/readyz').catch(() => ({ status: 0 }));
    expect(ready.status).toBe(503);
    socket.write(body.slice(10));
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 201 Created/);
    expect(await exited).toBe(0);
  }, 30_000);
});

/** A Go test in the starter's module that drives the running service through pkg/client. */
const GO_CLIENT_E2E = `package e2eclient

import (
	"context"
	"errors"
	"os"
	"testing"

	"example.com/product/pkg/api"
	"example.com/product/pkg/client"
	"example.com/product/pkg/httpclient"
	"example.com/product/pkg/models"
)

func TestClientAgainstRunningService(t *testing.T) {
	cfg := httpclient.DefaultConfig()
	cfg.BaseURL = os.Getenv("E2E_BASE_URL")
	c, err := client.New(cfg, httpclient.WithRequestID(func(context.Context) string { return "e2e-client-1" }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	created, err := c.CreateProduct(ctx, api.CreateProductRequest{Body: models.ProductInput{Name: "Cup", Price: 3.5, Currency: "EUR", Tags: []string{"kitchen"}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.ID == "" || created.Name != "Cup" || created.Status != models.ProductStatusActive {
		t.Fatalf("create returned %+v", created)
	}
	got, err := c.GetProduct(ctx, api.GetProductRequest{ID: created.ID})
	if err != nil || got.ID != created.ID {
		t.Fatalf("get: %+v, %v", got, err)
	}
	page, err := c.ListProducts(ctx, api.ListProductsRequest{PageSize: 10})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	found := false
	for _, p := range page.Items {
		found = found || p.ID == created.ID
	}
	if !found {
		t.Fatalf("list misses %s: %+v", created.ID, page.Items)
	}
	price := 4.0
	updated, err := c.UpdateProduct(ctx, api.UpdateProductRequest{ID: created.ID, Body: models.ProductUpdate{Price: &price}})
	if err != nil || updated.Price != 4 || updated.Name != "Cup" {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	if err := c.DeleteProduct(ctx, api.DeleteProductRequest{ID: created.ID}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var apiErr *httpclient.Error
	_, err = c.GetProduct(ctx, api.GetProductRequest{ID: created.ID})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Title == "" {
		t.Fatalf("get after delete: %v, want a 404 problem", err)
	}
	_, err = c.GetProduct(ctx, api.GetProductRequest{ID: "not-a-uuid"})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || len(apiErr.Errors) == 0 || apiErr.Errors[0].Field != "id" {
		t.Fatalf("bad id: %v (%+v), want a 400 problem naming the field id", err, apiErr)
	}
	if !httpclient.IsStatus(err, 400) {
		t.Fatalf("IsStatus(%v, 400) = false", err)
	}
}
`;

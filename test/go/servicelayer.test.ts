import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genApi } from '../../src/pipeline/gen.js';
import { generateFixtureOnDisk, go, gofmtList } from '../support/go.js';

/**
 * The service layer a user owns survives the contract-change loop: the
 * starter gets a composition root with a dependency of the user's own (a
 * clock), then the contract gains a field; after `svc gen api` the field
 * round-trips create → get → list → update through stubs nobody touched, and
 * the edited service.go still builds.
 */
const CONTRACT = 'productproto/openapi/product.yaml';
const STUBS = ['create_product.go', 'get_product.go', 'list_products.go', 'update_product.go', 'delete_product.go'].map((f) => `internal/service/${f}`);

const SERVICE_GO = `package service

import "time"

// Service implements API, with a clock of its own.
type Service struct {
	Dependencies

	// clock tells the time; a test may stop it.
	clock func() time.Time
}

// New builds the Service and its clock.
func New(deps Dependencies) (*Service, error) {
	return &Service{Dependencies: deps, clock: time.Now}, nil
}
`;

const CLOCK_GO = `package service

import "time"

// Now is the time by the service's clock.
func (s *Service) Now() time.Time { return s.clock() }
`;

const CLOCK_TEST_GO = `package service

import "testing"

func TestNewSetsTheClock(t *testing.T) {
	s, err := New(Dependencies{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Now().IsZero() {
		t.Fatal("the service has no clock")
	}
}
`;

const SKU_TEST_GO = `package handler

import (
	"net/http"
	"testing"
)

func wantSku(t *testing.T, what string, v any, want string) {
	t.Helper()
	if got, _ := v.(string); got != want {
		t.Fatalf("%s: sku %v, want %q", what, v, want)
	}
}

func TestSkuRoundTrips(t *testing.T) {
	srv := newTestServer(t)
	resp, data := do(t, srv, http.MethodPost, "/products", \`{"name":"Lamp","price":12.5,"currency":"EUR","sku":"SKU-1"}\`)
	wantStatus(t, resp, data, http.StatusCreated)
	var created map[string]any
	decode(t, data, &created)
	wantSku(t, "create", created["sku"], "SKU-1")
	id, _ := created["id"].(string)

	resp, data = do(t, srv, http.MethodGet, "/products/"+id, "")
	wantStatus(t, resp, data, http.StatusOK)
	var got map[string]any
	decode(t, data, &got)
	wantSku(t, "get", got["sku"], "SKU-1")

	resp, data = do(t, srv, http.MethodGet, "/products", "")
	wantStatus(t, resp, data, http.StatusOK)
	var page struct {
		Items []map[string]any \`json:"items"\`
	}
	decode(t, data, &page)
	if len(page.Items) != 1 {
		t.Fatalf("list: %s", data)
	}
	wantSku(t, "list", page.Items[0]["sku"], "SKU-1")

	resp, data = do(t, srv, http.MethodPatch, "/products/"+id, \`{"sku":"SKU-2"}\`)
	wantStatus(t, resp, data, http.StatusOK)
	resp, data = do(t, srv, http.MethodGet, "/products/"+id, "")
	wantStatus(t, resp, data, http.StatusOK)
	var updated map[string]any
	decode(t, data, &updated)
	wantSku(t, "update", updated["sku"], "SKU-2")
}
`;

/** Adds an optional `sku` to Product, ProductInput and ProductUpdate. */
function addSku(contract: string): string {
  const next = contract.replace(/^( {4}(?:Product|ProductInput|ProductUpdate):\n(?: {6}.*\n)*? {6}properties:\n)/gm, '$1        sku:\n          type: string\n          maxLength: 64\n');
  expect(next.match(/^ {8}sku:$/gm)).toHaveLength(3);
  return next;
}

describe('the user-owned service layer across svc gen api', () => {
  let dir = '';
  const stubs = new Map<string, string>();

  beforeAll(async () => {
    dir = await generateFixtureOnDisk('starter');
    await writeFile(join(dir, 'internal/service/service.go'), SERVICE_GO);
    await writeFile(join(dir, 'internal/service/clock.go'), CLOCK_GO);
    await writeFile(join(dir, 'internal/service/clock_test.go'), CLOCK_TEST_GO);
    await writeFile(join(dir, 'internal/handler/sku_test.go'), SKU_TEST_GO);
    for (const stub of STUBS) stubs.set(stub, await readFile(join(dir, stub), 'utf8'));
    const contract = join(dir, CONTRACT);
    await writeFile(contract, addSku(await readFile(contract, 'utf8')));
    await genApi({ dir, fs: new DiskFileSystem(dir) });
    await go(dir, 'mod', 'tidy');
  }, 600_000);

  it('leaves the stubs and the edited composition root as they were', async () => {
    for (const [stub, text] of stubs) expect(await readFile(join(dir, stub), 'utf8'), stub).toBe(text);
    expect(await readFile(join(dir, 'internal/service/service.go'), 'utf8')).toBe(SERVICE_GO);
        expect(await readFile(join(dir, 'internal/service/product_crud.gen.go'), 'utf8')).toMatch(/SKU:\s+req\.Body\.SKU,/);
  });

  it('is gofmt-clean and passes go vet', { timeout: 300_000 }, async () => {
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './...');
  });

  it('stores the new field end to end and keeps the user-added dependency', { timeout: 600_000 }, async () => {
    const out = await go(dir, 'test', '-count=1', '-run', 'TestSkuRoundTrips|TestNewSetsTheClock|Lifecycle', './internal/handler/', './internal/service/');
    expect(out).toMatch(/^ok\s+\S+\/internal\/handler/m);
    expect(out).toMatch(/^ok\s+\S+\/internal\/service/m);
  });
});

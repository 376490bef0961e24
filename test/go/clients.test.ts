import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genApi } from '../../src/pipeline/gen.js';
import { generateFixtureOnDisk, go, gofmtList, golangciLint, lint } from '../support/go.js';

const LINTER = golangciLint();

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
});

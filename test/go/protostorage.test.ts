import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genApi } from '../../src/pipeline/gen.js';
import { newService } from '../../src/pipeline/new.js';
import { generateFixtureOnDisk, go, gofmtList } from '../support/go.js';

/**
 * The data layer of proto services, end to end: the starter proto and the
 * library fixture store every field of each resource and read it back
 * through create → get → list → update → delete, over gRPC and over the REST
 * gateway (the generated resources_gen_test.go), on SQLite and in memory; a
 * field added to the contract reaches storage with no user file touched and
 * no migration. With DATABASE_URL set (CI), the SQL services' tests run on
 * PostgreSQL instead of SQLite.
 */

/** Runs the generated storage tests verbosely and returns the names of those that passed. */
async function storageTests(dir: string): Promise<string[]> {
  const out = await go(dir, 'test', '-count=1', '-v', '-run', 'Stored', './cmd/...');
  expect(out).not.toMatch(/^(--- )?FAIL/m);
  return [...out.matchAll(/^--- PASS: (Test\w+)/gm)].map((m) => m[1]!).sort();
}

describe('proto services store their resources', () => {
  it('the starter proto on SQLite, over gRPC and REST', { timeout: 600_000 }, async () => {
    const dir = await generateFixtureOnDisk('starter-proto');
    await go(dir, 'mod', 'tidy');
    expect(readdirSync(join(dir, 'migrations/sqlite'))).toEqual(['00001_create_products.sql']);
    expect(await storageTests(dir)).toEqual(['TestProductStoredOverGRPC', 'TestProductStoredOverREST']);
    // The stubs are a call to the generated helper each.
    expect(readFileSync(join(dir, 'internal/service/product_service_create_product.go'), 'utf8')).toContain('\treturn s.createProduct(ctx, req)\n');

    // A field added to the contract: svc gen api rewrites generated files only, writes no migration, and the field is stored.
    const contract = join(dir, 'productproto/product.proto');
    const text = readFileSync(contract, 'utf8');
    const edited = text.replace('  google.protobuf.Timestamp update_time = 9', '  // Stock keeping unit.\n  string sku = 10;\n  map<string, int64> stock = 11;\n  google.protobuf.Timestamp update_time = 9');
    expect(edited).not.toBe(text);
    writeFileSync(contract, edited);
    const result = await genApi({ dir, fs: new DiskFileSystem(dir), force: false });
    const written = result.written;
    expect(written.filter((p) => p.startsWith('internal/service/') && !p.endsWith('.gen.go'))).toEqual([]);
    expect(written.filter((p) => p.startsWith('migrations/'))).toEqual([]);
    expect(readFileSync(join(dir, 'productproto/product.pb.go'), 'utf8')).toContain('Sku ');
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './...');
    expect(await storageTests(dir)).toEqual(['TestProductStoredOverGRPC', 'TestProductStoredOverREST']);
  });

  it('the library: nested names, maps, oneofs, well-known types, a partial resource', { timeout: 600_000 }, async () => {
    const dir = await generateFixtureOnDisk('library');
    await go(dir, 'mod', 'tidy');
    expect(await storageTests(dir)).toEqual(['TestBookStoredOverGRPC', 'TestBookStoredOverREST', 'TestShelfStoredOverGRPC', 'TestShelfStoredOverREST']);
  });

  it('the starter proto in memory (--database memory)', { timeout: 600_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'svc-protomem-')), 'product');
    await newService({ name: 'product', module: 'example.com/product', dir, fs: new DiskFileSystem(dir), proto: true, transports: ['http', 'grpc'], database: 'memory' });
    await go(dir, 'mod', 'tidy');
    expect(readFileSync(join(dir, 'cmd/product/wire.go'), 'utf8')).toContain('repository.NewMemoryProductRepository()');
    expect(await storageTests(dir)).toEqual(['TestProductStoredOverGRPC', 'TestProductStoredOverREST']);
  });
});

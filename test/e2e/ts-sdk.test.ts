import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { Project } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureOptions, renderFixture } from '../../src/devtools/fixtures.js';
import type { Artifact } from '../../src/render/artifact.js';
import { gatewayModel } from '../../src/render/proto/gatewaymodel.js';
import { generateTsSdk } from '../../src/render/ts/index.js';
import { buildStarter, generateFixtureOnDisk, go, hasGo } from '../support/go.js';
import { startService, type RunningService } from '../support/service.js';

/**
 * End to end: the starter service runs on loopback; its TypeScript SDK,
 * written to disk and compiled with its own tsconfig.json, is used from a
 * Node ESM script to create, get, list, update and delete a product, and
 * gets a ProblemError for a bad request. The proto starter the same way,
 * through its REST gateway.
 */

const sdkDirs: string[] = [];
afterAll(() => {
  for (const d of sdkDirs) rmSync(d, { recursive: true, force: true });
});

/** Writes the SDK to a fresh folder and builds it with its own tsconfig.json (the program ts-morph drives: what `tsc` does). */
async function writeAndBuild(files: Artifact[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'svc-ts-sdk-e2e-'));
  sdkDirs.push(dir);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const project = new Project({ tsConfigFilePath: join(dir, 'tsconfig.json') });
  const diagnostics = project.getPreEmitDiagnostics();
  if (diagnostics.length > 0) throw new Error(project.formatDiagnosticsWithColorAndContext(diagnostics));
  const emitted = await project.emit();
  if (emitted.getEmitSkipped()) throw new Error('the SDK was not emitted');
  // And the tsc of the TypeScript its package.json names (5.9), as `npm run build` would run it.
  const tsc = await execa(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json'), '--noEmit'], { reject: false, all: true });
  if (tsc.exitCode !== 0) throw new Error(`tsc -p tsconfig.json failed:\n${tsc.all}`);
  return dir;
}

/** Runs an ES module script beside the built SDK with the service's base URL; returns what it prints as JSON. */
async function runScript(dir: string, base: string, lines: string[]): Promise<Record<string, any>> {
  writeFileSync(join(dir, 'e2e.mjs'), lines.join('\n'));
  const run = await execa(process.execPath, [join(dir, 'e2e.mjs'), base], { reject: false, all: true });
  if (run.exitCode !== 0) throw new Error(`e2e.mjs failed (exit ${run.exitCode}):\n${run.all}`);
  return JSON.parse(run.stdout) as Record<string, any>;
}

/** The script's helper: the fields of the ProblemError a call throws. */
const PROBLEM = [
  'const problem = async (call) => {',
  '  try {',
  '    await call();',
  "    return 'no error';",
  '  } catch (e) {',
  "    if (!(e instanceof ProblemError)) return `not a ProblemError: ${e}`;",
  '    return { status: e.status, type: e.type, title: e.title, detail: e.detail, errors: e.errors, requestId: e.requestId, message: e.message };',
  '  }',
  '};',
];
describe.skipIf(!hasGo())('the starter service through its TypeScript SDK', () => {
  let service: RunningService | undefined;
  let sdk = '';

  beforeAll(async () => {
    const dir = await buildStarter();
    service = await startService(join(dir, 'bin', 'product'), dir, {});
    const { result } = await renderFixture('starter');
    sdk = await writeAndBuild(generateTsSdk(result.model, { packageName: '@example/product-client' }));
  }, 600_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('creates, gets, lists, updates and deletes a product, and throws ProblemError for a bad request', async () => {
    const out = await runScript(sdk, service!.base, [
      "import { Client, ProblemError } from './dist/index.js';",
      'const client = new Client({ baseUrl: process.argv[2], retry: false });',
      ...PROBLEM,
      'const out = {};',
      "out.created = await client.createProduct({ body: { name: 'Cup', price: 3.5, currency: 'EUR', tags: ['kitchen'] } });",
      'const id = out.created.id;',
      'out.got = await client.getProduct({ path: { id } });',
      'out.listed = await client.listProducts({ query: { page_size: 10 } });',
      'out.updated = await client.updateProduct({ path: { id }, body: { price: 4 } });',
      'out.deleted = await client.deleteProduct({ path: { id } });',
      'out.gone = await problem(() => client.getProduct({ path: { id } }));',
      "out.bad = await problem(() => client.createProduct({ body: { name: 'Cup', price: -1, currency: 'EUR' } }));",
      'console.log(JSON.stringify(out));',
    ]);
    expect(out.created).toMatchObject({ name: 'Cup', price: 3.5, currency: 'EUR', status: 'active', tags: ['kitchen'] });
    const id = String(out.created.id);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.got).toMatchObject({ id, name: 'Cup' });
    expect((out.listed.items as { id: string }[]).map((p) => p.id)).toContain(id);
    expect(out.updated).toMatchObject({ id, price: 4, name: 'Cup' });
    expect(out.deleted).toBeUndefined();
    expect(out.gone).toMatchObject({ status: 404, title: 'Not Found' });
    expect(out.bad).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(out.bad.detail).toMatch(/price/);
    expect(out.bad.errors).toEqual([expect.objectContaining({ field: 'price' })]);
    expect(out.bad.requestId).toMatch(/\S{8,}/);
    expect(out.bad.message).toMatch(/^createProduct: 400 Bad Request: /);
  }, 120_000);
});

describe.skipIf(!hasGo())('the proto starter through its REST gateway and TypeScript SDK', () => {
  let service: RunningService | undefined;
  let sdk = '';

  beforeAll(async () => {
    const dir = await generateFixtureOnDisk('starter-proto');
    await go(dir, 'mod', 'tidy');
    await go(dir, 'build', '-o', 'bin/product', './cmd/product');
    service = await startService(join(dir, 'bin', 'product'), dir, { PRODUCT_GRPC_ADDR: '127.0.0.1:0' });
    const o = fixtureOptions('starter-proto');
    const { result } = await renderFixture('starter-proto');
    const model = await gatewayModel(result.model, { name: o.name, module: `example.com/${o.name}`, contract: 'contract', contractKind: 'proto', transports: ['http', 'grpc'] });
    sdk = await writeAndBuild(generateTsSdk(model, { packageName: '@example/product-client' }));
  }, 600_000);

  afterAll(async () => {
    await service?.stop();
  });

  it('speaks protojson: creates, gets, lists, updates and deletes a product, and throws ProblemError for a bad request', async () => {
    const out = await runScript(sdk, service!.base, [
      "import { Client, ProblemError } from './dist/index.js';",
      'const client = new Client({ baseUrl: process.argv[2], retry: false });',
      ...PROBLEM,
      'const out = {};',
      "out.created = await client.createProduct({ body: { displayName: 'Cup', priceMinor: '350', currency: 'EUR' } });",
      "const product = out.created.name.split('/')[1];",
      'out.got = await client.getProduct({ path: { product } });',
      'out.listed = await client.listProducts({ query: { pageSize: 10 } });',
      "out.updated = await client.updateProduct({ path: { product }, query: { updateMask: 'priceMinor' }, body: { displayName: 'Cup', priceMinor: 400, currency: 'EUR' } });",
      'out.deleted = await client.deleteProduct({ path: { product } });',
      'out.gone = await problem(() => client.getProduct({ path: { product } }));',
      "out.bad = await problem(() => client.createProduct({ body: { displayName: '', priceMinor: 1, currency: 'EUR' } }));",
      'console.log(JSON.stringify(out));',
    ]);
    expect(out.created).toMatchObject({ displayName: 'Cup', priceMinor: '350', currency: 'EUR' });
    const name = String(out.created.name);
    expect(name).toMatch(/^products\/[0-9a-f-]{36}$/);
    expect(out.got).toMatchObject({ name, displayName: 'Cup' });
    expect((out.listed.products as { name: string }[]).map((p) => p.name)).toContain(name);
    expect(out.updated).toMatchObject({ name, priceMinor: '400' });
    expect(out.deleted).toEqual({});
    expect(out.gone).toMatchObject({ status: 404, title: 'Not Found' });
    expect(out.bad).toMatchObject({ status: 400, title: 'Bad Request', errors: [{ field: 'product.display_name', detail: 'is required' }] });
  }, 120_000);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { Project } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixture } from '../../src/devtools/fixtures.js';
import { generateTsSdk } from '../../src/render/ts/index.js';
import { buildStarter, hasGo } from '../support/go.js';
import { startService, type RunningService } from '../support/service.js';

/**
 * End to end: the starter service runs on loopback; its TypeScript SDK,
 * written to disk and compiled with its own tsconfig.json, is used from a
 * Node ESM script to create, get, list, update and delete a product, and
 * gets a ProblemError for a bad request.
 */
describe.skipIf(!hasGo())('the starter service through its TypeScript SDK', () => {
  let service: RunningService | undefined;
  let sdk = '';

  beforeAll(async () => {
    const dir = await buildStarter();
    service = await startService(join(dir, 'bin', 'product'), dir, {});
    const { result } = await renderFixture('starter');
    sdk = mkdtempSync(join(tmpdir(), 'svc-ts-sdk-e2e-'));
    for (const f of generateTsSdk(result.model, { packageName: '@example/product-client' })) {
      mkdirSync(dirname(join(sdk, f.path)), { recursive: true });
      writeFileSync(join(sdk, f.path), f.content);
    }
  }, 600_000);

  afterAll(async () => {
    await service?.stop();
    if (sdk) rmSync(sdk, { recursive: true, force: true });
  });

  it('compiles with its own tsconfig.json and runs in Node against the service', async () => {
    // The package's build, done by the TypeScript program ts-morph drives (what `tsc` does).
    const project = new Project({ tsConfigFilePath: join(sdk, 'tsconfig.json') });
    const diagnostics = project.getPreEmitDiagnostics();
    expect(project.formatDiagnosticsWithColorAndContext(diagnostics)).toBe('');
    const emitted = await project.emit();
    expect(emitted.getEmitSkipped()).toBe(false);

    writeFileSync(
      join(sdk, 'e2e.mjs'),
      [
        "import { Client, ProblemError } from './dist/index.js';",
        'const client = new Client({ baseUrl: process.argv[2], retry: false });',
        'const problem = async (call) => {',
        '  try {',
        '    await call();',
        "    return 'no error';",
        '  } catch (e) {',
        "    if (!(e instanceof ProblemError)) return `not a ProblemError: ${e}`;",
        '    return { status: e.status, type: e.type, title: e.title, detail: e.detail, errors: e.errors, requestId: e.requestId, message: e.message };',
        '  }',
        '};',
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
      ].join('\n'),
    );
    const run = await execa(process.execPath, [join(sdk, 'e2e.mjs'), service!.base], { reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, any>;

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

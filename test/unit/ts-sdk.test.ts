import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Project, ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import type { Field, Operation, ServiceModel, TypeDecl, TypeRef } from '../../src/model/types.js';
import { isGeneratedContent, type Artifact } from '../../src/render/artifact.js';
import { applyPlan } from '../../src/apply/apply.js';
import { renderFixture } from '../../src/devtools/fixtures.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { planChanges } from '../../src/plan/plan.js';
import { readManifest } from '../../src/project/manifest.js';
import { gatewayModel } from '../../src/render/proto/gatewaymodel.js';
import { RUNTIME_EXPORTS } from '../../src/render/ts/names.js';
import { checkTsSdk, generateTsSdk, renderTsSdk, TS_SDK_FILES, TS_SDK_TARGET } from '../../src/render/ts/index.js';
import { undeclared } from '../../src/render/target.js';

/** Small given/want cases of the TypeScript SDK target, and its runtime run against a fake fetch. */

const str: TypeRef = { kind: 'scalar', scalar: 'string' };
const int: TypeRef = { kind: 'scalar', scalar: 'int32' };
const named = (name: string): TypeRef => ({ kind: 'named', name });

function model(p: Partial<ServiceModel>): ServiceModel {
  return { name: 'shop', title: 'Shop', version: '1.0.0', types: [], operations: [], resources: [], warnings: [], securitySchemes: [], ...p };
}

function op(p: Partial<Operation> & Pick<Operation, 'name' | 'method' | 'path'>): Operation {
  return { group: 'shop', deprecated: false, parameters: [], success: { status: 200 }, otherResponses: [], security: [], ...p };
}

function field(name: string, type: TypeRef, more: Partial<Field> = {}): Field {
  return { name, type, required: true, nullable: false, readOnly: false, constraints: {}, ...more };
}

function object(name: string, fields: Field[]): TypeDecl {
  return { kind: 'object', name, fields };
}

const Cat = object('Cat', [field('kind', str), field('meow', str)]);
const Dog = object('Dog', [field('kind', str), field('bark', str)]);
const Pet: TypeDecl = {
  kind: 'union',
  name: 'Pet',
  discriminator: 'kind',
  variants: [
    { type: named('Cat'), constraints: {}, tags: ['cat'] },
    { type: named('Dog'), constraints: {}, tags: ['dog', 'doggo'] },
  ],
};
const Problem = object('Problem', [field('title', str)]);

function content(files: Artifact[], path: string): string {
  const f = files.find((a) => a.path === path);
  if (!f) throw new Error(`no ${path}`);
  return f.content;
}

/** The SDK's files plus one more TypeScript file that uses them. */
function withUsage(files: Artifact[], usage: string): Artifact[] {
  return [...files, { path: 'src/usage.ts', content: usage, owner: 'user' }];
}

const temp: string[] = [];
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

/** Transpiles the SDK to JavaScript in a temporary folder and imports its index. */
async function load(files: Artifact[]): Promise<Record<string, any>> {
  const dir = mkdtempSync(join(tmpdir(), 'svc-ts-sdk-'));
  temp.push(dir);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const f of files.filter((a) => a.path.endsWith('.ts'))) {
    const js = ts.transpileModule(f.content, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = join(dir, f.path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  return (await import(pathToFileURL(join(dir, 'src', 'index.js')).href)) as Record<string, any>;
}

interface Seen {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
  raw: unknown;
}

/** A fetch that records each request and answers from a list of responses (the last one repeats). */
function fakeFetch(answers: (() => Response)[]) {
  const seen: Seen[] = [];
  const fetch = async (input: string, init: RequestInit): Promise<Response> => {
    seen.push({ url: new URL(input), method: init.method ?? 'GET', headers: new Headers(init.headers), body: typeof init.body === 'string' ? init.body : undefined, raw: init.body });
    return answers[Math.min(seen.length, answers.length) - 1]!();
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('models.ts', () => {
  it('writes an enum as a union of literals', () => {
    const files = renderTsSdk(
      model({
        types: [
          { kind: 'enum', name: 'pet_status', base: 'string', values: [{ value: 'available' }, { value: "it's" }] },
          { kind: 'enum', name: 'Level', base: 'int', values: [{ value: 1 }, { value: -2 }] },
        ],
      }),
      { packageName: 'shop' },
    );
    const models = content(files, 'src/models.ts');
    expect(models).toContain("export type PetStatus = 'available' | 'it\\'s';");
    expect(models).toContain('export type Level = 1 | -2;');
    expect(checkTsSdk(files)).toEqual([]);
  });

  it('writes a oneOf with a discriminator as a discriminated union that narrows', () => {
    const files = renderTsSdk(model({ types: [Cat, Dog, Pet] }), { packageName: 'shop' });
    expect(content(files, 'src/models.ts')).toContain("export type Pet = (Cat & { kind: 'cat' }) | (Dog & { kind: 'dog' | 'doggo' });");
    // An exhaustive switch compiles only when the union is discriminated.
    const usage = [
      "import type { Pet } from './index.js';",
      'export function sound(p: Pet): string {',
      '  switch (p.kind) {',
      "    case 'cat':",
      '      return p.meow;',
      "    case 'dog':",
      "    case 'doggo':",
      '      return p.bark;',
      '  }',
      '}',
    ].join('\n');
    expect(checkTsSdk(withUsage(files, usage))).toEqual([]);
  });

  it('writes a union without a discriminator as a plain union', () => {
    const plain: TypeDecl = { kind: 'union', name: 'Ref', variants: [{ type: str, constraints: {}, tags: [] }, { type: int, constraints: {}, tags: [] }, { type: named('Cat'), constraints: {}, tags: [] }] };
    const files = renderTsSdk(model({ types: [Cat, plain] }), { packageName: 'shop' });
    expect(content(files, 'src/models.ts')).toContain('export type Ref = string | number | Cat;');
  });

  it('writes nullable, optional, array, map and any fields', () => {
    const files = renderTsSdk(
      model({
        types: [
          object('Item', [
            field('tags', { kind: 'array', items: str }, { required: false, nullable: true }),
            field('labels', { kind: 'map', values: int }),
            field('extra', { kind: 'any' }, { required: false }),
            field('created-at', { kind: 'scalar', scalar: 'datetime' }, { readOnly: true, description: 'When.' }),
            field('children', { kind: 'array', items: { kind: 'array', items: named('Item') } }, { required: false }),
          ]),
        ],
      }),
      { packageName: 'shop' },
    );
    const models = content(files, 'src/models.ts');
    expect(models).toContain('  tags?: string[] | null;');
    expect(models).toContain('  labels: { [key: string]: number };');
    expect(models).toContain('  extra?: unknown;');
    expect(models).toContain("  'created-at': string;");
    expect(models).toContain('  children?: Item[][];');
    expect(models).toContain('Set by the server; ignored in requests.');
    expect(checkTsSdk(files)).toEqual([]);
  });

  it('turns aliases that only reach themselves through aliases into unknown, and keeps the SDK compiling', () => {
    const files = renderTsSdk(
      model({
        types: [
          { kind: 'alias', name: 'A', type: named('B'), constraints: {} },
          { kind: 'union', name: 'B', variants: [{ type: named('A'), constraints: {}, tags: [] }, { type: str, constraints: {}, tags: [] }] },
          { kind: 'alias', name: 'Tree', type: { kind: 'map', values: named('Tree') }, constraints: {} },
        ],
      }),
      { packageName: 'shop' },
    );
    const models = content(files, 'src/models.ts');
    expect(models).toContain('export type A = unknown;');
    expect(models).toContain('export type Tree = { [key: string]: Tree };');
    expect(checkTsSdk(files)).toEqual([]);
  });

  it('reserves every name runtime.ts and client.ts export for themselves', () => {
    const files = renderTsSdk(model({ operations: [op({ name: 'x', method: 'POST', path: '/x/{id}', parameters: [{ name: 'id', in: 'path', type: str, required: true, constraints: {} }] })] }), { packageName: 'x' });
    const project = new Project({ useInMemoryFileSystem: true });
    const exported = (path: string) => [...project.createSourceFile(path, content(files, path)).getExportedDeclarations().keys()];
    const own = [...exported('src/runtime.ts'), 'Client'];
    expect([...own].sort()).toEqual([...RUNTIME_EXPORTS].sort());
  });

  it('decides names once: sanitised, unique, clear of the runtime exports', () => {
    const files = renderTsSdk(
      model({
        types: [object('ProblemError', []), object('Client', []), object('pet.Kind', []), object('PetKind', []), object('2fa', [])],
        operations: [op({ name: 'delete', method: 'DELETE', path: '/x' }), op({ name: 'constructor', method: 'GET', path: '/y' })],
      }),
      { packageName: 'shop' },
    );
    const models = content(files, 'src/models.ts');
    for (const n of ['ProblemError2', 'Client2', 'PetKind', 'PetKind2', 'X2fa']) expect(models).toContain(`export interface ${n} {`);
    const client = content(files, 'src/client.ts');
    expect(client).toContain('async delete_(options?: CallOptions): Promise<void>');
    expect(client).toContain('async constructor_(options?: CallOptions): Promise<void>');
    expect(checkTsSdk(files)).toEqual([]);
  });
});

describe('client.ts', () => {
  it('keeps a body media type that closes comments (*/*) inside its doc comment', () => {
    const files = renderTsSdk(
      model({ operations: [op({ name: 'upload', method: 'POST', path: '/files', body: { type: { kind: 'scalar', scalar: 'bytes' }, required: true, contentType: '*/*' } })] }),
      { packageName: 'shop' },
    );
    expect(content(files, 'src/client.ts')).toContain('/** The request body (*\\/*). */');
    expect(checkTsSdk(files)).toEqual([]);
  });

  const updatePet = op({
    name: 'updatePet',
    method: 'PUT',
    path: '/pets/{pet-id}',
    parameters: [
      { name: 'pet-id', in: 'path', type: str, required: true, constraints: {} },
      { name: 'dry_run', in: 'query', type: { kind: 'scalar', scalar: 'bool' }, required: false, constraints: {} },
      { name: 'tag', in: 'query', type: { kind: 'array', items: str }, required: false, constraints: {} },
      { name: 'X-Trace', in: 'header', type: str, required: false, constraints: {} },
    ],
    body: { type: named('Pet'), required: true, contentType: 'application/json' },
    success: { status: 200, type: named('Pet'), contentType: 'application/json' },
    otherResponses: [{ status: 0, code: 'default', type: named('Problem'), contentType: 'application/problem+json', problem: true }],
  });
  const getPet = op({
    name: 'getPet',
    method: 'GET',
    path: '/pets/{id}',
    parameters: [{ name: 'id', in: 'path', type: int, required: true, constraints: {} }],
    success: { status: 200, code: '200', type: named('Pet') },
    otherResponses: [
      { status: 404, code: '404', type: named('Missing'), contentType: 'application/json' },
      { status: 0, code: 'default', type: named('Problem'), contentType: 'application/json' },
    ],
  });
  const Missing = object('Missing', [field('reason', str)]);
  const shop = model({ types: [Cat, Dog, Pet, Problem, Missing], operations: [updatePet, getPet] });
  const files = renderTsSdk(shop, { packageName: 'shop' });
  const client = content(files, 'src/client.ts');

  it('takes an operation with path, query, header and body as typed params', () => {
    expect(client).toContain(
      [
        'export interface UpdatePetParams {',
        '  path: {',
        "    'pet-id': string;",
        '  };',
        '  query?: {',
        '    dry_run?: boolean;',
        '    tag?: string[];',
        '  };',
        '  header?: {',
        "    'X-Trace'?: string;",
        '  };',
        '  /** The request body (application/json). */',
        '  body: models.Pet;',
        '}',
      ].join('\n'),
    );
    expect(client).toContain('async updatePet(params: UpdatePetParams, options?: CallOptions): Promise<models.Pet> {');
    expect(client).toContain("path: `/pets/${pathParam(params.path['pet-id'])}`,");
    expect(client).toContain('idempotent: true,');
  });

  it('returns a typed union of the statuses an operation answers with', () => {
    expect(client).toContain(
      [
        'export type GetPetResponse =',
        "  | { code: '200'; status: 200; body: models.Pet; headers: Headers }",
        "  | { code: '404'; status: 404; body: models.Missing; headers: Headers }",
        "  | { code: 'default'; status: number; body: models.Problem; headers: Headers };",
      ].join('\n'),
    );
    expect(client).toContain("responses: { '200': 'json', '404': 'json', 'default': 'json' }");
    const usage = [
      "import { Client } from './index.js';",
      'export async function name(c: Client): Promise<string> {',
      '  const r = await c.getPet({ path: { id: 1 } });',
      '  switch (r.code) {',
      "    case '200':",
      "      return r.body.kind;",
      "    case '404':",
      '      return r.body.reason;',
      "    case 'default':",
      '      return r.status;',
      '  }',
      '}',
    ].join('\n');
    // The switch narrows each body; `return r.status` is a number, not a string: the check says so, with the file and line.
    const diagnostics = checkTsSdk(withUsage(files, usage));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(/^src\/usage\.ts:10: Type 'number' is not assignable to type 'string'/);
    expect(checkTsSdk(withUsage(files, usage.replace('return r.status;', 'return r.body.title;')))).toEqual([]);
  });

  it('compiles; the TypeScript files are the generator\'s, the package files the user\'s once edited', () => {
    expect(checkTsSdk(files)).toEqual([]);
    expect(generateTsSdk(shop, { packageName: 'shop' })).toEqual(files);
    expect(files.map((f) => f.path)).toEqual([...TS_SDK_FILES]);
    for (const f of files) expect(f.owner, f.path).toBe(f.path.endsWith('.ts') ? 'generated' : 'user');
    for (const f of files) expect(isGeneratedContent(f.content), f.path).toBe(f.path.endsWith('.ts'));
    // The target's table says what it writes and who owns it: the same as the render.
    expect(undeclared(TS_SDK_TARGET.files, files)).toEqual([]);
    const pkg = JSON.parse(content(files, 'package.json')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'shop', version: '1.0.0', type: 'module', types: './dist/index.d.ts' });
    expect(pkg.dependencies).toBeUndefined();
    expect(JSON.parse(content(files, 'tsconfig.json'))).toMatchObject({ compilerOptions: { strict: true, noUncheckedIndexedAccess: true, target: 'ES2022', module: 'NodeNext' } });
  });

  it('catches a file that does not compile, naming its path and line', () => {
    const broken = files.map((f) => (f.path === 'src/client.ts' ? { ...f, content: f.content.replace('Promise<models.Pet>', 'Promise<models.Nope>') } : f));
    const diagnostics = checkTsSdk(broken);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatch(/^src\/client\.ts:\d+: .*Nope/);
  });

  it('sends the request the params describe and returns the success body', async () => {
    const sdk = await load(files);
    const { fetch, seen } = fakeFetch([json(200, { kind: 'cat', meow: 'purr' })]);
    const c = new sdk.Client({ baseUrl: 'http://svc.test/api/', fetch, headers: { 'X-Tenant': 't1' } });
    const pet = await c.updatePet({ path: { 'pet-id': 'a/b c' }, query: { dry_run: true, tag: ['x', 'y'] }, header: { 'X-Trace': 'tr' }, body: { kind: 'cat', meow: 'purr' } });
    expect(pet).toEqual({ kind: 'cat', meow: 'purr' });
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('PUT');
    expect(req.url.pathname).toBe('/api/pets/a%2Fb%20c');
    expect(req.url.search).toBe('?dry_run=true&tag=x&tag=y');
    expect(req.headers.get('x-trace')).toBe('tr');
    expect(req.headers.get('x-tenant')).toBe('t1');
    expect(req.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(req.body!)).toEqual({ kind: 'cat', meow: 'purr' });
  });

  it('returns declared error answers as values and throws ProblemError for the others', async () => {
    const sdk = await load(files);
    const missing = fakeFetch([json(404, { reason: 'gone' })]);
    const c = new sdk.Client({ baseUrl: 'http://svc.test', fetch: missing.fetch });
    const r = await c.getPet({ path: { id: 7 } });
    expect(r.code).toBe('404');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ reason: 'gone' });
    expect(missing.seen[0]!.url.pathname).toBe('/pets/7');

    const problem = fakeFetch([
      json(400, { type: 'https://errors.test/invalid', title: 'Bad Request', status: 400, detail: 'name is required', instance: '/pets/x', code: 'invalid_argument', errors: [{ field: 'name', detail: 'is required' }] }, { 'Content-Type': 'application/problem+json', 'X-Request-ID': 'rid-1' }),
    ]);
    const c2 = new sdk.Client({ baseUrl: 'http://svc.test', fetch: problem.fetch });
    const err = await c2.updatePet({ path: { 'pet-id': 'x' }, body: { kind: 'dog', bark: 'woof' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk.ProblemError);
    expect(err).toMatchObject({
      name: 'ProblemError',
      operation: 'updatePet',
      status: 400,
      type: 'https://errors.test/invalid',
      title: 'Bad Request',
      detail: 'name is required',
      instance: '/pets/x',
      code: 'invalid_argument',
      errors: [{ field: 'name', detail: 'is required' }],
      requestId: 'rid-1',
    });
    expect((err as Error).message).toBe('updatePet: 400 Bad Request: name is required');
  });

  it('retries an idempotent call after 503s, and never a POST', async () => {
    const sdk = await load(renderTsSdk(model({ operations: [op({ name: 'ping', method: 'GET', path: '/ping' }), op({ name: 'poke', method: 'POST', path: '/poke' })] }), { packageName: 'x' }));
    const flaky = fakeFetch([json(503, {}), json(503, {}), () => new Response(null, { status: 200 })]);
    const c = new sdk.Client({ baseUrl: 'http://svc.test', fetch: flaky.fetch, retry: { initialBackoffMs: 1, maxBackoffMs: 5 } });
    await c.ping();
    expect(flaky.seen).toHaveLength(3);

    const post = fakeFetch([json(503, { title: 'Service Unavailable' }), () => new Response(null, { status: 200 })]);
    const c2 = new sdk.Client({ baseUrl: 'http://svc.test', fetch: post.fetch, retry: { initialBackoffMs: 1 } });
    await expect(c2.poke()).rejects.toMatchObject({ status: 503 });
    expect(post.seen).toHaveLength(1);

    const down = fakeFetch([json(503, {})]);
    const c3 = new sdk.Client({ baseUrl: 'http://svc.test', fetch: down.fetch, retry: { maxAttempts: 2, initialBackoffMs: 1 } });
    await expect(c3.ping()).rejects.toMatchObject({ status: 503 });
    expect(down.seen).toHaveLength(2);
  });

  it('honours Retry-After (capped by maxBackoffMs)', async () => {
    const sdk = await load(renderTsSdk(model({ operations: [op({ name: 'ping', method: 'GET', path: '/ping' })] }), { packageName: 'x' }));
    const limited = fakeFetch([() => new Response(null, { status: 429, headers: { 'Retry-After': '0.3' } }), () => new Response(null, { status: 200 })]);
    const c = new sdk.Client({ baseUrl: 'http://svc.test', fetch: limited.fetch, retry: { initialBackoffMs: 0, maxBackoffMs: 5_000 } });
    const started = Date.now();
    await c.ping();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(limited.seen).toHaveLength(2);
  });

  it('stops a call at its timeout and at the caller\'s abort', async () => {
    const sdk = await load(renderTsSdk(model({ operations: [op({ name: 'ping', method: 'GET', path: '/ping' })] }), { packageName: 'x' }));
    const hang = (_: string, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    const c = new sdk.Client({ baseUrl: 'http://svc.test', fetch: hang, timeoutMs: 50 });
    await expect(c.ping()).rejects.toMatchObject({ name: 'TimeoutError' });
    const controller = new AbortController();
    const pending = c.ping({ signal: controller.signal, timeoutMs: 0 });
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
  });

  it('sends the credentials of the first requirement the auth hook satisfies', async () => {
    const secured = model({
      securitySchemes: [
        { name: 'bearerAuth', kind: 'bearer' },
        { name: 'key', kind: 'apiKey', in: 'query', param: 'api_key' },
      ],
      operations: [
        op({ name: 'mine', method: 'GET', path: '/mine', security: [[{ scheme: 'bearerAuth', scopes: [] }], [{ scheme: 'key', scopes: [] }]] }),
        op({ name: 'open', method: 'GET', path: '/open', security: [] }),
      ],
    });
    const files = renderTsSdk(secured, { packageName: 'x' });
    expect(checkTsSdk(files)).toEqual([]);
    const sdk = await load(files);
    const f = fakeFetch([() => new Response(null, { status: 200 })]);
    const tokenless = new sdk.Client({ baseUrl: 'http://svc.test', fetch: f.fetch, auth: (scheme: string) => (scheme === 'key' ? 'k1' : undefined) });
    await tokenless.mine();
    expect(f.seen[0]!.url.searchParams.get('api_key')).toBe('k1');
    expect(f.seen[0]!.headers.get('authorization')).toBeNull();
    const withToken = new sdk.Client({ baseUrl: 'http://svc.test', fetch: f.fetch, auth: () => 'tok' });
    await withToken.mine();
    expect(f.seen[1]!.headers.get('authorization')).toBe('Bearer tok');
    await withToken.open();
    expect(f.seen[2]!.headers.get('authorization')).toBeNull();
  });
});

describe('idempotency and proto services', () => {
  it('retries what the contract marks idempotent (x-svc-idempotent), whatever the method', () => {
    const marked = { ...op({ name: 'upsert', method: 'POST', path: '/u' }), idempotent: true } as Operation;
    const unmarked = { ...op({ name: 'replace', method: 'PUT', path: '/r' }), idempotent: false } as Operation;
    const client = content(renderTsSdk(model({ operations: [marked, unmarked, op({ name: 'plain', method: 'PUT', path: '/p' })] }), { packageName: 'x' }), 'src/client.ts');
    const idempotent = [...client.matchAll(/operation: '(\w+)',[^]*?idempotent: (\w+),/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(idempotent).toEqual(['upsert=true', 'replace=false', 'plain=true']);
  });

  it('renders a proto service from its gateway\'s document: JSON names, gateway paths, RPC method names', async () => {
    const { result } = await renderFixture('starter-proto');
    expect(() => renderTsSdk(result.model, { packageName: 'x' })).toThrow(/gatewayModel/);
    const files = renderTsSdk(await gatewayModel(result.model), { packageName: 'x' });
    const client = content(files, 'src/client.ts');
    expect(client).toContain('async createProduct(params: CreateProductParams, options?: CallOptions): Promise<models.ProductV1Product> {');
    expect(client).toContain("path: `/v1/products/${pathParam(params.path.product)}`,");
    expect(client).toContain('pageSize?: models.');
    const models = content(files, 'src/models.ts');
    expect(models).toContain('  displayName: string;');
    expect(models).toContain('  nextPageToken?: string;');
    expect(checkTsSdk(files)).toEqual([]);
  });
});

describe('regenerating an SDK', () => {
  /** Plans and applies the SDK's files as `svc gen client --lang ts` does; returns the action per path. */
  async function gen(fs: MemoryFileSystem, m: ServiceModel): Promise<Record<string, string>> {
    const artifacts = generateTsSdk(m, { packageName: 'shop' });
    const manifest = await readManifest(fs);
    const plan = await planChanges(artifacts, fs, manifest, { force: false });
    await applyPlan(plan, fs, manifest);
    return Object.fromEntries(plan.changes.map((c) => [c.artifact.path, c.action]));
  }

  it('changes nothing on an unchanged contract, follows a changed one, and keeps the user\'s edit of package.json', async () => {
    const fs = new MemoryFileSystem();
    const v1 = model({ types: [Cat], operations: [op({ name: 'getCat', method: 'GET', path: '/cat', success: { status: 200, type: named('Cat') } })] });
    expect(Object.values(await gen(fs, v1)).every((a) => a === 'create')).toBe(true);
    expect(Object.values(await gen(fs, v1)).every((a) => a === 'unchanged')).toBe(true);

    const v2 = { ...v1, version: '1.1.0' };
    const second = await gen(fs, v2);
    expect(second['package.json']).toBe('overwrite');
    expect(second['src/client.ts']).toBe('overwrite');
    expect(second['src/models.ts']).toBe('unchanged');

    const pkg = (await fs.read('package.json'))!.replace('"name": "shop"', '"name": "@acme/shop"');
    await fs.write('package.json', pkg);
    const third = await gen(fs, { ...v2, version: '1.2.0' });
    expect(third['package.json']).toBe('skip');
    expect(await fs.read('package.json')).toBe(pkg);
    expect(third['src/client.ts']).toBe('overwrite');
  });
});

describe('request bodies', () => {
  const Doc = object('Doc', [field('title', str), field('file', { kind: 'scalar', scalar: 'bytes' }), field('tags', { kind: 'array', items: str }, { required: false })]);
  const files = renderTsSdk(
    model({
      types: [Doc],
      operations: [
        op({ name: 'upload', method: 'POST', path: '/docs', body: { type: named('Doc'), required: true, contentType: 'multipart/form-data' }, success: { status: 204 } }),
        op({ name: 'login', method: 'POST', path: '/login', body: { type: named('Doc'), required: true, contentType: 'application/x-www-form-urlencoded' }, success: { status: 204 } }),
        op({ name: 'put', method: 'PUT', path: '/blob', body: { type: { kind: 'scalar', scalar: 'bytes' }, required: true, contentType: 'application/octet-stream' }, success: { status: 204 } }),
      ],
    }),
    { packageName: 'x' },
  );

  it('types a multipart body\'s members as their value or a file, a raw body as RawBody', () => {
    const client = content(files, 'src/client.ts');
    expect(client).toContain('body: MultipartBody<models.Doc>;');
    expect(client).toContain('body: RawBody;');
    const usage = [
      "import { Client } from './index.js';",
      'export async function send(c: Client): Promise<void> {',
      "  await c.upload({ body: { title: 't', file: new Blob(['x']), tags: ['a', 'b'] } });",
      "  await c.login({ body: { title: 't', file: 'eA==' } });",
      '  await c.put({ body: new ArrayBuffer(2) });',
      '}',
    ].join('\n');
    expect(checkTsSdk(withUsage(files, usage))).toEqual([]);
  });

  it('sends multipart and form bodies as FormData and URLSearchParams', async () => {
    const sdk = await load(files);
    const f = fakeFetch([() => new Response(null, { status: 204 })]);
    const c = new sdk.Client({ baseUrl: 'http://svc.test', fetch: f.fetch });
    await c.upload({ body: { title: 't', file: new Blob(['hello']), tags: ['a', 'b'] } });
    const form = f.seen[0]!.raw as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect(form.get('title')).toBe('t');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
    expect(await (form.get('file') as Blob).text()).toBe('hello');
    // fetch sets the multipart boundary itself.
    expect(f.seen[0]!.headers.get('content-type')).toBeNull();
    await c.login({ body: { title: 'a b', file: 'eA==' } });
    expect(String(f.seen[1]!.raw)).toBe('title=a+b&file=eA%3D%3D');
    expect(f.seen[1]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });
});

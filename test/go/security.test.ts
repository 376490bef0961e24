import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_ENV, go } from '../support/go.js';
import { GrpcClient, grpcAddr, grpcClientSource, svc } from '../support/evolution.js';
import { eventually, startService, type RunningService } from '../support/service.js';

/**
 * End to end: the starters with security schemes (an OpenAPI bearer scheme
 * and an OAuth 2.0 scope; a proto service's requirements in svc.yaml), built
 * and run. Tokens are minted here, as an identity provider would, and sent
 * over HTTP and gRPC; without a key source the service refuses to start.
 */

const SECRET = 'test-secret-of-at-least-32-bytes!!';

/** An HS256 JWT over claims, as any identity provider signs one. */
function mint(claims: Record<string, unknown>, secret = SECRET): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + 300, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const resp = await fetch(base + path, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  return { status: resp.status, headers: resp.headers, text: await resp.text() };
}

/** Generates a starter, lets `edit` change its contract or settings, regenerates, and builds it. */
async function securedStarter(flags: string[], edit: (dir: string) => Promise<void>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'svc-security-'));
  const dir = join(root, 'product');
  const created = svc(root, 'new', 'product', '--dir', dir, '--skip-tidy', ...flags);
  expect(created.code, created.output).toBe(0);
  await edit(dir);
  const regen = svc(dir, 'gen', 'api');
  expect(regen.code, regen.output).toBe(0);
  await go(dir, 'mod', 'tidy');
  await go(dir, 'build', '-o', 'bin/product', './cmd/product');
  return dir;
}

/** Starts the binary expecting it to refuse; returns its exit code and output. */
async function refusal(dir: string, env: Record<string, string>) {
  const r = await execa(join(dir, 'bin', 'product'), [], { cwd: dir, env: { ...GO_ENV, PRODUCT_HTTP_ADDR: '127.0.0.1:0', ...env }, reject: false, timeout: 30_000 });
  return { code: r.exitCode, stderr: r.stderr };
}

describe('an OpenAPI service with a bearer scheme and an OAuth 2.0 scope', () => {
  let dir = '';
  let svcRun: RunningService;
  const env = { PRODUCT_AUTH_BEARER_AUTH_HMAC_SECRET: SECRET, PRODUCT_AUTH_OAUTH_HMAC_SECRET: SECRET, PRODUCT_DATABASE_DRIVER: 'sqlite' };

  beforeAll(async () => {
    dir = await securedStarter([], async (d) => {
      const path = join(d, 'productproto/openapi/product.yaml');
      let doc = await readFile(path, 'utf8');
      doc = doc.replace(/\ncomponents:\n/, [
        '',
        'security:',
        '  - bearerAuth: []',
        'components:',
        '  securitySchemes:',
        '    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}',
        '    oauth:',
        '      type: oauth2',
        '      flows:',
        '        clientCredentials:',
        '          tokenUrl: https://id.example.com/token',
        '          scopes: {"products:delete": delete products}',
        '',
      ].join('\n'));
      // Listing is public; deleting needs the scope.
      doc = doc.replace(/(\n    get:\n      operationId: listProducts\n)/, '$1      security: []\n');
      doc = doc.replace(/(\n    delete:\n      operationId: deleteProduct\n)/, '$1      security: [{oauth: ["products:delete"]}]\n');
      expect(doc).toContain('security: []');
      expect(doc).toContain('oauth: ["products:delete"]');
      await writeFile(path, doc);
    });
    svcRun = await startService(join(dir, 'bin', 'product'), dir, { ...env, PRODUCT_DATABASE_SQLITE_PATH: join(dir, 'data', 'e2e.db') });
  }, 900_000);

  afterAll(async () => {
    await svcRun?.stop();
  });

  it('refuses to start when a scheme has no key source, naming the setting', async () => {
    const r = await refusal(dir, { PRODUCT_AUTH_OAUTH_HMAC_SECRET: SECRET });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bearer_auth|BEARER_AUTH/);
  });

  it('starts with reject_all instead, and refuses every secured request', async () => {
    const s = await startService(join(dir, 'bin', 'product'), dir, {
      PRODUCT_AUTH_OAUTH_HMAC_SECRET: SECRET,
      PRODUCT_AUTH_BEARER_AUTH_REJECT_ALL: 'true',
      PRODUCT_DATABASE_SQLITE_PATH: join(dir, 'data', 'reject.db'),
    });
    try {
      expect((await call(s.base, 'POST', '/products', { token: mint({ sub: 'alice' }), body: { name: 'Cup', price: 1, currency: 'EUR' } })).status).toBe(401);
      expect((await call(s.base, 'GET', '/products')).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('answers 401 with a challenge without a token, and never 500 for a bad one', async () => {
    const none = await call(svcRun.base, 'POST', '/products', { body: { name: 'Cup', price: 1, currency: 'EUR' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="product"/);
    expect(none.headers.get('content-type')).toMatch(/json/);
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      mint({ sub: 'alice' }, 'another-secret-of-at-least-32-bytes'),
      mint({ sub: 'alice', exp: now - 3600 }),
      mint({ sub: 'alice', nbf: now + 3600 }),
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.`,
      mint({ sub: 'alice' }).slice(0, -5),
      'garbage',
    ];
    for (const token of bad) {
      const r = await call(svcRun.base, 'POST', '/products', { token, body: { name: 'Cup', price: 1, currency: 'EUR' } });
      expect(r.status, `${token}: ${r.text}`).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('serves a request with a token minted for it, and logs the subject, never the token', async () => {
    const token = mint({ sub: 'alice' });
    const created = await call(svcRun.base, 'POST', '/products', { token, body: { name: 'Cup', price: 1, currency: 'EUR' } });
    expect(created.status, created.text).toBe(201);
    expect((await call(svcRun.base, 'GET', '/products')).status).toBe(200);
    // Info lines reach standard output within the logger's flush interval.
    const logged = () => svcRun.logs.some((l) => l.msg === 'http request' && l.subject === 'alice' && String(l.method) === 'POST');
    expect(await eventually(async () => logged(), 5_000), JSON.stringify(svcRun.logs.slice(-5))).toBe(true);
    expect(JSON.stringify(svcRun.logs)).not.toContain(token);

    const id = (JSON.parse(created.text) as { id: string }).id;
    const forbidden = await call(svcRun.base, 'DELETE', `/products/${id}`, { token });
    expect(forbidden.status, forbidden.text).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('insufficient_scope');
    const deleted = await call(svcRun.base, 'DELETE', `/products/${id}`, { token: mint({ sub: 'alice', scope: 'products:read products:delete' }) });
    expect(deleted.status, deleted.text).toBe(204);
  });
});

describe('a proto service with requirements in svc.yaml', () => {
  let dir = '';
  let svcRun: RunningService;
  let client: GrpcClient;

  beforeAll(async () => {
    dir = await securedStarter(['--proto'], async (d) => {
      const settings = join(d, 'svc.yaml');
      await writeFile(settings, `${await readFile(settings, 'utf8')}security:
  schemes:
    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
  default:
    - bearerAuth: []
  rpcs:
    ProductService.ListProducts: []
`);
    });
    const pb = (await readFile(join(dir, 'go.mod'), 'utf8')).match(/^module (\S+)/m)![1]!;
    const clientDir = join(dir, 'cmd', 'grpcclient');
    await execa('mkdir', ['-p', clientDir]);
    await writeFile(join(clientDir, 'main.go'), grpcClientSource(`${pb}/productproto`));
    await go(dir, 'build', '-o', 'bin/grpcclient', './cmd/grpcclient');
    svcRun = await startService(join(dir, 'bin', 'product'), dir, {
      PRODUCT_AUTH_BEARER_AUTH_HMAC_SECRET: SECRET,
      PRODUCT_GRPC_ADDR: '127.0.0.1:0',
      PRODUCT_DATABASE_SQLITE_PATH: join(dir, 'data', 'e2e.db'),
    });
    client = new GrpcClient(join(dir, 'bin', 'grpcclient'), await grpcAddr(svcRun));
  }, 900_000);

  afterAll(async () => {
    client?.close();
    await svcRun?.stop();
  });

  it('refuses to start without a key source', async () => {
    const r = await refusal(dir, { PRODUCT_GRPC_ADDR: '127.0.0.1:0' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bearer_auth|BEARER_AUTH/);
  });

  it('checks the token over gRPC: Unauthenticated without one, served with one', async () => {
    const create = '/product.v1.ProductService/CreateProduct';
    const request = { product: { displayName: 'Cup', priceMinor: '100', currency: 'EUR' } };
    const none = await client.invoke(create, request);
    expect(none.error).toMatch(/Unauthenticated/);
    const ok = await client.invoke(create, request, { authorization: `Bearer ${mint({ sub: 'bob' })}` });
    expect(ok.error).toBeUndefined();
    const list = await client.invoke('/product.v1.ProductService/ListProducts', {});
    expect(list.error).toBeUndefined();
  });

  it('checks the token on the REST gateway too', async () => {
    expect((await call(svcRun.base, 'POST', '/v1/products', { body: { displayName: 'Cup', priceMinor: '100', currency: 'EUR' } })).status).toBe(401);
    const ok = await call(svcRun.base, 'POST', '/v1/products', { token: mint({ sub: 'bob' }), body: { displayName: 'Cup', priceMinor: '100', currency: 'EUR' } });
    expect(ok.status, ok.text).toBe(200);
    expect((await call(svcRun.base, 'GET', '/v1/products')).status).toBe(200);
  });
});

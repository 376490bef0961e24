import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildModel } from '../../src/build/index.js';
import { UserError } from '../../src/errors.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { loadContract } from '../../src/load/index.js';
import type { ServiceModel } from '../../src/model/types.js';
import { starterProto } from '../../src/pipeline/new.js';
import { readSettings, serializeSettings, type ProjectSettings } from '../../src/project/settings.js';
import { deriveOpenAPI } from '../../src/render/openapi/fromproto.js';

/** The model of an OpenAPI contract given as text. */
async function modelOf(text: string): Promise<ServiceModel> {
  return buildModel(await loadContract('/virtual/contract.yaml', 'openapi', text, 'contract.yaml'), 'x');
}

/** The one-line error building the contract fails with. */
async function errorOf(text: string): Promise<string> {
  const err = await modelOf(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).format();
}

/**
 * A contract with the given schemes (YAML lines under securitySchemes, indented
 * 4), top-level security and one operation's own extra lines (indented 6).
 */
function contract(o: { version?: string; schemes: string; top?: string; op?: string }): string {
  return [
    `openapi: ${o.version ?? '3.0.3'}`,
    'info: {title: T, version: "1"}',
    ...(o.top !== undefined ? [`security: ${o.top}`] : []),
    'paths:',
    '  /a:',
    '    get:',
    '      operationId: getA',
    ...(o.op !== undefined ? o.op.split('\n').map((l) => `      ${l}`) : []),
    '      responses:',
    "        '204': {description: ok}",
    '    post:',
    '      operationId: postA',
    '      responses:',
    "        '204': {description: ok}",
    'components:',
    '  securitySchemes:',
    o.schemes,
    '',
  ].join('\n');
}

const BEARER = '    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}';
const KEY = '    key: {type: apiKey, in: header, name: X-API-Key}';
const OAUTH = [
  '    oauth:',
  '      type: oauth2',
  '      flows:',
  '        authorizationCode:',
  '          authorizationUrl: https://a.example/authorize',
  '          tokenUrl: https://a.example/token',
  '          scopes: {read: Read things}',
  '        clientCredentials:',
  '          tokenUrl: https://a.example/token',
  '          scopes: {read: Read, admin: Everything}',
].join('\n');

describe('security schemes', () => {
  it('reads each kind, in declaration order', async () => {
    const m = await modelOf(
      contract({
        schemes: [
          BEARER,
          '    basicAuth: {type: http, scheme: Basic, description: Users of the admin team}',
          '    digest: {type: http, scheme: Digest}',
          KEY,
          '    q: {type: apiKey, in: query, name: api_key}',
          '    c: {type: apiKey, in: cookie, name: sid}',
          OAUTH,
          '    oidc: {type: openIdConnect, openIdConnectUrl: https://a.example/.well-known/openid-configuration}',
        ].join('\n'),
      }),
    );
    expect(m.securitySchemes).toEqual([
      { name: 'bearerAuth', kind: 'bearer', bearerFormat: 'JWT' },
      { name: 'basicAuth', kind: 'basic', description: 'Users of the admin team' },
      { name: 'digest', kind: 'custom', httpScheme: 'Digest' },
      { name: 'key', kind: 'apiKey', in: 'header', param: 'X-API-Key' },
      { name: 'q', kind: 'apiKey', in: 'query', param: 'api_key' },
      { name: 'c', kind: 'apiKey', in: 'cookie', param: 'sid' },
      {
        name: 'oauth',
        kind: 'oauth2',
        scopes: { read: 'Read things', admin: 'Everything' },
        flows: {
          authorizationCode: { authorizationUrl: 'https://a.example/authorize', tokenUrl: 'https://a.example/token', scopes: { read: 'Read things' } },
          clientCredentials: { tokenUrl: 'https://a.example/token', scopes: { read: 'Read', admin: 'Everything' } },
        },
      },
      { name: 'oidc', kind: 'openIdConnect', openIdConnectUrl: 'https://a.example/.well-known/openid-configuration' },
    ]);
    expect(m.warnings).toEqual([]);
  });

  it('follows a $ref to another scheme', async () => {
    const m = await modelOf(contract({ schemes: `${BEARER}\n    jwt: {$ref: '#/components/securitySchemes/bearerAuth'}`, top: '[{jwt: []}]' }));
    expect(m.securitySchemes.map((s) => [s.name, s.kind])).toEqual([
      ['bearerAuth', 'bearer'],
      ['jwt', 'bearer'],
    ]);
    expect(m.operations[0]!.security).toEqual([[{ scheme: 'jwt', scopes: [] }]]);
  });

  it('keeps OpenAPI 3.1 mutualTLS as custom, with a warning that it needs a verifier', async () => {
    const m = await modelOf(contract({ version: '3.1.0', schemes: '    mtls: {type: mutualTLS}', top: '[{mtls: []}]' }));
    expect(m.securitySchemes).toEqual([{ name: 'mtls', kind: 'custom', httpScheme: 'mutualTLS' }]);
    expect(m.warnings).toEqual([
      'contract.yaml:16: security scheme "mtls" is mutualTLS: no default verifier checks it: plug one in (internal/auth/custom.go)',
    ]);
  });

  it('refuses an unknown type, naming the scheme, the type and the known ones', async () => {
    expect(await errorOf(contract({ schemes: '    jwt: {type: jwt, scheme: bearer}' }))).toBe(
      'contract.yaml:15:11 (#/components/securitySchemes/jwt/type): security scheme "jwt" has an unknown type "jwt" (known: apiKey, http, oauth2, openIdConnect)',
    );
    expect(await errorOf(contract({ version: '3.1.0', schemes: '    jwt: {type: jwt}' }))).toBe(
      'contract.yaml:15:11 (#/components/securitySchemes/jwt/type): security scheme "jwt" has an unknown type "jwt" (known: apiKey, http, mutualTLS, oauth2, openIdConnect)',
    );
  });

  it('says what a scheme of a known type lacks', async () => {
    expect(await errorOf(contract({ schemes: '    h: {type: http}' }))).toBe(
      'contract.yaml:15:9 (#/components/securitySchemes/h/type): security scheme "h": type http needs a "scheme" (bearer, basic, or another HTTP authentication scheme)',
    );
    expect(await errorOf(contract({ schemes: '    k: {type: apiKey, in: body, name: k}' }))).toBe(
      'contract.yaml:15:23 (#/components/securitySchemes/k/in): security scheme "k": apiKey "in" must be header, query or cookie, not "body"',
    );
    expect(await errorOf(contract({ schemes: '    o: {type: openIdConnect}' }))).toBe(
      'contract.yaml:15:9 (#/components/securitySchemes/o/type): security scheme "o": type openIdConnect needs an "openIdConnectUrl" (the discovery document)',
    );
  });
});

describe('security requirements', () => {
  const schemes = [BEARER, KEY, OAUTH].join('\n');

  it('applies the top-level requirements to operations without their own (OR of requirement objects)', async () => {
    const m = await modelOf(contract({ schemes, top: '[{bearerAuth: []}, {oauth: [read]}]' }));
    for (const op of m.operations) {
      expect(op.security).toEqual([[{ scheme: 'bearerAuth', scopes: [] }], [{ scheme: 'oauth', scopes: ['read'] }]]);
    }
    // Each operation has its own copy.
    expect(m.operations[0]!.security).not.toBe(m.operations[1]!.security);
  });

  it("replaces them with an operation's own: AND within one object, [] public, {} anonymous", async () => {
    const and = await modelOf(contract({ schemes, top: '[{bearerAuth: []}]', op: 'security: [{bearerAuth: [], key: []}]' }));
    expect(and.operations.map((o) => o.security)).toEqual([
      [
        [
          { scheme: 'bearerAuth', scopes: [] },
          { scheme: 'key', scopes: [] },
        ],
      ],
      [[{ scheme: 'bearerAuth', scopes: [] }]],
    ]);
    const open = await modelOf(contract({ schemes, top: '[{bearerAuth: []}]', op: 'security: []' }));
    expect(open.operations[0]!.security).toEqual([]);
    const anonymous = await modelOf(contract({ schemes, top: '[{bearerAuth: []}]', op: 'security: [{key: []}, {}]' }));
    expect(anonymous.operations[0]!.security).toEqual([[{ scheme: 'key', scopes: [] }], []]);
  });

  it('leaves every operation public without any security', async () => {
    const m = await modelOf(contract({ schemes }));
    expect(m.operations.map((o) => o.security)).toEqual([[], []]);
  });

  it('refuses a requirement naming an undeclared scheme', async () => {
    expect(await errorOf(contract({ schemes, op: 'security: [{jwt: []}]' }))).toBe(
      'contract.yaml:7:19 (#/paths/~1a/get/security/0/jwt): security requirement names the scheme "jwt", which components.securitySchemes does not declare (declared: bearerAuth, key, oauth)',
    );
    expect(await errorOf(contract({ schemes, top: '[{jwt: []}]' }))).toBe(
      'contract.yaml:3:13 (#/security/0/jwt): security requirement names the scheme "jwt", which components.securitySchemes does not declare (declared: bearerAuth, key, oauth)',
    );
  });

  it('refuses scopes for an apiKey scheme in OpenAPI 3.0, and takes them as roles in 3.1', async () => {
    expect(await errorOf(contract({ schemes, op: 'security: [{key: [admin]}]' }))).toBe(
      'contract.yaml:7:19 (#/paths/~1a/get/security/0/key): security requirement lists scopes for "key", whose type is apiKey: OpenAPI 3.0 and Swagger 2.0 allow scopes only for oauth2 and openIdConnect (write [], or use OpenAPI 3.1, where they are roles)',
    );
    const m = await modelOf(contract({ version: '3.1.0', schemes, op: 'security: [{key: [admin], bearerAuth: [editor]}]' }));
    expect(m.operations[0]!.security).toEqual([
      [
        { scheme: 'key', scopes: ['admin'] },
        { scheme: 'bearerAuth', scopes: ['editor'] },
      ],
    ]);
    expect(m.warnings).toEqual([]);
  });

  it('warns, once, of an oauth2 scope no flow declares', async () => {
    const m = await modelOf(contract({ schemes, top: '[{oauth: [write]}]', op: 'security: [{oauth: [read, write]}]' }));
    expect(m.operations[0]!.security).toEqual([[{ scheme: 'oauth', scopes: ['read', 'write'] }]]);
    expect(m.warnings).toEqual(['contract.yaml:3: security requirement asks "oauth" for the scope "write", which none of its flows declares']);
  });
});

describe('per-operation limits', () => {
  const limitsOf = async (lines: string) => (await modelOf(contract({ schemes: KEY, op: lines }))).operations[0]!.limits;

  it('reads x-svc-timeout as a Go duration', async () => {
    expect(await limitsOf('x-svc-timeout: 500ms')).toEqual({ timeoutMs: 500 });
    expect(await limitsOf('x-svc-timeout: 1m30s')).toEqual({ timeoutMs: 90_000 });
    expect(await limitsOf('x-svc-timeout: 1.5h')).toEqual({ timeoutMs: 5_400_000 });
  });

  it('reads x-svc-max-body as bytes or a size with a unit', async () => {
    expect(await limitsOf('x-svc-max-body: 1024')).toEqual({ maxBodyBytes: 1024 });
    expect(await limitsOf('x-svc-max-body: 64KiB')).toEqual({ maxBodyBytes: 65_536 });
    expect(await limitsOf('x-svc-max-body: 2 MB')).toEqual({ maxBodyBytes: 2_000_000 });
    expect(await limitsOf('x-svc-max-body: 1GiB')).toEqual({ maxBodyBytes: 1024 ** 3 });
    expect(await limitsOf('x-svc-max-body: 100B')).toEqual({ maxBodyBytes: 100 });
  });

  it('reads x-svc-rate-limit as N/period or a mapping with a burst', async () => {
    expect(await limitsOf('x-svc-rate-limit: 10/s')).toEqual({ rateLimit: { requests: 10, perMs: 1000 } });
    expect(await limitsOf('x-svc-rate-limit: 100/minute')).toEqual({ rateLimit: { requests: 100, perMs: 60_000 } });
    expect(await limitsOf('x-svc-rate-limit: 1000/h')).toEqual({ rateLimit: { requests: 1000, perMs: 3_600_000 } });
    expect(await limitsOf('x-svc-rate-limit: {requests: 5, per: 10s, burst: 2}')).toEqual({ rateLimit: { requests: 5, perMs: 10_000, burst: 2 } });
    expect(await limitsOf('x-svc-rate-limit: {requests: 5, per: 1m}')).toEqual({ rateLimit: { requests: 5, perMs: 60_000 } });
  });

  it('combines them, and has none without the extensions', async () => {
    expect(await limitsOf('x-svc-timeout: 2s\nx-svc-max-body: 1KB\nx-svc-rate-limit: 3/s')).toEqual({ timeoutMs: 2000, maxBodyBytes: 1000, rateLimit: { requests: 3, perMs: 1000 } });
    expect(await limitsOf('summary: none')).toBeUndefined();
  });

  it('refuses a bad value at its line, saying what is wanted', async () => {
    const at = (key: string) => `contract.yaml:7:7 (#/paths/~1a/get/${key})`;
    const timeout = 'must be a duration of at least 1ms such as "500ms", "5s" or "1m30s"';
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-timeout: 5' }))).toBe(`${at('x-svc-timeout')}: x-svc-timeout ${timeout}, not 5`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-timeout: 0s' }))).toBe(`${at('x-svc-timeout')}: x-svc-timeout ${timeout}, not "0s"`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-timeout: -1s' }))).toBe(`${at('x-svc-timeout')}: x-svc-timeout ${timeout}, not "-1s"`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-timeout: 5 seconds' }))).toBe(`${at('x-svc-timeout')}: x-svc-timeout ${timeout}, not "5 seconds"`);
    const size = 'must be a positive number of bytes or a size such as "512KB" or "10MiB" (units B, KB, KiB, MB, MiB, GB, GiB)';
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-max-body: 0' }))).toBe(`${at('x-svc-max-body')}: x-svc-max-body ${size}, not 0`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-max-body: 1.5' }))).toBe(`${at('x-svc-max-body')}: x-svc-max-body ${size}, not 1.5`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-max-body: 10TB' }))).toBe(`${at('x-svc-max-body')}: x-svc-max-body ${size}, not "10TB"`);
    const rate = 'must be "N/s", "N/m", "N/h" or a mapping {requests: N, per: <duration such as "1m">, burst: N} with positive whole numbers';
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-rate-limit: 10/day' }))).toBe(`${at('x-svc-rate-limit')}: x-svc-rate-limit ${rate}, not "10/day"`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-rate-limit: 0/s' }))).toBe(`${at('x-svc-rate-limit')}: x-svc-rate-limit ${rate}, not "0/s"`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-rate-limit: {requests: 5}' }))).toBe(`${at('x-svc-rate-limit')}: x-svc-rate-limit ${rate}, not {"requests":5}`);
    expect(await errorOf(contract({ schemes: KEY, op: 'x-svc-rate-limit: {requests: 5, per: 1m, burst: 0}' }))).toBe(
      `${at('x-svc-rate-limit')}: x-svc-rate-limit ${rate}, not {"requests":5,"per":"1m","burst":0}`,
    );
  });
});

describe('Swagger 2.0 security', () => {
  const swagger = [
    "swagger: '2.0'",
    'info: {title: T, version: "1"}',
    'security: [{key: []}]',
    'paths:',
    '  /a:',
    '    get:',
    '      operationId: getA',
    '      security: [{basicAuth: []}, {petstore: ["read:pets"]}]',
    '      x-svc-timeout: 3s',
    '      responses:',
    "        '204': {description: ok}",
    '    post:',
    '      operationId: postA',
    '      responses:',
    "        '204': {description: ok}",
    'securityDefinitions:',
    '  basicAuth: {type: basic, description: Staff}',
    '  key: {type: apiKey, in: header, name: X-Key}',
    '  petstore:',
    '    type: oauth2',
    '    flow: accessCode',
    '    authorizationUrl: https://p.example/authorize',
    '    tokenUrl: https://p.example/token',
    '    scopes: {"read:pets": read your pets, "write:pets": change them}',
    '  machines: {type: oauth2, flow: application, tokenUrl: https://p.example/token, scopes: {}}',
    '',
  ].join('\n');

  it('converts securityDefinitions to schemes and keeps top-level and operation security', async () => {
    const m = await modelOf(swagger);
    expect(m.securitySchemes).toEqual([
      { name: 'basicAuth', kind: 'basic', description: 'Staff' },
      { name: 'key', kind: 'apiKey', in: 'header', param: 'X-Key' },
      {
        name: 'petstore',
        kind: 'oauth2',
        scopes: { 'read:pets': 'read your pets', 'write:pets': 'change them' },
        flows: { authorizationCode: { authorizationUrl: 'https://p.example/authorize', tokenUrl: 'https://p.example/token', scopes: { 'read:pets': 'read your pets', 'write:pets': 'change them' } } },
      },
      { name: 'machines', kind: 'oauth2', scopes: {}, flows: { clientCredentials: { tokenUrl: 'https://p.example/token', scopes: {} } } },
    ]);
    expect(m.operations.map((o) => o.security)).toEqual([[[{ scheme: 'basicAuth', scopes: [] }], [{ scheme: 'petstore', scopes: ['read:pets'] }]], [[{ scheme: 'key', scopes: [] }]]]);
    expect(m.operations[0]!.limits).toEqual({ timeoutMs: 3000 });
  });

  it('refuses an unknown securityDefinitions type at its line', async () => {
    expect(await errorOf(swagger.replace('type: basic', 'type: bearer'))).toBe(
      'contract.yaml:17:15 (#/securityDefinitions/basicAuth/type): security scheme "basicAuth" has an unknown type "bearer" (known: apiKey, basic, oauth2)',
    );
  });
});

describe('proto contracts: security from svc.yaml', () => {
  const proto = () => loadContract('/virtual/product.proto', 'proto', starterProto('product', 'example.com/product'), 'product.proto');
  const section = {
    schemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, key: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
    default: [{ bearerAuth: [] }],
    rpcs: { 'ProductService.GetProduct': [], 'product.v1.ProductService.DeleteProduct': [{ bearerAuth: ['products.delete'] }, { key: ['admin'] }] },
  };

  it('gives every RPC and its operation the default, or its own requirements', async () => {
    const m = buildModel(await proto(), 'product', section);
    expect(m.securitySchemes).toEqual([
      { name: 'bearerAuth', kind: 'bearer', bearerFormat: 'JWT' },
      { name: 'key', kind: 'apiKey', in: 'header', param: 'x-api-key' },
    ]);
    const bearer = [[{ scheme: 'bearerAuth', scopes: [] }]];
    const del = [[{ scheme: 'bearerAuth', scopes: ['products.delete'] }], [{ scheme: 'key', scopes: ['admin'] }]];
    // Operations are named after their RPC (the method name, prefixed with the service when two services share it).
    expect(Object.fromEntries(m.operations.map((o) => [o.name, o.security]))).toEqual({
      CreateProduct: bearer,
      GetProduct: [],
      ListProducts: bearer,
      UpdateProduct: bearer,
      DeleteProduct: del,
    });
    expect(Object.fromEntries(m.rpc!.services[0]!.methods.map((r) => [r.name, r.security]))).toEqual({
      CreateProduct: bearer,
      GetProduct: [],
      ListProducts: bearer,
      UpdateProduct: bearer,
      DeleteProduct: del,
    });
  });

  it('leaves every RPC public without a security section', async () => {
    const m = buildModel(await proto(), 'product');
    expect(m.securitySchemes).toEqual([]);
    expect(m.operations.every((o) => o.security.length === 0)).toBe(true);
    expect(m.rpc!.services[0]!.methods.every((r) => r.security === undefined)).toBe(true);
  });

  it('refuses an RPC the contract does not have', async () => {
    const loaded = await proto();
    expect(() => buildModel(loaded, 'product', { ...section, rpcs: { 'ProductService.Frobnicate': [] } })).toThrow(
      new UserError('svc.yaml: security.rpcs: "ProductService.Frobnicate" is not an RPC of the contract (its RPCs: ProductService.CreateProduct, ProductService.GetProduct, ProductService.ListProducts, ProductService.UpdateProduct, ProductService.DeleteProduct)'),
    );
  });

  it('documents the schemes and each operation\'s requirements in the derived OpenAPI, which loads back to the same model', async () => {
    const m = buildModel(await proto(), 'product', section);
    const text = deriveOpenAPI(m.rpc!, { title: 'T', version: '1' }, { securitySchemes: m.securitySchemes });
    const doc = parse(text) as { components: { securitySchemes: unknown }; paths: Record<string, Record<string, { operationId: string; security: unknown; 'x-svc-roles'?: unknown }>> };
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      key: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
    const ops = Object.fromEntries(Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => [o.operationId, o])));
    expect(ops.ProductService_GetProduct!.security).toEqual([]);
    expect(ops.ProductService_ListProducts!.security).toEqual([{ bearerAuth: [] }]);
    // OpenAPI 3.0 allows scopes only for oauth2 and openIdConnect: the roles are told beside.
    expect(ops.ProductService_DeleteProduct!.security).toEqual([{ bearerAuth: [] }, { key: [] }]);
    expect(ops.ProductService_DeleteProduct!['x-svc-roles']).toEqual([{ bearerAuth: ['products.delete'] }, { key: ['admin'] }]);
    const back = buildModel(await loadContract('/virtual/derived.yaml', 'openapi', text, 'derived.yaml'), 'product');
    expect(back.securitySchemes).toEqual(m.securitySchemes);
    expect(back.operations.find((o) => o.name === 'productServiceListProducts')!.security).toEqual([[{ scheme: 'bearerAuth', scopes: [] }]]);
  });

  it('derives an oauth2 scheme with its flows, and openIdConnect with its URL', async () => {
    const oauth = {
      schemes: {
        oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://a.example/token', scopes: { read: 'Read' } } } },
        oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://a.example/.well-known/openid-configuration' },
      },
      default: [{ oauth: ['read'] }, { oidc: ['read'] }],
    };
    const m = buildModel(await proto(), 'product', oauth);
    const doc = parse(deriveOpenAPI(m.rpc!, { title: 'T', version: '1' }, { securitySchemes: m.securitySchemes })) as { components: { securitySchemes: unknown }; paths: Record<string, Record<string, { security: unknown }>> };
    expect(doc.components.securitySchemes).toEqual(oauth.schemes);
    const all = Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.security));
    expect(all).toHaveLength(5);
    for (const security of all) expect(security).toEqual(oauth.default);
  });
});

describe('svc.yaml security section', () => {
  const yaml = (security: string, kind = 'proto') =>
    `name: product\nmodule: example.com/product\ncontract: {kind: ${kind}, path: contract/product.proto}\n${security}`;
  const read = (text: string) => readSettings(new MemoryFileSystem({ 'svc.yaml': text }), '/x');
  const fails = async (text: string) => {
    const err = await read(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).format();
  };

  it('is kept as written, and written back', async () => {
    const s = await read(yaml('security:\n  schemes:\n    bearerAuth: {type: http, scheme: bearer}\n  default: [{bearerAuth: []}]\n  rpcs:\n    ProductService.GetProduct: []\n'));
    expect(s.security).toEqual({ schemes: { bearerAuth: { type: 'http', scheme: 'bearer' } }, default: [{ bearerAuth: [] }], rpcs: { 'ProductService.GetProduct': [] } });
    const again = await read(serializeSettings(s as ProjectSettings));
    expect(again.security).toEqual(s.security);
    expect((await read(yaml(''))).security).toBeUndefined();
  });

  it('refuses mistakes with one line each', async () => {
    expect(await fails(yaml('security:\n  schemes:\n    jwt: {type: jwt}\n'))).toBe(
      'svc.yaml: security.schemes.jwt.type: security scheme "jwt" has an unknown type "jwt" (known: apiKey, http, mutualTLS, oauth2, openIdConnect)',
    );
    expect(await fails(yaml('security:\n  schemes:\n    b: {type: http, scheme: bearer}\n  default: [{jwt: []}]\n'))).toBe(
      'svc.yaml: security.default[0].jwt: security requirement names the scheme "jwt", which security.schemes does not declare (declared: b)',
    );
    expect(await fails(yaml('security:\n  schemes: {}\n  rpcs:\n    ProductService.GetProduct: [{b: []}]\n'))).toBe(
      'svc.yaml: security.rpcs["ProductService.GetProduct"][0].b: security requirement names the scheme "b", which security.schemes does not declare (none is declared)',
    );
    expect(await fails(yaml('security:\n  rpcs:\n    GetProduct: []\n'))).toBe('svc.yaml: security.rpcs.GetProduct: an RPC is named Service.Method or package.Service.Method');
    expect(await fails(yaml('security:\n  scheme: {}\n'))).toBe('svc.yaml: security.scheme: unknown key (known: schemes, default, rpcs)');
    expect(await fails(yaml('security: [bearer]\n'))).toBe('svc.yaml: security: must be a mapping with schemes, default and rpcs');
    expect(await fails(yaml('security:\n  schemes:\n    b: {type: http, scheme: bearer}\n  default: [{b: read}]\n'))).toBe(
      'svc.yaml: security.default[0].b: the scopes of "b" must be a list of strings ([] for none)',
    );
    expect(await fails(yaml('security: {}\n', 'openapi'))).toBe(
      'svc.yaml: "security" is for a proto contract: an OpenAPI contract declares its securitySchemes and security itself',
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { SecurityScheme, ServiceModel } from '../../src/model/types.js';
import { allOf, authConfigYaml, renderSecurity, requirementsLiteral, schemeNames } from '../../src/render/go/security.js';
import { renderSecurityTests } from '../../src/render/go/securitytests.js';

const schemes: SecurityScheme[] = [
  { name: 'bearerAuth', kind: 'bearer', bearerFormat: 'JWT' },
  { name: 'api_key', kind: 'apiKey', in: 'header', param: 'X-API-Key' },
  { name: 'basic', kind: 'basic' },
  { name: 'oidc', kind: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' },
  { name: 'digest', kind: 'custom', httpScheme: 'digest' },
];

function model(s: SecurityScheme[] = schemes): ServiceModel {
  return { name: 'shop', title: 'Shop', version: '1', types: [], operations: [], resources: [], warnings: [], securitySchemes: s };
}

function files(m: ServiceModel, ops: Parameters<typeof renderSecurity>[2], grpc = false): Map<string, string> {
  return new Map(renderSecurity(m, { module: 'example.com/shop' }, ops, grpc).map((a) => [a.path, a.content]));
}

describe('security schemes in Go', () => {
  it('names each scheme once in Go, config and the environment', () => {
    const names = schemeNames(model([...schemes, { name: 'api-key', kind: 'apiKey', in: 'query', param: 'key' }, { name: 'token', kind: 'bearer' }]));
    expect(names.map((n) => [n.go, n.key, n.env])).toEqual([
      ['BearerAuth', 'bearer_auth', 'BEARER_AUTH'],
      ['APIKey', 'api_key', 'API_KEY'],
      ['Basic', 'basic', 'BASIC'],
      ['Oidc', 'oidc', 'OIDC'],
      ['Digest', 'digest', 'DIGEST'],
      ['APIKey2', 'api_key_2', 'API_KEY_2'],
      // TokenVerifier is the runtime's own.
      ['TokenScheme', 'token', 'TOKEN'],
    ]);
  });

  it('declares one verifier interface per scheme, with the credential its kind carries', () => {
    const go = files(model(), []).get('internal/auth/schemes.gen.go')!;
    expect(go).toContain('VerifyBearerAuth(ctx context.Context, token string) (Principal, error)');
    expect(go).toContain('VerifyAPIKey(ctx context.Context, key string) (Principal, error)');
    expect(go).toContain('VerifyBasic(ctx context.Context, username, password string) (Principal, error)');
    expect(go).toContain('VerifyOidc(ctx context.Context, token string) (Principal, error)');
    expect(go).toContain('VerifyDigest(ctx context.Context, value string) (Principal, error)');
    expect(go).toContain('{Name: "api_key", Kind: KindAPIKey, In: "header", Param: "X-API-Key"},');
    expect(go).toMatch(/"api_key": +Key\("header", "X-API-Key", v\.APIKey\.VerifyAPIKey\),/);
    expect(go).toMatch(/"digest": +Custom\("digest", v\.Digest\.VerifyDigest\),/);
    expect(go).toMatch(/if v\.BearerAuth == nil \{\n\t\tverifier, err := DefaultJWT\(ctx, "bearerAuth", "auth\.bearer_auth", cfg\.BearerAuth, opts\.Secrets, opts\.Log\)/);
    // The contract's package auth reads nothing of the service's config: the command hands it in.
    expect(go).not.toContain('internal/config');
    expect(go).toContain('v.Basic = BasicVerifierFunc(verifier.VerifyPassword)');
    // A scheme with no default refuses to start unless told to reject everyone.
    expect(go).toContain('auth.digest.reject_all: true');
  });

  it('leaves the user a hook that is theirs', () => {
    const custom = renderSecurity(model(), { module: 'example.com/shop' }, [], false).find((a) => a.path === 'internal/auth/custom.go')!;
    expect(custom.content.startsWith('// Code generated')).toBe(false);
    expect(custom.content).toContain('func customize(_ context.Context, _ *Verifiers) error {');
  });

  it('configures each scheme under auth.<key>, OpenID discovery from the contract', () => {
    const schemes = files(model(), []).get('internal/auth/schemes.gen.go')!;
    expect(schemes).toMatch(/BearerAuth JWTConfig +`mapstructure:"bearer_auth"`/);
    expect(schemes).toMatch(/APIKey +KeyFileConfig +`mapstructure:"api_key"`/);
    const go = files(model(), []).get('internal/config/auth.gen.go')!;
    expect(go).toContain('type Auth = auth.Config');
    expect(go).toMatch(/"auth\.oidc\.": +JWTAuthDefaults\(\),/);
    expect(go).toContain('d["auth.oidc.discovery_url"] = "https://id.example.com/.well-known/openid-configuration"');
    expect(go).toContain('a.BearerAuth.Validate("auth.bearer_auth"),');
    const yaml = authConfigYaml(model(), 'shop');
    expect(yaml).toContain('SHOP_AUTH_<SCHEME>_<NAME>_FILE');
    expect(yaml).toContain('discovery_url: "https://id.example.com/.well-known/openid-configuration"');
    expect(authConfigYaml(model([]), 'shop')).toBe('');
  });

  it('compiles to an empty Auth when the contract has no schemes', () => {
    const f = files(model([]), []);
    expect(f.get('internal/auth/schemes.gen.go')).toContain('type Config struct{}');
    expect(f.get('internal/auth/schemes.gen.go')).toContain('func NewWith(_ context.Context, _ Config, _ Verifiers, opts Options) (*Guard, error) {');
  });

  it("re-exports the shared runtime's API in a platform service's package auth", () => {
    expect(files(model(), []).has('internal/auth/runtime.gen.go')).toBe(false);
    const platform = renderSecurity(model(), { module: 'example.com/shop/services/a', platformModule: 'example.com/shop' }, [], false);
    const runtime = platform.find((a) => a.path === 'internal/auth/runtime.gen.go')!;
    expect(runtime.content).toContain('authrt "example.com/shop/shared/pkg/auth"');
    expect(runtime.content).toMatch(/\tPrincipal += authrt\.Principal\n/);
  });
});

describe('operation requirements in Go', () => {
  it('writes OR of AND with scopes, and leaves public operations out', () => {
    const go = files(model(), [
      { name: 'listPets', security: [] },
      { name: 'addPet', security: [[{ scheme: 'bearerAuth', scopes: ['pets:write'] }], [{ scheme: 'api_key', scopes: [] }, { scheme: 'basic', scopes: [] }]] },
    ]).get('internal/auth/operations.gen.go')!;
    expect(go).toContain(`"addPet": {{{Scheme: "bearerAuth", Scopes: []string{"pets:write"}}}, {{Scheme: "api_key"}, {Scheme: "basic"}}},`);
    expect(go).not.toContain('listPets');
    expect(go).not.toContain('func Method(');
  });

  it('maps gRPC methods to operations for proto services', () => {
    const go = files(model(), [{ name: 'Shop.GetPet', security: [[{ scheme: 'bearerAuth', scopes: [] }]] }], true).get('internal/auth/operations.gen.go')!;
    expect(go).toContain('"Shop.GetPet": {{{Scheme: "bearerAuth"}}},');
    expect(go).toContain('func Method(fullMethod string) (string, Requirements) {');
    expect(go).toContain('name := service[strings.LastIndex(service, ".")+1:] + "." + method');
  });

  it('an empty requirement (anonymous allowed) is kept', () => {
    expect(requirementsLiteral([[{ scheme: 'bearerAuth', scopes: [] }], []])).toBe('{{{Scheme: "bearerAuth"}}, {}}');
    expect(requirementsLiteral([])).toBe('nil');
  });

  it('a route shared by RPCs needs what each of them needs', () => {
    const a = [[{ scheme: 'bearerAuth', scopes: ['read'] }], [{ scheme: 'api_key', scopes: [] }]];
    const b = [[{ scheme: 'bearerAuth', scopes: ['write'] }]];
    expect(allOf([a, [], b])).toEqual([
      [{ scheme: 'bearerAuth', scopes: ['read', 'write'] }],
      [{ scheme: 'api_key', scopes: [] }, { scheme: 'bearerAuth', scopes: ['write'] }],
    ]);
    expect(allOf([[], []])).toEqual([]);
  });
});

describe('the generated security test', () => {
  const bearer = [[{ scheme: 'bearerAuth', scopes: [] }]];
  const test = (ops: Parameters<typeof renderSecurityTests>[2]) => renderSecurityTests(model(), { module: 'example.com/shop' }, ops, () => 'routes()')[0]?.content;

  it('expects a route for every secured operation a REST route carries, and none for a gRPC-only RPC', () => {
    const go = test([
      { name: 'Shop.GetPet', security: bearer, routed: true },
      { name: 'Shop.WatchPets', security: bearer, routed: false },
      { name: 'Shop.ListPets', security: [] },
    ])!;
    expect(go).toContain('"Shop.GetPet": {{{Scheme: "bearerAuth"}}},');
    expect(go).not.toContain('Shop.WatchPets');
    expect(go).not.toContain('Shop.ListPets');
  });

  it('is not written when no routed operation is secured', () => {
    expect(test([{ name: 'Shop.WatchPets', security: bearer, routed: false }])).toBeUndefined();
  });
});

describe('per-operation limits in Go', () => {
  it('writes the contract limits by operation name', () => {
    const go = files(model([]), [
      { name: 'upload', security: [], limits: { timeoutMs: 90_000, maxBodyBytes: 10 << 20, rateLimit: { requests: 10, perMs: 60_000 } } },
      { name: 'ping', security: [], limits: { timeoutMs: 250 } },
      { name: 'plain', security: [] },
    ]).get('internal/handler/limits.gen.go')!;
    expect(go).toMatch(/"upload": \{Timeout: 90 \* time\.Second, MaxBodyBytes: 10485760, Rate: 0\.166667, Burst: 10\},/);
    expect(go).toMatch(/"ping": +\{Timeout: 250 \* time\.Millisecond\},/);
    expect(go).not.toContain('plain');
  });
});

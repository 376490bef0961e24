import type { Artifact } from '../artifact.js';
import type { OperationLimits, SecurityRequirement, SecurityScheme, ServiceModel } from '../../model/types.js';
import { snake } from '../../model/names.js';
import { GoFile, comment } from './gofile.js';
import { keyedElements } from './format.js';
import { exportedName, goString } from './naming.js';
import { envPrefixOf } from '../runtime.js';
import { localImportPrefix, type RuntimePlacement } from '../runtimepkgs.js';
import { SERVICE_AUTH_DIR, renderAuthRuntime } from './authruntime.js';

/**
 * The contract's security, in Go: the scheme table and one verifier
 * interface per scheme (`internal/auth/schemes.gen.go`), the requirements of
 * each operation (`operations.gen.go`), the user's hook for their own
 * verifiers (`custom.go`, user-owned), the config of each scheme
 * (`internal/config/auth.gen.go`) and the contract's per-operation limits
 * (`internal/handler/limits.gen.go`). The same for OpenAPI and proto
 * services: both fill the model's schemes and requirements.
 */

/** The names one scheme goes by in Go, config and the environment. */
export interface SchemeNames {
  scheme: SecurityScheme;
  /** Go identifier: `bearerAuth` → `BearerAuth` (made unique). */
  go: string;
  /** Config key under `auth.`: `bearer_auth`. */
  key: string;
  /** The config key's environment form: `BEARER_AUTH`. */
  env: string;
}

/** `<X>Verifier` names the runtime of package auth declares itself. */
const RUNTIME_VERIFIERS = new Set(['Token', 'Key', 'Password']);

/** Go, config and environment names of every scheme, unique in each. */
export function schemeNames(model: ServiceModel): SchemeNames[] {
  const goUsed = new Set<string>();
  const keyUsed = new Set<string>();
  return model.securitySchemes.map((scheme) => {
    const base = exportedName(scheme.name);
    const go = uniqueName(RUNTIME_VERIFIERS.has(base) ? `${base}Scheme` : base, goUsed, '');
    const key = uniqueName(snake(scheme.name) || 'scheme', keyUsed, '_');
    return { scheme, go, key, env: key.toUpperCase() };
  });
}

function uniqueName(base: string, used: Set<string>, sep: string): string {
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}${sep}${n}`;
  used.add(name);
  return name;
}

/** What a scheme's verifier is given, and the runtime function that takes it from a request. */
function credential(s: SecurityScheme): { params: string; authenticate: (verify: string) => string; describe: string } {
  switch (s.kind) {
    case 'bearer':
    case 'oauth2':
    case 'openIdConnect':
      return {
        params: 'token string',
        authenticate: (verify) => `Bearer(${verify})`,
        describe: s.kind === 'bearer' ? `an HTTP bearer token${s.bearerFormat ? ` (${s.bearerFormat})` : ''}` : s.kind === 'oauth2' ? 'an OAuth 2.0 bearer access token' : 'an OpenID Connect bearer token',
      };
    case 'apiKey':
      return {
        params: 'key string',
        authenticate: (verify) => `Key(${goString(s.in ?? 'header')}, ${goString(s.param ?? '')}, ${verify})`,
        describe: `an API key in the ${s.in ?? 'header'} ${JSON.stringify(s.param ?? '')}`,
      };
    case 'basic':
      return { params: 'username, password string', authenticate: (verify) => `Basic(${verify})`, describe: 'HTTP basic credentials' };
    case 'custom':
      return {
        params: 'value string',
        authenticate: (verify) => `Custom(${goString(s.httpScheme ?? '')}, ${verify})`,
        describe: `the value of "Authorization: ${s.httpScheme ?? 'custom'} <value>", which has no default verifier`,
      };
  }
}

/** `{Name: ..., Kind: ...}`: a scheme of the runtime's Schemes table. */
function schemeLiteral(s: SecurityScheme): string {
  const kind = { bearer: 'KindBearer', basic: 'KindBasic', apiKey: 'KindAPIKey', oauth2: 'KindOAuth2', openIdConnect: 'KindOpenIDConnect', custom: 'KindCustom' }[s.kind];
  const extra = s.kind === 'apiKey' ? `, In: ${goString(s.in ?? 'header')}, Param: ${goString(s.param ?? '')}` : s.kind === 'custom' ? `, HTTPScheme: ${goString(s.httpScheme ?? '')}` : '';
  return `{Name: ${goString(s.name)}, Kind: ${kind}${extra}}`;
}

/** The Go type of a scheme's settings (a runtime type of package auth). */
function settingsType(s: SecurityScheme): 'JWTConfig' | 'KeyFileConfig' {
  return s.kind === 'bearer' || s.kind === 'oauth2' || s.kind === 'openIdConnect' ? 'JWTConfig' : 'KeyFileConfig';
}

function schemesFile(names: SchemeNames[]): GoFile {
  const f = new GoFile(`${SERVICE_AUTH_DIR}/schemes.gen.go`, 'auth');
  const ctx = f.use('context');
  const zap = f.use('go.uber.org/zap');
  const fmt = f.use('fmt');
  f.add(
    '// Schemes are the security schemes of the contract.',
    ...(names.length === 0 ? ['var Schemes = []Scheme{}'] : ['var Schemes = []Scheme{', ...names.map(({ scheme }) => `\t${schemeLiteral(scheme)},`), '}']),
  );
  for (const n of names) {
    const c = credential(n.scheme);
    f.add(
      ...comment(`${n.go}Verifier checks the credentials of the contract's ${JSON.stringify(n.scheme.name)} scheme: ${c.describe}. It returns the principal they identify, or an error: ErrUnavailable when the key source cannot be reached (503), any other error refuses the credentials (401).`),
      ...(n.scheme.description ? ['//', ...comment(`The contract says: ${n.scheme.description}`)] : []),
      `type ${n.go}Verifier interface {`,
      `\tVerify${n.go}(ctx ${ctx}.Context, ${c.params}) (Principal, error)`,
      '}',
      '',
      `// ${n.go}VerifierFunc is a function that is a ${n.go}Verifier.`,
      `type ${n.go}VerifierFunc func(ctx ${ctx}.Context, ${c.params}) (Principal, error)`,
      '',
      `// Verify${n.go} calls f.`,
      `func (f ${n.go}VerifierFunc) Verify${n.go}(ctx ${ctx}.Context, ${c.params}) (Principal, error) {`,
      `\treturn f(ctx, ${c.params.replace(/ string/g, '')})`,
      '}',
    );
  }
  f.add(
    '// Verifiers holds the verifier of each scheme. Set a field in customize',
    '// (custom.go) to use your own; NewWith builds the default of every field',
    '// left nil from the config.',
    ...(names.length === 0 ? ['type Verifiers struct{}'] : ['type Verifiers struct {', ...names.map((n) => `\t${n.go}\v${n.go}Verifier`), '}']),
  );
  f.add(
    '// Config configures the verifier of each security scheme of the contract,',
    '// under auth.<scheme> (config.Auth). Key material is a secret and never',
    '// goes here.',
    ...(names.length === 0
      ? ['type Config struct{}']
      : [
          'type Config struct {',
          ...names.flatMap((n, i) => [...(i > 0 ? [''] : []), ...comment(`${n.go} configures the ${JSON.stringify(n.scheme.name)} scheme.`, '\t'), `\t${n.go} ${settingsType(n.scheme)} \`mapstructure:"${n.key}"\``]),
          '}',
        ]),
  );
  f.add(
    '// Options are what a Guard is built with besides the config.',
    'type Options struct {',
    '\t// Realm names the service in WWW-Authenticate challenges.',
    '\tRealm string',
    '\t// Log receives what the default verifiers report (key refreshes).',
    `\tLog *${zap}.Logger`,
    '\t// Failures counts refused requests; nil counts nothing.',
    '\tFailures FailureCounter',
    '\t// Secrets reads key material: config.SecretFromEnvOrFile and',
    '\t// config.SecretEnv in a service.',
    '\tSecrets Secrets',
    '}',
  );
  f.add(
    '// New builds the Guard that checks every operation\'s requirements: the',
    '// verifiers customize sets, and the defaults from cfg for the others.',
    `func New(ctx ${ctx}.Context, cfg Config, opts Options) (*Guard, error) {`,
    '\tvar v Verifiers',
    '\tif err := customize(ctx, &v); err != nil {',
    `\t\treturn nil, ${fmt}.Errorf("auth: customize: %w", err)`,
    '\t}',
    '\treturn NewWith(ctx, cfg, v, opts)',
    '}',
  );
  const body: string[] = [];
  for (const n of names) body.push(...defaultOf(n, fmt, ctx).map((l) => `\t${l}`));
  const usesCtx = names.some((n) => n.scheme.kind === 'bearer' || n.scheme.kind === 'oauth2' || n.scheme.kind === 'openIdConnect');
  const named = names.length > 0;
  f.add(
    '// NewWith is New with the verifiers v instead of customize\'s: a nil field',
    '// gets its scheme\'s default, built from cfg. A scheme without a default',
    '// (an HTTP scheme other than bearer and basic, mutualTLS) or without a key',
    '// source refuses to start, unless its config says reject_all.',
    `func NewWith(${usesCtx ? 'ctx' : '_'} ${ctx}.Context, ${named ? 'cfg' : '_'} Config, ${named ? 'v' : '_'} Verifiers, opts Options) (*Guard, error) {`,
    ...body,
    ...(named
      ? [
          '\treturn NewGuard(opts.Realm, Schemes, map[string]AuthenticateFunc{',
          ...keyedElements(names.map((n) => [goString(n.scheme.name), credential(n.scheme).authenticate(`v.${n.go}.Verify${n.go}`)]), '\t\t'),
          '\t}, opts.Failures)',
        ]
      : ['\treturn NewGuard(opts.Realm, Schemes, map[string]AuthenticateFunc{}, opts.Failures)']),
    '}',
  );
  return f;
}

/** The statements that give scheme n its default verifier when v leaves it nil. */
function defaultOf(n: SchemeNames, fmt: string, ctx: string): string[] {
  const field = `v.${n.go}`;
  const cfg = `cfg.${n.go}`;
  const setting = goString(`auth.${n.key}`);
  const name = goString(n.scheme.name);
  const set = (call: string, method: string) => [`if ${field} == nil {`, `\tverifier, err := ${call}`, '\tif err != nil {', '\t\treturn nil, err', '\t}', `\t${field} = ${n.go}VerifierFunc(verifier.${method})`, '}'];
  switch (n.scheme.kind) {
    case 'bearer':
    case 'oauth2':
    case 'openIdConnect':
      return set(`DefaultJWT(ctx, ${name}, ${setting}, ${cfg}, opts.Secrets, opts.Log)`, 'VerifyToken');
    case 'apiKey':
      return set(`DefaultAPIKeys(${name}, ${setting}, ${cfg}, opts.Secrets)`, 'VerifyKey');
    case 'basic':
      return set(`DefaultBasicUsers(${name}, ${setting}, ${cfg}, opts.Secrets)`, 'VerifyPassword');
    case 'custom':
      return [
        `if ${field} == nil {`,
        `\tif !${cfg}.RejectAll {`,
        `\t\treturn nil, ${fmt}.Errorf("auth: scheme %q (${n.scheme.httpScheme ?? 'custom'}) has no default verifier: set Verifiers.${n.go} in internal/auth/custom.go, or auth.${n.key}.reject_all: true to refuse every request", ${name})`,
        '\t}',
        `\t${field} = ${n.go}VerifierFunc(RejectAll{}.VerifyKey)`,
        '}',
      ];
  }
}

/** A Go literal of the requirements (OR of AND) of one operation, as a map value (type elided); `nil` when public. */
export function requirementsLiteral(reqs: SecurityRequirement[]): string {
  if (reqs.length === 0) return 'nil';
  const one = (r: SecurityRequirement) =>
    `{${r.map((s) => `{Scheme: ${goString(s.scheme)}${s.scopes.length ? `, Scopes: []string{${s.scopes.map(goString).join(', ')}}` : ''}}`).join(', ')}}`;
  return `{${reqs.map(one).join(', ')}}`;
}

/** One operation as its routes name it, with what the contract says of its callers. */
export interface SecuredOperation {
  /** The Operation of its HTTP routes: the OpenAPI operation name, or `Service.Method`. */
  name: string;
  security: SecurityRequirement[];
  limits?: OperationLimits;
  /** Whether a REST route carries this name (absent: yes); a gRPC-only RPC has none. */
  routed?: boolean;
}

/**
 * Requirements met only when each of several sets is met: one requirement
 * per combination, all its schemes together (a public set adds nothing). A
 * REST route shared by RPCs that differ (custom verbs on one path) takes
 * these, so no caller reaches one without meeting its requirements.
 */
export function allOf(sets: SecurityRequirement[][]): SecurityRequirement[] {
  let out: SecurityRequirement[] = [];
  for (const set of sets) {
    if (set.length === 0) continue;
    if (out.length === 0) {
      out = set.map((r) => [...r]);
      continue;
    }
    out = out.flatMap((a) => set.map((b) => merge(a, b)));
  }
  return out;
}

function merge(a: SecurityRequirement, b: SecurityRequirement): SecurityRequirement {
  const byScheme = new Map<string, Set<string>>();
  for (const s of [...a, ...b]) {
    const scopes = byScheme.get(s.scheme) ?? new Set<string>();
    s.scopes.forEach((x) => scopes.add(x));
    byScheme.set(s.scheme, scopes);
  }
  return [...byScheme].map(([scheme, scopes]) => ({ scheme, scopes: [...scopes] }));
}

/** The requirements of each operation, by the name its routes carry; with `grpc`, their lookup by full gRPC method name. */
function operationsFile(ops: SecuredOperation[], grpc: boolean): GoFile {
  const f = new GoFile(`${SERVICE_AUTH_DIR}/operations.gen.go`, 'auth');
  const secured = ops.filter((o) => o.security.length > 0);
  f.add(
    '// operations are the security requirements of the operations that have',
    '// some, by operation name: any one requirement authorizes a request.',
    ...(secured.length === 0
      ? ['var operations = map[string]Requirements{}']
      : ['var operations = map[string]Requirements{', ...keyedElements(secured.map((o) => [goString(o.name), requirementsLiteral(o.security)]), '\t'), '}']),
  );
  f.add(
    '// Operation returns the requirements of the operation named name (the',
    '// Operation of its route); none means the operation is public.',
    'func Operation(name string) Requirements {',
    '\treturn operations[name]',
    '}',
  );
  if (grpc) {
    const strings = f.use('strings');
    f.add(
      '// Method returns the operation name ("Service.Method") and the',
      '// requirements of the gRPC method fullMethod ("/package.Service/Method");',
      '// a method outside the contract (health, reflection) has none.',
      'func Method(fullMethod string) (string, Requirements) {',
      `\tservice, method, _ := ${strings}.Cut(${strings}.TrimPrefix(fullMethod, "/"), "/")`,
      `\tname := service[${strings}.LastIndex(service, ".")+1:] + "." + method`,
      '\treturn name, operations[name]',
      '}',
    );
  }
  return f;
}

/** The user's own file: where their verifiers are plugged in. Created once. */
function customFile(names: SchemeNames[]): GoFile {
  const f = new GoFile(`${SERVICE_AUTH_DIR}/custom.go`, 'auth', { generated: false });
  const ctx = f.use('context');
  const example = names[0];
  f.add(
    '// customize sets the verifiers you write yourself; every scheme left nil',
    '// gets its default (see schemes.gen.go and configs/config.yaml). For',
    '// example, to check bearer tokens with your own code:',
    '//',
    ...(example
      ? [
          `//\tv.${example.go} = ${example.go}VerifierFunc(func(ctx context.Context, ${credential(example.scheme).params}) (Principal, error) {`,
          '//\t\t// look the credentials up; return Principal{Subject: ..., Scopes: ...}',
          '//\t})',
        ]
      : ['//\tv.BearerAuth = BearerAuthVerifierFunc(myVerifier)']),
    '//',
    '// This file is yours: svc created it once and never rewrites it.',
    `func customize(_ ${ctx}.Context, _ *Verifiers) error {`,
    '\treturn nil',
    '}',
  );
  return f;
}

/** `internal/config/auth.gen.go`: one config section per scheme. */
function configFile(module: string, names: SchemeNames[]): GoFile {
  const f = new GoFile('internal/config/auth.gen.go', 'config');
  const auth = f.use(`${module}/${SERVICE_AUTH_DIR}`);
  const type = (s: SecurityScheme) => (settingsType(s) === 'JWTConfig' ? 'JWTAuth' : 'KeyFileAuth');
  f.add(
    ...comment(`Auth configures the verifier of each security scheme of the contract, under auth.<scheme> (see ${auth}.Config). Key material is a secret and never goes here.`),
    `type Auth = ${auth}.Config`,
  );
  const jwt = names.filter((n) => type(n.scheme) === 'JWTAuth');
  const oidc = names.filter((n) => n.scheme.kind === 'openIdConnect' && n.scheme.openIdConnectUrl);
  f.add(
    '// authDefaults adds the default of every auth key to d.',
    `func authDefaults(${names.length ? 'd' : '_'} map[string]any) {`,
    ...(names.length === 0
      ? []
      : [
          '\tfor prefix, defaults := range map[string]map[string]any{',
          ...keyedElements(names.map((n) => [`"auth.${n.key}."`, `${type(n.scheme)}Defaults()`]), '\t\t'),
          '\t} {',
          '\t\tfor k, v := range defaults {',
          '\t\t\td[prefix+k] = v',
          '\t\t}',
          '\t}',
          ...oidc.map((n) => `\td["auth.${n.key}.discovery_url"] = ${goString(n.scheme.openIdConnectUrl!)}`),
        ]),
    '}',
  );
  f.add(
    '// validateAuth checks the settings of every JWT scheme.',
    `func validateAuth(${jwt.length ? 'a' : '_'} Auth) error {`,
    ...(jwt.length === 0 ? ['\treturn nil'] : [`\treturn ${f.use('errors')}.Join(`, ...jwt.map((n) => `\t\ta.${n.go}.Validate("auth.${n.key}"),`), '\t)']),
    '}',
  );
  return f;
}

/** `internal/handler/limits.gen.go`: the contract's per-operation limits. */
function limitsFile(ops: SecuredOperation[]): GoFile {
  const f = new GoFile('internal/handler/limits.gen.go', 'handler');
  const limited = ops.filter((o) => o.limits && (o.limits.timeoutMs || o.limits.maxBodyBytes || o.limits.rateLimit));
  const entry = (o: SecuredOperation): [string, string] => {
    const l = o.limits!;
    const parts: string[] = [];
    if (l.timeoutMs) parts.push(`Timeout: ${duration(l.timeoutMs, f)}`);
    if (l.maxBodyBytes) parts.push(`MaxBodyBytes: ${l.maxBodyBytes}`);
    if (l.rateLimit) {
      const perSecond = (l.rateLimit.requests * 1000) / l.rateLimit.perMs;
      parts.push(`Rate: ${Number.isInteger(perSecond) ? perSecond : perSecond.toPrecision(6).replace(/0+$/, '')}`);
      parts.push(`Burst: ${l.rateLimit.burst ?? Math.max(1, Math.ceil(l.rateLimit.requests))}`);
    }
    return [goString(o.name), `{${parts.join(', ')}}`];
  };
  f.add(
    '// contractLimits are the limits the contract sets on its operations',
    '// (x-svc-timeout, x-svc-max-body, x-svc-rate-limit), by operation name.',
    ...(limited.length === 0 ? ['var contractLimits = map[string]Limits{}'] : ['var contractLimits = map[string]Limits{', ...keyedElements(limited.map(entry), '\t'), '}']),
  );
  return f;
}

/** A Go duration expression for ms milliseconds. */
function duration(ms: number, f: GoFile): string {
  const time = f.use('time');
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} * ${time}.Hour`;
  if (ms % 60_000 === 0) return `${ms / 60_000} * ${time}.Minute`;
  if (ms % 1000 === 0) return `${ms / 1000} * ${time}.Second`;
  return `${ms} * ${time}.Millisecond`;
}

/** The `auth:` section of configs/config.yaml: every key of every scheme, documented. */
export function authConfigYaml(model: ServiceModel, serviceName: string): string {
  const names = schemeNames(model);
  if (names.length === 0) return '';
  const env = envPrefixOf(serviceName);
  const lines = [
    'auth:',
    '  # One section per security scheme of the contract. Key material is a',
    `  # secret: set it as ${env}_AUTH_<SCHEME>_<NAME>, or as a file named by`,
    `  # ${env}_AUTH_<SCHEME>_<NAME>_FILE. A scheme the contract uses must have a`,
    '  # key source, or the service refuses to start; reject_all: true instead',
    '  # refuses every request it would authorize.',
  ];
  for (const n of names) {
    const s = n.scheme;
    const secret = `${env}_AUTH_${n.env}`;
    lines.push(`  ${n.key}:`);
    if (s.kind === 'bearer' || s.kind === 'oauth2' || s.kind === 'openIdConnect') {
      lines.push(
        `    # ${s.kind === 'bearer' ? 'HTTP bearer' : s.kind === 'oauth2' ? 'OAuth 2.0' : 'OpenID Connect'} JWTs. Keys: a JWKS URL (cached, refreshed, refetched`,
        `    # once on an unknown kid), OpenID discovery, or the secrets ${secret}_PUBLIC_KEY`,
        `    # (PEM) or ${secret}_HMAC_SECRET.`,
        `    jwks_url: ""`,
        `    # OpenID Connect discovery document (issuer and jwks_uri, read at start-up).`,
        `    discovery_url: ${JSON.stringify(s.kind === 'openIdConnect' ? (s.openIdConnectUrl ?? '') : '')}`,
        '    # Expected iss claim; empty accepts any (set it in production).',
        '    issuer: ""',
        '    # Accepted aud values; empty accepts any.',
        '    audience: []',
        '    # Accepted signing algorithms; empty: those of the configured keys.',
        '    algorithms: []',
        '    # Clock skew allowed on exp, nbf and iat.',
        '    leeway: 30s',
        '    # How often the JWKS is refreshed.',
        '    jwks_refresh: 1h',
        '    reject_all: false',
      );
    } else if (s.kind === 'apiKey') {
      lines.push(
        `    # API keys in the ${s.in} ${JSON.stringify(s.param)}: the secret ${secret}_KEYS holds one`,
        '    # key per line, `name sha256:<hex of the key\'s SHA-256> [scope ...]`.',
        '    reject_all: false',
      );
    } else if (s.kind === 'basic') {
      lines.push(`    # HTTP basic: the secret ${secret}_USERS holds htpasswd bcrypt lines (user:$2y$...).`, '    reject_all: false');
    } else {
      lines.push(`    # ${s.httpScheme ?? 'custom'}: no default verifier; set one in internal/auth/custom.go.`, '    reject_all: false');
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every security artifact of a service, over its operations as its routes (and, with `grpc`, its RPCs) name them. */
export function renderSecurity(model: ServiceModel, where: RuntimePlacement, ops: SecuredOperation[], grpc: boolean): Artifact[] {
  const names = schemeNames(model);
  const module = localImportPrefix(where);
  return [
    ...renderAuthRuntime(where, grpc),
    schemesFile(names).toArtifact(module),
    operationsFile(ops, grpc).toArtifact(module),
    customFile(names).toArtifact(module),
    configFile(where.module, names).toArtifact(module),
    limitsFile(ops).toArtifact(module),
  ];
}

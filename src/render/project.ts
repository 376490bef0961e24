import { operationPath } from './openapi/fromproto.js';
import { protocArgs } from './proto/index.js';
import type { ProjectSettings } from '../project/settings.js';
import type { ObjectDecl, ServiceModel } from '../model/types.js';
import { pascal } from '../model/names.js';
import type { ServiceSettings } from './go/gomodel.js';
import { isFormBody } from './go/handler.js';
import { exportedName, packageName } from './go/naming.js';
import { envPrefixOf, runtimeContext } from './runtime.js';
import { localImportPrefix, runtimeImports } from './runtimepkgs.js';
import { databaseContext } from './database.js';
import { keyOf } from './sql/schema.js';
import { authConfigYaml, schemeNames } from './go/security.js';
import { cacheResourceName } from './go/cache.js';
import { GO_VERSION } from '../tools/pins.js';

/** Versions of the Go modules generated services depend on; bumped deliberately, with the fixtures. */
export const GO_DEPENDENCIES = {
  // Versions are the last releases that build with Go 1.22 (later ones
  // require Go 1.23): pgx, goose, jwt v5.2.2 (the one keyfunc v3.7.0
  // requires), x/crypto, x/time. aegis is Kratos's BBR load shedder;
  // gobreaker is the circuit breaker of pkg/httpclient.
  'github.com/MicahParks/keyfunc/v3': 'v3.7.0',
  'github.com/fsnotify/fsnotify': 'v1.7.0',
  'github.com/go-kratos/aegis': 'v0.2.0',
  'github.com/golang-jwt/jwt/v5': 'v5.2.2',
  'github.com/google/uuid': 'v1.6.0',
  'github.com/hashicorp/golang-lru/v2': 'v2.0.7',
  'github.com/jackc/pgx/v5': 'v5.7.4',
  // The event brokers: nats.go v1.39.1 is the last release whose go.mod
  // says go 1.22 (v1.41 needs 1.23); franz-go v1.18.1, kadm v1.16.0 and
  // kmsg v1.9.0 (which kadm requires) are the last that say go 1.21 (the
  // next need 1.23.8).
  'github.com/nats-io/nats.go': 'v1.39.1',
  'github.com/pressly/goose/v3': 'v3.24.1',
  'github.com/prometheus/client_golang': 'v1.20.5',
  // The cache's Redis level: go-redis v9.7.3 (go 1.18; the last release
  // whose CI covers Go 1.21, with the out-of-order reply fix) and
  // x/sync's singleflight at the version every service already has.
  'github.com/redis/go-redis/v9': 'v9.7.3',
  'github.com/rs/cors': 'v1.11.1',
  'github.com/sony/gobreaker/v2': 'v2.4.0',
  'github.com/spf13/pflag': 'v1.0.5',
  'github.com/spf13/viper': 'v1.19.0',
  'github.com/twmb/franz-go': 'v1.18.1',
  'github.com/twmb/franz-go/pkg/kadm': 'v1.16.0',
  'go.opentelemetry.io/otel': 'v1.31.0',
  'go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp': 'v1.31.0',
  'go.opentelemetry.io/otel/sdk': 'v1.31.0',
  'go.opentelemetry.io/otel/trace': 'v1.31.0',
  'go.uber.org/zap': 'v1.27.0',
  'golang.org/x/crypto': 'v0.33.0',
  'golang.org/x/sync': 'v0.11.0',
  'golang.org/x/time': 'v0.9.0',
  'modernc.org/sqlite': 'v1.36.1',
} as const;

/**
 * The extra Go modules of a service with the gRPC transport. grpc v1.69.4 is
 * the last release whose go.mod accepts our otel v1.31.0 (v1.70 needs otel
 * v1.32, v1.71 otel v1.34); otelgrpc v0.56.0 is the contrib release of otel
 * v1.31.0; genproto is the revision grpc v1.69.4 itself requires. All build
 * with Go 1.22.
 */
export const GRPC_GO_DEPENDENCIES = {
  'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc': 'v0.56.0',
  'google.golang.org/genproto/googleapis/api': 'v0.0.0-20241015192408-796eee8c2d53',
  'google.golang.org/genproto/googleapis/rpc': 'v0.0.0-20241015192408-796eee8c2d53',
  'google.golang.org/grpc': 'v1.69.4',
  'google.golang.org/protobuf': 'v1.36.6',
} as const;

export { GO_VERSION };

/** The go.mod requirements of a service, sorted by module path. */
export function goRequires(grpc: boolean): { path: string; version: string }[] {
  const deps: Record<string, string> = { ...GO_DEPENDENCIES, ...(grpc ? GRPC_GO_DEPENDENCIES : {}) };
  return Object.keys(deps)
    .sort()
    .map((path) => ({ path, version: deps[path]! }));
}

/** What the renderers need of a service's svc.yaml settings. */
export function serviceSettingsOf(settings: ProjectSettings): ServiceSettings {
  return {
    name: settings.name,
    module: settings.module,
    contract: settings.contract.path,
    contractKind: settings.contract.kind,
    database: settings.features.database,
    transports: settings.features.transports,
    ...(settings.features.events ? { events: settings.features.events } : {}),
    ...(settings.features.cache ? { cache: settings.features.cache } : {}),
    ...(settings.platform ? { platformModule: settings.platform.module, platformRoot: settings.platform.root } : {}),
  };
}

/** What the static templates of `templates/service` see. */
export function projectContext(model: ServiceModel, settings: ServiceSettings) {
  const grpc = (settings.transports ?? []).includes('grpc');
  return {
    name: settings.name,
    Name: pascal(settings.name),
    pkg: packageName(settings.name),
    module: settings.module,
    /** The import path of each runtime package: in the service, or in its platform's shared/pkg. */
    imports: runtimeImports(settings),
    /** The import path prefixes goimports keeps in the last group (.golangci.yml local-prefixes). */
    localPrefixes: localImportPrefix(settings),
    envPrefix: envPrefixOf(settings.name),
    runtime: runtimeContext(settings.name),
    title: model.title,
    description: model.description ?? '',
    version: model.version,
    contract: settings.contract,
    contractKind: settings.contractKind,
    goVersion: GO_VERSION,
    // A platform's service imports the shared runtime, whose packages may import gRPC's.
    requires: goRequires(grpc || settings.platformModule !== undefined),
    /** The clients of other services the wiring builds into service.Dependencies: field name (padded for gofmt) and package. */
    otherClients: otherClientsContext(settings),
    /** The platform whose root module (shared/pkg) the service requires, from its folder; false for a single service. */
    platform: settings.platformModule ? { module: settings.platformModule, root: settings.platformRoot ?? '../..' } : false,
    /** The service also serves gRPC (svc.yaml's transports include `grpc`). */
    grpc,
    /** The contract declares gRPC services of its own, which pkg/client calls. */
    rpcServices: (model.rpc?.services.length ?? 0) > 0,
    /** The contract is protobuf: the API is gRPC services with a REST gateway. */
    proto: settings.contractKind === 'proto',
    /** protoc's arguments for `make protoc`, for a proto contract. */
    protocCommand: model.rpc && model.rpc.files.some((f) => f.origin !== 'provided') ? protocArgs(model, settings).map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a}'` : a)).join(' ') : '',
    contractDir: `${settings.name.replaceAll('-', '')}proto`,
    resources: model.resources.map((r) => ({ name: r.name, plural: r.plural, Go: exportedName(r.entity) })),
    operations: model.operations.map((o) => ({ method: o.method, path: model.rpc ? operationPath(model.rpc, o.name) ?? o.path : o.path, name: o.name, summary: o.summary ?? '' })),
    hasResources: model.resources.length > 0,
    /** Some resource is keyed by an integer: page tokens of integers are needed. */
    hasIntegerKeys: model.resources.some((r) => keyOf(r, model.types.find((t) => t.name === r.entity) as ObjectDecl) !== 'string'),
    hasForms: model.operations.some(isFormBody),
    database: databaseContext(model, settings.name, settings.database),
    events: eventsContext(settings),
    /** The cache runtime (internal/cache) and the cached repositories (svc.yaml's features.cache); redis: Redis is meant to be a level (config and manifests say so). */
    cache: { on: (settings.cache ?? 'off') !== 'off', redis: settings.cache === 'redis', ttls: cacheTtls(model) },
    security: securityContext(model, settings.name),
  };
}

/**
 * The brokers the event package is built with: memory always; NATS or Kafka
 * as svc.yaml's features.events says. A platform's shared runtime has both.
 */
function eventsContext(settings: ServiceSettings) {
  const broker = settings.events ?? 'memory';
  const shared = settings.platformModule !== undefined;
  return { memory: true, nats: shared || broker === 'nats', kafka: shared || broker === 'kafka', broker };
}

/**
 * The contract's cache TTL per resource (`x-svc-cache-ttl` on its get, else
 * its list), as config defaults: key padded for gofmt, Go duration.
 */
function cacheTtls(model: ServiceModel) {
  const ttls = model.resources.flatMap((r) => {
    const op = [r.operations.get, r.operations.list].map((n) => model.operations.find((o) => o.name === n)).find((o) => o?.cacheTtlMs !== undefined);
    return op ? [{ name: cacheResourceName(r), ms: op.cacheTtlMs! }] : [];
  });
  const width = Math.max(0, ...ttls.map((t) => t.name.length + 3));
  return ttls.map((t) => ({ key: `"${t.name}":`.padEnd(width), go: `${t.ms} * time.Millisecond` }));
}

/** What the README and config.yaml say of the contract's security schemes. */
function securityContext(model: ServiceModel, name: string) {
  const env = envPrefixOf(name);
  const schemes = schemeNames(model).map((n) => {
    const s = n.scheme;
    const secret = `${env}_AUTH_${n.env}`;
    const jwt = s.kind === 'bearer' || s.kind === 'oauth2' || s.kind === 'openIdConnect';
    const what =
      s.kind === 'bearer' ? `HTTP bearer token${s.bearerFormat ? ` (${s.bearerFormat})` : ''}, as a JWT`
      : s.kind === 'oauth2' ? 'OAuth 2.0 access token (JWT) and its scopes'
      : s.kind === 'openIdConnect' ? 'OpenID Connect token (JWT) and its scopes'
      : s.kind === 'apiKey' ? `API key in the ${s.in} \`${s.param}\``
      : s.kind === 'basic' ? 'HTTP basic user and password'
      : `${s.httpScheme ?? 'custom'} credentials: your verifier`;
    const secrets = jwt ? `\`${secret}_PUBLIC_KEY\` (PEM) or \`${secret}_HMAC_SECRET\`, unless \`jwks_url\`/\`discovery_url\` is set`
      : s.kind === 'apiKey' ? `\`${secret}_KEYS\``
      : s.kind === 'basic' ? `\`${secret}_USERS\``
      : 'none';
    return { name: s.name, key: n.key, what, secrets };
  });
  return { schemes, config: authConfigYaml(model, name) };
}

function otherClientsContext(settings: ServiceSettings) {
  const names = [...(settings.otherClients ?? [])].sort();
  const width = Math.max(0, ...names.map((n) => exportedName(n).length));
  return names.map((name) => ({ name, field: exportedName(name).padEnd(width), import: `${settings.module}/internal/client/${name}` }));
}

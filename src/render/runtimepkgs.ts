/**
 * The runtime's Go packages: the static templates under `templates/service`
 * that every service needs (logging, metrics, middleware, ...), by the name
 * templates and renderers use for them (`{{imports.logging}}`). A single service
 * keeps them in its own tree at `dir`; a platform (monorepo) keeps the
 * shared ones once, in `shared/pkg/<name>` of its root module, and its
 * services import them from there: the same templates, rendered to a
 * different place.
 */
export const RUNTIME_PACKAGES = {
  logging: 'internal/logging',
  metrics: 'internal/metrics',
  protect: 'internal/protect',
  health: 'internal/health',
  event: 'internal/event',
  problem: 'internal/problem',
  middleware: 'internal/middleware',
  interceptor: 'internal/interceptor',
  auth: 'internal/auth',
  tracing: 'internal/tracing',
  database: 'internal/database',
  cache: 'internal/cache',
  dbtest: 'internal/database/dbtest',
  errors: 'pkg/errors',
  httpclient: 'pkg/httpclient',
  grpcclient: 'pkg/grpcclient',
} as const;

export type RuntimePackage = keyof typeof RUNTIME_PACKAGES;

/**
 * The runtime packages a platform keeps once, in `shared/pkg`: every one.
 * None imports a service's own packages (its config, its handlers, its
 * migrations): each takes what it needs of them as a parameter. auth's
 * templates are its runtime only; the contract's schemes and requirements
 * stay in the service's own internal/auth, which re-exports the runtime's
 * API in a platform (see go/authruntime.ts).
 */
export const SHARED_PACKAGES: readonly RuntimePackage[] = [
  'logging', 'metrics', 'protect', 'health', 'event', 'problem', 'errors', 'httpclient', 'grpcclient', 'tracing', 'database', 'dbtest',
  'auth', 'middleware', 'interceptor', 'cache',
];

/** Where a platform keeps its shared runtime, relative to its root (and to its root module's path). */
export const SHARED_RUNTIME_DIR = 'shared/pkg';

/** A shared package's folder in a platform: shared/pkg/<name>, nested as in a service (database/dbtest). */
export function sharedDir(p: RuntimePackage): string {
  return `${SHARED_RUNTIME_DIR}/${RUNTIME_PACKAGES[p].replace(/^(internal|pkg)\//, '')}`;
}

/** The settings that decide where the runtime is: a service's module, and its platform's when it has one. */
export interface RuntimePlacement {
  module: string;
  /** The Go module of the platform's root (which holds shared/pkg); absent for a single service. */
  platformModule?: string;
}

/** Is p kept in the platform's shared/pkg (rather than in the service)? */
export function isShared(p: RuntimePackage, where: RuntimePlacement): boolean {
  return where.platformModule !== undefined && SHARED_PACKAGES.includes(p);
}

/** The import path of runtime package p for a service placed as `where`. */
export function runtimeImport(where: RuntimePlacement, p: RuntimePackage): string {
  return isShared(p, where) ? `${where.platformModule}/${sharedDir(p)}` : `${where.module}/${RUNTIME_PACKAGES[p]}`;
}

/** Every runtime package's import path, for the templates (`{{imports.logging}}`). */
export function runtimeImports(where: RuntimePlacement): Record<RuntimePackage, string> {
  const out = {} as Record<RuntimePackage, string>;
  for (const p of Object.keys(RUNTIME_PACKAGES) as RuntimePackage[]) out[p] = runtimeImport(where, p);
  return out;
}

/** The runtime package whose folder holds path (a service-relative file path), if any. */
export function runtimePackageAt(path: string): RuntimePackage | undefined {
  const dir = path.slice(0, path.lastIndexOf('/'));
  return (Object.keys(RUNTIME_PACKAGES) as RuntimePackage[]).find((p) => RUNTIME_PACKAGES[p] === dir);
}

/**
 * The import path prefixes goimports groups last, as the service's own: the
 * service's module and, in a platform, the platform's, which holds the
 * shared runtime (one prefix when the service's module is under it). The
 * generated .golangci.yml lists the same.
 */
export function localImportPrefix(where: RuntimePlacement): string[] {
  const p = where.platformModule;
  if (p === undefined || where.module.startsWith(`${p}/`)) return [p ?? where.module];
  return [where.module, p];
}

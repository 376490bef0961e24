import { parse, stringify } from 'yaml';
import { UserError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { readDeploySettings, type DeploySettings } from './deploy.js';
import { readProtoSecurity } from '../build/proto/security.js';

/** The file at a service's root that holds its svc settings. */
export const SETTINGS_PATH = 'svc.yaml';

/** `http` (net/http, JSON) and `grpc` (a gRPC server next to the HTTP one). */
export const TRANSPORTS = ['http', 'grpc'] as const;
/** Where generated services keep their data; the first is the default. `sql`: SQLite or PostgreSQL, chosen at run time. */
export const DATABASES = ['sql', 'memory'] as const;

/** The event broker a service is built for (memory is always there, the default); the first is the default. */
export const EVENT_BROKERS = ['memory', 'nats', 'kafka'] as const;
/** Read caching of repositories: none, an in-process LRU, or the LRU in front of Redis. */
export const CACHES = ['off', 'memory', 'redis'] as const;

export type Transport = (typeof TRANSPORTS)[number];
export type Database = (typeof DATABASES)[number];
export type EventBroker = (typeof EVENT_BROKERS)[number];
export type CacheKind = (typeof CACHES)[number];

/** A service's own settings, as `svc.yaml` records them. */
export interface ProjectSettings {
  name: string;
  module: string;
  contract: { kind: 'openapi' | 'proto'; path: string };
  features: Features;
  /** Deployment features and per-environment sizing (`svc gen k8s`). */
  deploy: DeploySettings;
  /**
   * A proto contract's security schemes and per-RPC requirements, as written
   * (checked by `readProtoSecurity`; RPC names are checked against the
   * contract when it is built). Absent: every RPC is public.
   */
  security?: Record<string, unknown>;
  /**
   * Typed clients of other services, by name (`user`): each is generated
   * from the other service's contract into `internal/client/<name>/`.
   */
  clients?: Record<string, ClientSettings>;
  /**
   * The platform (monorepo) this service is part of: its root module holds
   * the shared runtime (shared/pkg) the service imports. Absent for a single
   * service, which keeps its own copy of the runtime.
   */
  platform?: PlatformRef;
  /** The folder of the service's own templates (`svc template init`), relative to its root; `.svc/templates` when absent. */
  templates?: string;
}

/** What a service is built with. `events` and `cache` are absent in a svc.yaml written before they existed (memory and off). */
export interface Features {
  transports: Transport[];
  database: Database;
  events?: EventBroker;
  cache?: CacheKind;
}

/** A service's link to its platform, as its svc.yaml records it. */
export interface PlatformRef {
  /** The platform's name (its root svc.yaml's). */
  name: string;
  /** The Go module of the platform's root, e.g. example.com/shop. */
  module: string;
  /** The platform's root, relative to the service's (`../..`). */
  root: string;
}

/** One client of another service. */
export interface ClientSettings {
  /** The other service's contract: a path relative to this service's root. */
  contract: string;
  /** `openapi` or `proto`; taken from the file's extension when absent. */
  kind?: 'openapi' | 'proto';
  /** A proto contract's import folders, relative to this service's root (its own folder when absent). */
  includes?: string[];
}

/** A client name: it is a Go package name and a config key, so lower-case letters and digits. */
export const CLIENT_NAME = /^[a-z][a-z0-9]*$/;

export function serializeSettings(s: ProjectSettings): string {
  const body = stringify(
    {
      name: s.name,
      module: s.module,
      contract: s.contract,
      features: s.features,
      deploy: s.deploy,
      ...(s.platform ? { platform: s.platform } : {}),
      ...(s.security ? { security: s.security } : {}),
      ...(s.clients && Object.keys(s.clients).length > 0 ? { clients: s.clients } : {}),
      ...(s.templates !== undefined ? { templates: s.templates } : {}),
    },
    { lineWidth: 0 },
  );
  return `# Settings of this service for the svc generator.\n# Edit them, then run \`svc gen api\`.\n${body}`;
}

/** Reads and checks `svc.yaml`; every problem is a one-line UserError. */
export async function readSettings(fs: FileSystem, where: string): Promise<ProjectSettings> {
  const text = await fs.read(SETTINGS_PATH);
  if (text === undefined) {
    throw new UserError(`${where} is not an svc service: no ${SETTINGS_PATH} (create one with \`svc new <name>\`)`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new UserError(`${SETTINGS_PATH}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const bad = (what: string) => new UserError(`${SETTINGS_PATH}: ${what}`);
  if (typeof data !== 'object' || data === null) throw bad('expected a mapping');
  const d = data as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name === '') throw bad('"name" must be a non-empty string');
  if (typeof d.module !== 'string' || d.module === '') throw bad('"module" must be a non-empty string');
  const c = d.contract as Record<string, unknown> | undefined;
  if (!c || (c.kind !== 'openapi' && c.kind !== 'proto') || typeof c.path !== 'string') throw bad('"contract" must have kind: openapi or proto, and a path');
  const f = (d.features ?? {}) as Record<string, unknown>;
  const transports = Array.isArray(f.transports) ? f.transports : ['http'];
  for (const t of transports) if (!TRANSPORTS.includes(t as Transport)) throw bad(`unknown transport "${String(t)}" (known: ${TRANSPORTS.join(', ')})`);
  if (c.kind === 'openapi' && transports.includes('grpc')) throw bad('transport "grpc" needs a proto contract (contract.kind: proto)');
  const database = f.database ?? DATABASES[0];
  if (!DATABASES.includes(database as Database)) throw bad(`unknown database "${String(database)}" (known: ${DATABASES.join(', ')})`);
  const events = f.events ?? EVENT_BROKERS[0];
  if (!EVENT_BROKERS.includes(events as EventBroker)) throw bad(`features.events: unknown broker "${String(events)}" (known: ${EVENT_BROKERS.join(', ')})`);
  const cache = f.cache ?? CACHES[0];
  if (!CACHES.includes(cache as CacheKind)) throw bad(`features.cache: unknown cache "${String(cache)}" (known: ${CACHES.join(', ')})`);
  if (d.security !== undefined && c.kind !== 'proto') {
    throw bad('"security" is for a proto contract: an OpenAPI contract declares its securitySchemes and security itself');
  }
  if (d.security !== undefined) readProtoSecurity(d.security);
  const clients = readClients(d.clients, bad);
  const platform = readPlatformRef(d.platform, bad);
  if (d.templates !== undefined && (typeof d.templates !== 'string' || d.templates === '' || d.templates.startsWith('/') || d.templates.split(/[\\/]/).includes('..'))) {
    throw bad('"templates" must be a folder inside the service, relative to its root (e.g. .svc/templates)');
  }
  return {
    name: d.name,
    module: d.module,
    contract: { kind: c.kind, path: c.path },
    features: {
      transports: transports as Transport[],
      database: database as Database,
      ...(f.events !== undefined ? { events: events as EventBroker } : {}),
      ...(f.cache !== undefined ? { cache: cache as CacheKind } : {}),
    },
    deploy: readDeploySettings(d.deploy, d.name, SETTINGS_PATH),
    ...(d.security !== undefined ? { security: d.security as Record<string, unknown> } : {}),
    ...(clients ? { clients } : {}),
    ...(platform ? { platform } : {}),
    ...(typeof d.templates === 'string' ? { templates: d.templates } : {}),
  };
}

function readPlatformRef(raw: unknown, bad: (what: string) => UserError): PlatformRef | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = raw as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p)) throw bad('"platform" must be a mapping with name, module and root');
  for (const key of ['name', 'module', 'root'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') throw bad(`platform.${key} must be a non-empty string`);
  }
  return { name: p.name as string, module: p.module as string, root: p.root as string };
}

function readClients(raw: unknown, bad: (what: string) => UserError): Record<string, ClientSettings> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('"clients" must be a mapping of client names to { contract: FILE }');
  const out: Record<string, ClientSettings> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!CLIENT_NAME.test(name)) throw bad(`client name "${name}" must be lower-case letters and digits, starting with a letter (it names a Go package)`);
    const v = value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object' || typeof v.contract !== 'string' || v.contract === '') throw bad(`clients.${name}.contract must be the path of the other service's contract`);
    if (v.kind !== undefined && v.kind !== 'openapi' && v.kind !== 'proto') throw bad(`clients.${name}.kind must be openapi or proto`);
    if (v.includes !== undefined && (!Array.isArray(v.includes) || v.includes.some((i) => typeof i !== 'string'))) throw bad(`clients.${name}.includes must be a list of folders`);
    out[name] = {
      contract: v.contract,
      ...(v.kind ? { kind: v.kind as 'openapi' | 'proto' } : {}),
      ...(v.includes ? { includes: v.includes as string[] } : {}),
    };
  }
  return out;
}

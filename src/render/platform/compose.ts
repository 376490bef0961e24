import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { binaryOf, clientUrlEnv, composeUrl, serviceMap, startupDependencies } from './facts.js';
import type { Platform, PlatformService } from './types.js';

/**
 * docker-compose.yml: the whole platform on one machine. Each service is built
 * from its Dockerfile with the platform root as the build context, and gets
 * only what it needs: PostgreSQL (a database and a role of its own) when it
 * keeps its data in SQL, the OpenTelemetry collector for its traces, and the
 * base URL of every service it calls. Prometheus scrapes every admin port;
 * Jaeger shows the traces. `docker compose up` starts in order: a caller waits
 * until the services it calls are healthy.
 */

/** Images of the local stack, pinned by tag (pin by digest too for byte-for-byte reproducible stacks). */
export const COMPOSE_IMAGES = {
  postgres: 'postgres:16.6-alpine',
  collector: 'otel/opentelemetry-collector:0.114.0',
  jaeger: 'jaegertracing/all-in-one:1.63.0',
  prometheus: 'prom/prometheus:v2.55.1',
  nats: 'nats:2.10.24-alpine',
  kafka: 'apache/kafka:3.9.0',
  redis: 'redis:7.4.1-alpine',
} as const;

/** Where the stack's broker and cache listen, inside its network. */
export const COMPOSE_COMPONENTS = { nats: 'nats://nats:4222', kafka: 'kafka:9092', redis: 'redis:6379' } as const;

/** Where the files the stack mounts live, relative to the platform root. */
export const COMPOSE_DIR = 'deployments/compose';

/** The OTLP/HTTP port of the collector, which the services' tracing.endpoint names. */
export const COLLECTOR_OTLP_HTTP = 4318;

/** Host ports: the first service's API on these, the next one's one higher, and so on. */
const HOST_PORT_BASE = { http: 8080, grpc: 50051 } as const;

/** A compose service's environment variable. */
interface EnvVar {
  name: string;
  /** JSON-quoted, which is a valid YAML double-quoted scalar. */
  value: string;
}

interface Dependency {
  name: string;
  condition: 'service_healthy' | 'service_started' | 'service_completed_successfully';
}

/** The settings of the local stack's PostgreSQL: a development-only superuser. */
const POSTGRES = { host: 'postgres', port: 5432, user: 'postgres', password: 'postgres' } as const;

/** The DSN of a service's own database on the local stack (role and password are the service's name: local only). */
export function composeDsn(s: PlatformService): string {
  return `postgres://${s.name}:${s.name}@${POSTGRES.host}:${POSTGRES.port}/${s.name}?sslmode=disable`;
}

/** The environment a service runs with in docker-compose, in order. */
export function composeEnvironment(platform: Platform, s: PlatformService): { name: string; value: string }[] {
  const byName = serviceMap(platform);
  const env: { name: string; value: string }[] = [
    { name: `${s.envPrefix}_SERVICE_ENVIRONMENT`, value: 'local' },
    { name: `${s.envPrefix}_TRACING_ENDPOINT`, value: `otel-collector:${COLLECTOR_OTLP_HTTP}` },
    { name: `${s.envPrefix}_TRACING_INSECURE`, value: 'true' },
  ];
  if (s.database === 'sql') {
    env.push({ name: `${s.envPrefix}_DATABASE_DRIVER`, value: 'postgres' });
    env.push({ name: `${s.envPrefix}_DATABASE_DSN`, value: composeDsn(s) });
  }
  if (s.events === 'nats') env.push({ name: `${s.envPrefix}_EVENTS_DRIVER`, value: 'nats' }, { name: `${s.envPrefix}_EVENTS_URL`, value: COMPOSE_COMPONENTS.nats });
  if (s.events === 'kafka') env.push({ name: `${s.envPrefix}_EVENTS_DRIVER`, value: 'kafka' }, { name: `${s.envPrefix}_EVENTS_BROKERS`, value: COMPOSE_COMPONENTS.kafka });
  if (s.cache === 'redis') env.push({ name: `${s.envPrefix}_CACHE_REDIS_ADDR`, value: COMPOSE_COMPONENTS.redis });
  for (const other of s.calls) env.push({ name: clientUrlEnv(s, other), value: composeUrl(byName.get(other)!) });
  return env;
}

/**
 * What a service waits for before it starts, in order: its database, the
 * collector, and the services it calls that are healthy (`waitsFor`: the
 * calls startupDependencies keeps).
 */
export function composeDependencies(s: PlatformService, waitsFor: readonly string[]): Dependency[] {
  const deps: Dependency[] = [];
  if (s.database === 'sql') deps.push({ name: 'postgres-init', condition: 'service_completed_successfully' });
  if (s.events === 'nats' || s.events === 'kafka') deps.push({ name: s.events, condition: 'service_healthy' });
  if (s.cache === 'redis') deps.push({ name: 'redis', condition: 'service_started' });
  deps.push({ name: 'otel-collector', condition: 'service_started' });
  for (const callee of waitsFor) deps.push({ name: callee, condition: 'service_healthy' });
  return deps;
}

function composeContext(platform: Platform) {
  const quote = (vars: { name: string; value: string }[]): EnvVar[] => vars.map((v) => ({ name: v.name, value: JSON.stringify(v.value) }));
  const startup = startupDependencies(platform);
  const services = platform.services.map((s, i) => {
    const ports: { host: number; container: number }[] = [];
    if (s.ports.http !== undefined) ports.push({ host: HOST_PORT_BASE.http + i, container: s.ports.http });
    if (s.ports.grpc !== undefined) ports.push({ host: HOST_PORT_BASE.grpc + i, container: s.ports.grpc });
    const waitsFor = startup.get(s.name) ?? [];
    const skipped = s.calls.filter((c) => !waitsFor.includes(c));
    return {
      name: s.name,
      dockerfile: `${s.dir}/Dockerfile`,
      image: `${s.image}:dev`,
      binary: binaryOf(s),
      ports,
      admin: s.ports.admin,
      environment: quote(composeEnvironment(platform, s)),
      dependsOn: composeDependencies(s, waitsFor),
      skipped,
    };
  });
  const sql = platform.services.filter((s) => s.database === 'sql');
  return {
    name: platform.name,
    images: COMPOSE_IMAGES,
    dir: COMPOSE_DIR,
    postgres: { ...POSTGRES, databases: sql.map((s) => s.name) },
    sql: sql.length > 0,
    nats: platform.services.some((s) => s.events === 'nats'),
    kafka: platform.services.some((s) => s.events === 'kafka'),
    redis: platform.services.some((s) => s.cache === 'redis'),
    volumes: [
      ...(sql.length > 0 ? ['postgres-data'] : []),
      ...(platform.services.some((s) => s.events === 'nats') ? ['nats-data'] : []),
      ...(platform.services.some((s) => s.events === 'kafka') ? ['kafka-data'] : []),
    ],
    services,
    collectorPort: COLLECTOR_OTLP_HTTP,
  };
}

/**
 * docker-compose.yml and the files it mounts: the collector's and
 * Prometheus's configurations and the script that creates the databases.
 */
export function renderCompose(platform: Platform): Artifact[] {
  const ctx = composeContext(platform);
  const out = [
    artifact('docker-compose.yml', renderTemplate('platform/docker-compose.yml.hbs', ctx)),
    artifact(`${COMPOSE_DIR}/otel-collector.yaml`, renderTemplate('platform/compose/otel-collector.yaml.hbs', ctx)),
    artifact(`${COMPOSE_DIR}/prometheus.yml`, renderTemplate('platform/compose/prometheus.yml.hbs', ctx)),
  ];
  if (ctx.sql) out.push(artifact(`${COMPOSE_DIR}/postgres-init/databases.sh`, renderTemplate('platform/compose/databases.sh.hbs', ctx)));
  return out;
}

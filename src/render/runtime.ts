import { words } from '../model/names.js';

/**
 * The run-time facts of a generated service that its Go code, its config file,
 * its image and its Kubernetes manifests all depend on: listen ports, the
 * operational paths, environment variable names, config keys and the shutdown
 * timings. They live here once; the Go templates (config defaults, server
 * paths) and the deployment templates both read them from the template context
 * (`runtime`), so manifests and code cannot disagree.
 */

/** A port the service listens on; `name` is the Kubernetes port name. */
export interface ServicePort {
  name: 'http' | 'grpc';
  /** The port the process listens on (the default of `configKey`). */
  containerPort: number;
  /** The port the Kubernetes Service exposes. */
  servicePort: number;
  /** The config key holding the listen address (`host:port`). */
  configKey: string;
  /** Kubernetes `appProtocol`. */
  appProtocol: 'http' | 'grpc';
}

/** The HTTP listener; a gRPC listener joins the list when the service has one. */
export const HTTP_PORT: ServicePort = { name: 'http', containerPort: 8080, servicePort: 80, configKey: 'http.addr', appProtocol: 'http' };
/** The gRPC listener of a service whose transports include `grpc`; probes stay on HTTP. */
export const GRPC_PORT: ServicePort = { name: 'grpc', containerPort: 9090, servicePort: 9090, configKey: 'grpc.addr', appProtocol: 'grpc' };

/**
 * The admin listener (config `admin.addr`): Prometheus metrics and, when
 * `admin.pprof` is on, the pprof profiles. Kept off the API port so that only
 * the monitoring namespace reaches it (see the NetworkPolicy).
 */
export const ADMIN_PORT = { name: 'admin', containerPort: 9091, configKey: 'admin.addr' } as const;

/** Probes are served on the HTTP port; metrics and pprof on the admin port. */
export const PATHS = { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics', pprof: '/debug/pprof/' } as const;

/**
 * The namespace label the NetworkPolicy requires of clients of the admin
 * port: label the namespace Prometheus runs in with it.
 */
export const MONITORING_LABEL = { key: 'monitoring', value: 'true' } as const;

/** Shutdown timings in seconds (the defaults of http.shutdown_delay and http.shutdown_timeout). */
export const SHUTDOWN = {
  /** /readyz answers 503 this long after SIGTERM before draining starts. */
  delaySeconds: 2,
  /** In-flight requests get this long to finish once draining starts. */
  timeoutSeconds: 15,
  /** Kubernetes preStop pause before SIGTERM, while endpoints are removed. */
  preStopSeconds: 5,
  /** Slack on top of the three above before the kubelet sends SIGKILL. */
  marginSeconds: 8,
} as const;

/** Where the service reads its config file, relative to its working directory. */
export const CONFIG_FILE = 'configs/config.yaml';
/** The default log level. */
export const LOG_LEVEL = 'info';
/** The image's working directory, holding the binary and its default config. */
export const IMAGE_WORKDIR = '/app';
/** The distroless `nonroot` user and group. */
export const NONROOT_UID = 65532;

/** `order-service` → `ORDER_SERVICE`: the prefix of every environment variable the service reads. */
export function envPrefixOf(name: string): string {
  return words(name).join('_').toUpperCase();
}

/** The environment variable that overrides a config key: `http.addr` → `PRODUCT_HTTP_ADDR`. */
export function envVarOf(name: string, key: string): string {
  return `${envPrefixOf(name)}_${key.replaceAll('.', '_').toUpperCase()}`;
}

/** The ports a service with these transports listens on, HTTP first. */
export function servicePorts(transports: readonly string[]): ServicePort[] {
  const ports: ServicePort[] = [];
  if (transports.includes('http')) ports.push(HTTP_PORT);
  if (transports.includes('grpc')) ports.push(GRPC_PORT);
  return ports;
}

/** What templates see as `runtime`. */
export function runtimeContext(name: string) {
  const graceSeconds = SHUTDOWN.preStopSeconds + SHUTDOWN.delaySeconds + SHUTDOWN.timeoutSeconds + SHUTDOWN.marginSeconds;
  return {
    httpPort: HTTP_PORT.containerPort,
    grpcPort: GRPC_PORT.containerPort,
    adminPort: ADMIN_PORT.containerPort,
    monitoringLabel: MONITORING_LABEL,
    paths: PATHS,
    shutdown: { ...SHUTDOWN, graceSeconds },
    configFile: CONFIG_FILE,
    logLevel: LOG_LEVEL,
    workdir: IMAGE_WORKDIR,
    uid: NONROOT_UID,
    env: {
      prefix: envPrefixOf(name),
      config: envVarOf(name, 'config'),
      logLevel: envVarOf(name, 'log.level'),
      environment: envVarOf(name, 'service.environment'),
    },
  };
}

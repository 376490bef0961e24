import type { ServiceModel } from '../model/types.js';
import { defaultDeploySettings, ENVIRONMENTS, type Environment } from '../project/deploy.js';
import type { ProjectSettings } from '../project/settings.js';
import type { Artifact } from './artifact.js';
import { projectContext, serviceSettingsOf } from './project.js';
import { ADMIN_PORT, envPrefixOf, IMAGE_WORKDIR, MONITORING_LABEL, servicePorts, NONROOT_UID } from './runtime.js';
import { SQLITE_DIR, usesSql } from './database.js';
import { renderTree } from './templates.js';

/** The Go image the Dockerfile builds in: the generated go.mod's Go version, pinned to a patch release. */
export const GO_BUILDER_IMAGE = 'golang:1.22.12-bookworm';
/** The image the binary runs in: no shell, no package manager, a non-root user. */
export const RUNTIME_IMAGE = 'gcr.io/distroless/static-debian12:nonroot';

/** Where the Deployment mounts the ConfigMap made from configs/config.yaml. */
const CONFIG_MOUNT = '/etc/svc';

/**
 * Paths of the files `svc gen docker` and `svc gen k8s` own, as prefixes. The
 * Makefile is both's: it builds the image the overlays deploy (`--image`);
 * a service's Helm chart (when it has one) follows the same flags.
 */
export const DOCKER_PATHS = ['Dockerfile', '.dockerignore', 'Makefile'] as const;
export const K8S_PATHS = ['deployments/', 'configs/kustomization.yaml', 'Makefile', 'charts/'] as const;

/**
 * The folder, inside each overlay deployments/<env>/, of the kustomize
 * component svc rewrites on every run with what svc.yaml says of the
 * environment; the overlay's own kustomization.yaml (the user's) includes it.
 */
export const OVERLAY_COMPONENT = 'svc';

/** The overlay of an environment, and the generated component inside it. */
export function overlayDir(env: Environment): string {
  return `deployments/${env}`;
}
export function overlayComponentDir(env: Environment): string {
  return `${overlayDir(env)}/${OVERLAY_COMPONENT}`;
}

/** A writable emptyDir the container needs under its read-only root file system. None so far. */
interface ScratchDir {
  name: string;
  path: string;
  sizeLimit: string;
}

/**
 * What the deployment templates see: the project context (with `runtime`, the
 * facts shared with the Go code) plus `deploy`, derived from svc.yaml.
 */
export function deployContext(model: ServiceModel, settings: ProjectSettings) {
  const ports = servicePorts(settings.features.transports);
  const http = ports.find((p) => p.name === 'http');
  const grpc = ports.find((p) => p.name === 'grpc');
  if (!http && !grpc) throw new Error('internal error: a service without a listener');
  const scratch: ScratchDir[] = [];
  // SQLite keeps its file under the working directory: the one writable place
  // on a read-only root file system (an emptyDir: use PostgreSQL for data
  // that must outlive the pod).
  const dataDir = usesSql(model, settings.features.database) ? `${IMAGE_WORKDIR}/${SQLITE_DIR}` : undefined;
  if (dataDir) scratch.push({ name: 'data', path: dataDir, sizeLimit: '1Gi' });
  return {
    ...projectContext(model, serviceSettingsOf(settings)),
    overlayComponent: OVERLAY_COMPONENT,
    deploy: {
      image: settings.deploy.image,
      builderImage: GO_BUILDER_IMAGE,
      runtimeImage: RUNTIME_IMAGE,
      uid: NONROOT_UID,
      ports,
      // HTTP probes on /healthz and /readyz; a gRPC-only service gets gRPC health probes.
      probe: http ? { http: http.name } : { grpc: grpc!.containerPort },
      // Metrics (and pprof) are on the admin listener, which only namespaces
      // labelled MONITORING_LABEL may reach (NetworkPolicy).
      admin: { ...ADMIN_PORT, appProtocol: 'http', monitoringLabel: MONITORING_LABEL },
      metrics: { port: ADMIN_PORT.containerPort, portName: ADMIN_PORT.name },
      ingress: { ...settings.deploy.ingress, enabled: settings.deploy.ingress.enabled && http !== undefined, portName: http?.name },
      serviceMonitor: settings.deploy.serviceMonitor,
      configMap: `${settings.name}-config`,
      configMount: CONFIG_MOUNT,
      secretName: `${settings.name}-secrets`,
      scratch,
      dataDir,
      // The base's own sizing is the default staging one; the overlays set theirs.
      base: defaultDeploySettings(settings.name).environments.staging,
      platform: platformBuild(settings),
      components: componentEnv(settings),
      // The tags the overlays deploy, which `make image` builds: dev, and the contract's version.
      tags: { dev: envTag('dev', model.version), release: envTag('prod', model.version) },
    },
  };
}

/**
 * Where a deployed service finds the broker and Redis svc.yaml's features
 * name: the cluster's `nats`, `kafka` and `redis` services by default, as
 * environment variables (the manifests' and the chart's).
 */
export function componentEnv(settings: ProjectSettings): { name: string; value: string }[] {
  const prefix = envPrefixOf(settings.name);
  const env: { name: string; value: string }[] = [];
  if (settings.features.events === 'nats') env.push({ name: `${prefix}_EVENTS_DRIVER`, value: 'nats' }, { name: `${prefix}_EVENTS_URL`, value: 'nats://nats:4222' });
  if (settings.features.events === 'kafka') env.push({ name: `${prefix}_EVENTS_DRIVER`, value: 'kafka' }, { name: `${prefix}_EVENTS_BROKERS`, value: 'kafka:9092' });
  if (settings.features.cache === 'redis') env.push({ name: `${prefix}_CACHE_REDIS_ADDR`, value: 'redis:6379' });
  return env;
}

/**
 * How the Dockerfile of a platform's service builds: its build context is the
 * platform root, where it finds the root module (the shared runtime) and its
 * own folder. False for a single service, whose context is its own root.
 */
export function platformBuild(settings: ProjectSettings): { module: string; dir: string } | false {
  if (!settings.platform) return false;
  return { module: settings.platform.module, dir: `services/${settings.name}` };
}

/** A valid image tag from the contract's version (`1.0.0` stays, `v2 beta` → `v2-beta`). */
export function imageTag(version: string): string {
  const tag = version.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128);
  return tag === '' || tag === 'latest' ? '0.0.0' : tag;
}

/**
 * Renders the image and Kubernetes files: the Dockerfile and Makefile, the
 * kustomize base (generated) and one overlay per environment: its
 * kustomization.yaml and namespace.yaml (the user's, created once) and the
 * component svc/ (generated) carrying what svc.yaml says of the environment.
 */
export function renderDeploy(model: ServiceModel, settings: ProjectSettings): Artifact[] {
  const ctx = deployContext(model, settings);
  const out = renderTree('deploy/service', ctx);
  for (const env of ENVIRONMENTS) {
    const envCtx = { ...ctx, env: { name: env, ...settings.deploy.environments[env], tag: envTag(env, model.version) } };
    for (const a of renderTree('deploy/overlay', envCtx)) out.push({ ...a, path: `${overlayDir(env)}/${a.path}` });
  }
  return out;
}

/** The image tag an environment deploys: `dev` (what a developer builds), else the contract's version. */
export function envTag(env: Environment, version: string): string {
  return env === 'dev' ? 'dev' : imageTag(version);
}

/** Whether a path belongs to `svc gen docker` or `svc gen k8s`. */
export function ownedBy(kind: 'docker' | 'k8s', path: string): boolean {
  const prefixes: readonly string[] = kind === 'docker' ? DOCKER_PATHS : K8S_PATHS;
  return prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

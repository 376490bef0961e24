import { UserError } from '../../errors.js';
import { defaultDeploySettings, type Environment, type EnvironmentSettings } from '../../project/deploy.js';
import { imageTag } from '../deploy.js';
import { IMAGE_WORKDIR } from '../runtime.js';
import type { Platform, PlatformService } from './types.js';
import { platformNamespace } from '../helm/umbrella.js';

/**
 * The facts every root file of a platform derives from its description: names,
 * namespaces, the calls between services and the environment variables that
 * carry them. Each is computed once here so that docker-compose.yml, the
 * Kubernetes overlays, the Makefile and the CI workflow cannot disagree.
 */

/**
 * What the root files may read beyond `PlatformService` (types.ts): the
 * contract's version, which tags the staging and prod images as a single
 * service's overlays do (`imageTag`). Absent: 0.0.0.
 */
export interface PlatformServiceFiles extends PlatformService {
  version?: string;
}

/** A platform whose services may carry the extra fields above. */
export interface PlatformFiles extends Platform {
  services: PlatformServiceFiles[];
}

/** A DNS label: a service name is a host name in compose and in the cluster. */
const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks what the renderers rely on: names are DNS labels and unique, every
 * call names another service of the platform, and a called service has the
 * HTTP port its generated client speaks to.
 */
export function checkPlatform(platform: Platform): void {
  if (!DNS_LABEL.test(platform.name)) throw new UserError(`platform name "${platform.name}" must be a DNS label (lower-case letters, digits and -)`);
  const byName = new Map<string, PlatformService>();
  for (const s of platform.services) {
    if (!DNS_LABEL.test(s.name)) throw new UserError(`service name "${s.name}" must be a DNS label (lower-case letters, digits and -)`);
    if (byName.has(s.name)) throw new UserError(`service "${s.name}" is listed twice`);
    // Its Dockerfile copies services/<name>/ from the platform root (deploy.ts platformBuild).
    if (s.dir !== `services/${s.name}`) throw new UserError(`service "${s.name}" must live in services/${s.name}, not ${s.dir}`);
    byName.set(s.name, s);
  }
  for (const s of platform.services) {
    for (const other of s.calls) {
      const callee = byName.get(other);
      if (!callee) throw new UserError(`service "${s.name}" calls "${other}", which is not a service of the platform ${platform.name}`);
      if (other === s.name) throw new UserError(`service "${s.name}" calls itself`);
      if (callee.ports.http === undefined) throw new UserError(`service "${s.name}" calls "${other}", which has no HTTP port for its client`);
    }
  }
}

/** The platform's services, by name. */
export function serviceMap(platform: Platform): Map<string, PlatformService> {
  return new Map(platform.services.map((s) => [s.name, s]));
}

/** The Kubernetes namespace of the platform in an environment: shop-dev, shop-staging, shop-prod. */
export function namespaceOf(platform: Platform, env: Environment): string {
  // The Helm umbrella chart installs into the same ones.
  return platformNamespace(platform.name, env);
}

/**
 * The caller's environment variable holding the base URL of its client of
 * another service: `<CALLER>_CLIENTS_<OTHER>_URL`. The client's config key is
 * the other service's name without dashes (a client name is letters and
 * digits: svc.yaml's `clients:`).
 */
export function clientUrlEnv(caller: PlatformService, callee: string): string {
  return `${caller.envPrefix}_CLIENTS_${callee.replaceAll('-', '').toUpperCase()}_URL`;
}

/** Where a caller reaches a service in docker-compose: its compose name and container HTTP port. */
export function composeUrl(callee: PlatformService): string {
  return `http://${callee.name}:${callee.ports.http}`;
}

/** The binary in a service's image, which also answers the `healthcheck` subcommand. */
export function binaryOf(s: PlatformService): string {
  return `${IMAGE_WORKDIR}/${s.name}`;
}

/** The image tag of a service in an environment: dev runs `dev`, staging and prod the contract's version. */
export function envTag(s: PlatformServiceFiles, env: Environment): string {
  return env === 'dev' ? 'dev' : imageTag(s.version ?? '0.0.0');
}

/** A service's sizing in an environment: the defaults `svc new` writes into a single service's svc.yaml. */
export function envSizing(s: PlatformService, env: Environment): EnvironmentSettings {
  return defaultDeploySettings(s.name).environments[env];
}


/** One call between two services. */
export interface CallEdge {
  caller: PlatformService;
  callee: PlatformService;
}

/** Every call of the platform, in the order of the services and their calls. */
export function callEdges(platform: Platform): CallEdge[] {
  const byName = serviceMap(platform);
  return platform.services.flatMap((caller) => caller.calls.map((c) => ({ caller, callee: byName.get(c)! })));
}

/**
 * The calls a start-up order can honour: every call, less those that close a
 * cycle (a service cannot wait for one that waits for it). Services are
 * visited in the platform's order, and so are their calls, so the choice is
 * stable. Returns the kept callees of each service.
 */
export function startupDependencies(platform: Platform): Map<string, string[]> {
  const byName = serviceMap(platform);
  const state = new Map<string, 'visiting' | 'done'>();
  const kept = new Map<string, string[]>(platform.services.map((s) => [s.name, []]));
  const visit = (name: string) => {
    state.set(name, 'visiting');
    for (const callee of byName.get(name)!.calls) {
      const st = state.get(callee);
      if (st === 'visiting') continue; // a back edge: it would close a cycle
      kept.get(name)!.push(callee);
      if (st === undefined) visit(callee);
    }
    state.set(name, 'done');
  };
  for (const s of platform.services) if (!state.has(s.name)) visit(s.name);
  return kept;
}

import { UsageError, UserError } from '../errors.js';

/**
 * The `deploy:` section of `svc.yaml`: the optional deployment features chosen
 * with `svc gen k8s` flags (remembered, so that a re-run without flags changes
 * nothing) and the sizing of each environment, which seeds the overlays under
 * `deployments/<env>/` when they are created.
 */

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface EnvironmentSettings {
  namespace: string;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  resources: Resources;
  logLevel: LogLevel;
}

export interface DeploySettings {
  /** Image repository without a tag, e.g. registry.example.com/product. */
  image: string;
  ingress: { enabled: boolean; host: string };
  serviceMonitor: boolean;
  environments: Record<Environment, EnvironmentSettings>;
}

const sizing = (replicas: number, max: number, cpu: [string, string], memory: [string, string], logLevel: LogLevel) => ({
  replicas,
  minReplicas: replicas,
  maxReplicas: max,
  resources: { requests: { cpu: cpu[0], memory: memory[0] }, limits: { cpu: cpu[1], memory: memory[1] } },
  logLevel,
});

/** What `svc new` writes: a small dev, a staging like prod but smaller, and a prod of three or more. */
export function defaultDeploySettings(name: string): DeploySettings {
  return {
    image: `registry.example.com/${name}`,
    ingress: { enabled: false, host: `${name}.example.com` },
    serviceMonitor: false,
    environments: {
      dev: { namespace: `${name}-dev`, ...sizing(1, 2, ['50m', '500m'], ['64Mi', '128Mi'], 'debug') },
      staging: { namespace: `${name}-staging`, ...sizing(2, 4, ['100m', '1'], ['128Mi', '256Mi'], 'info') },
      prod: { namespace: name, ...sizing(3, 10, ['250m', '2'], ['256Mi', '512Mi'], 'info') },
    },
  };
}

// ---------------------------------------------------------------------------
// Values

const QUANTITY = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a Kubernetes resource quantity (`500m` → 0.5, `64Mi` → 67108864), or undefined if malformed. */
export function parseQuantity(q: string): number | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[3] ?? '';
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix]!;
  return Number(m[1]) * scale;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IMAGE_REPO = /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9]+([._-][a-z0-9]+)*)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;

/** How a field is named in a message: the svc.yaml key, or the flag that set it. */
type Namer = (field: string) => string;

function checkEnvironment(e: EnvironmentSettings, name: Namer): void {
  const bad = (msg: string) => new UserError(msg);
  if (e.namespace.length > 63 || !DNS_LABEL.test(e.namespace)) {
    throw bad(`${name('namespace')} "${e.namespace}" is not a valid namespace (lower-case letters, digits and dashes, at most 63)`);
  }
  for (const f of ['replicas', 'minReplicas', 'maxReplicas'] as const) {
    const v = e[f];
    if (!Number.isInteger(v)) throw bad(`${name(f)} must be a whole number, got ${JSON.stringify(v)}`);
    if (v < 0) throw bad(`${name(f)} must not be negative, got ${v}`);
  }
  if (e.minReplicas < 1) throw bad(`${name('minReplicas')} must be at least 1, got ${e.minReplicas}`);
  if (e.minReplicas > e.maxReplicas) {
    throw bad(`${name('minReplicas')} ${e.minReplicas} is above ${name('maxReplicas')} ${e.maxReplicas}`);
  }
  if (e.replicas < e.minReplicas || e.replicas > e.maxReplicas) {
    throw bad(`${name('replicas')} ${e.replicas} is outside ${name('minReplicas')}..${name('maxReplicas')} (${e.minReplicas}..${e.maxReplicas})`);
  }
  for (const r of ['cpu', 'memory'] as const) {
    const req = e.resources.requests[r];
    const lim = e.resources.limits[r];
    const reqField = r === 'cpu' ? 'cpuRequest' : 'memoryRequest';
    const limField = r === 'cpu' ? 'cpuLimit' : 'memoryLimit';
    const reqValue = parseQuantity(String(req));
    const limValue = parseQuantity(String(lim));
    const hint = r === 'cpu' ? 'e.g. 250m or 1' : 'e.g. 128Mi or 1Gi';
    if (reqValue === undefined) throw bad(`${name(reqField)} "${req}" is not a resource quantity (${hint})`);
    if (limValue === undefined) throw bad(`${name(limField)} "${lim}" is not a resource quantity (${hint})`);
    if (reqValue === 0 || limValue === 0) throw bad(`${name(reqValue === 0 ? reqField : limField)} must be above zero`);
    if (reqValue > limValue) throw bad(`${name(reqField)} ${req} is above ${name(limField)} ${lim}`);
  }
  if (!LOG_LEVELS.includes(e.logLevel)) throw bad(`${name('logLevel')} "${e.logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
}

function checkDeploy(d: DeploySettings, name: Namer, envName: (env: Environment) => Namer): void {
  if (!IMAGE_REPO.test(d.image)) {
    throw new UserError(`${name('image')} "${d.image}" is not an image repository without a tag (e.g. registry.example.com/team/product)`);
  }
  if (d.ingress.host.length > 253 || !DNS_SUBDOMAIN.test(d.ingress.host)) {
    throw new UserError(`${name('ingress.host')} "${d.ingress.host}" is not a valid host name (e.g. product.example.com)`);
  }
  for (const env of ENVIRONMENTS) checkEnvironment(d.environments[env], envName(env));
}

// ---------------------------------------------------------------------------
// svc.yaml

const FIELD_PATH: Record<string, string> = {
  cpuRequest: 'resources.requests.cpu',
  cpuLimit: 'resources.limits.cpu',
  memoryRequest: 'resources.requests.memory',
  memoryLimit: 'resources.limits.memory',
};

/**
 * Reads the `deploy:` section of svc.yaml: absent keys take the defaults, so a
 * service generated before the section existed reads as if it had them.
 */
export function readDeploySettings(raw: unknown, name: string, file: string): DeploySettings {
  const d = defaultDeploySettings(name);
  if (raw === undefined || raw === null) return d;
  const bad = (what: string) => new UserError(`${file}: ${what}`);
  const mapping = (v: unknown, key: string): Record<string, unknown> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw bad(`"${key}" must be a mapping`);
    return v as Record<string, unknown>;
  };
  const take = <T>(v: unknown, fallback: T, key: string): T => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== typeof fallback) throw bad(`"${key}" must be a ${typeof fallback}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const r = mapping(raw, 'deploy');
  const known = new Set(['image', 'ingress', 'serviceMonitor', 'environments']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw bad(`unknown key "deploy.${k}" (known: ${[...known].join(', ')})`);
  d.image = take(r.image, d.image, 'deploy.image');
  const ing = mapping(r.ingress, 'deploy.ingress');
  d.ingress = { enabled: take(ing.enabled, d.ingress.enabled, 'deploy.ingress.enabled'), host: take(ing.host, d.ingress.host, 'deploy.ingress.host') };
  d.serviceMonitor = take(r.serviceMonitor, d.serviceMonitor, 'deploy.serviceMonitor');
  const envs = mapping(r.environments, 'deploy.environments');
  for (const k of Object.keys(envs)) {
    if (!ENVIRONMENTS.includes(k as Environment)) throw bad(`unknown environment "deploy.environments.${k}" (known: ${ENVIRONMENTS.join(', ')})`);
  }
  for (const env of ENVIRONMENTS) {
    const key = `deploy.environments.${env}`;
    const e = mapping(envs[env], key);
    const def = d.environments[env];
    const res = mapping(e.resources, `${key}.resources`);
    const req = mapping(res.requests, `${key}.resources.requests`);
    const lim = mapping(res.limits, `${key}.resources.limits`);
    const quantity = (v: unknown, fallback: string, k: string) => (typeof v === 'number' ? String(v) : take(v, fallback, k));
    d.environments[env] = {
      namespace: take(e.namespace, def.namespace, `${key}.namespace`),
      replicas: take(e.replicas, def.replicas, `${key}.replicas`),
      minReplicas: take(e.minReplicas, def.minReplicas, `${key}.minReplicas`),
      maxReplicas: take(e.maxReplicas, def.maxReplicas, `${key}.maxReplicas`),
      resources: {
        requests: {
          cpu: quantity(req.cpu, def.resources.requests.cpu, `${key}.resources.requests.cpu`),
          memory: quantity(req.memory, def.resources.requests.memory, `${key}.resources.requests.memory`),
        },
        limits: {
          cpu: quantity(lim.cpu, def.resources.limits.cpu, `${key}.resources.limits.cpu`),
          memory: quantity(lim.memory, def.resources.limits.memory, `${key}.resources.limits.memory`),
        },
      },
      logLevel: take(e.logLevel, def.logLevel, `${key}.logLevel`),
    };
  }
  const key = (path: string) => `deploy.${path}`;
  try {
    checkDeploy(d, key, (env) => (f) => key(`environments.${env}.${FIELD_PATH[f] ?? f}`));
  } catch (err) {
    throw bad((err as Error).message);
  }
  return d;
}

// ---------------------------------------------------------------------------
// Flags

/** The deployment flags of `svc gen k8s`, as typed on the command line. */
export interface DeployFlags {
  image?: string;
  ingress?: boolean;
  ingressHost?: string;
  serviceMonitor?: boolean;
  env?: string;
  namespace?: string;
  replicas?: string;
  minReplicas?: string;
  maxReplicas?: string;
  cpuRequest?: string;
  cpuLimit?: string;
  memoryRequest?: string;
  memoryLimit?: string;
  logLevel?: string;
}

const ENV_FLAGS = ['namespace', 'replicas', 'minReplicas', 'maxReplicas', 'cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'logLevel'] as const;
const flagName = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function wholeNumber(field: string, v: string): number {
  if (!/^[+-]?\d+$/.test(v.trim())) throw new UsageError(`${flagName(field)} must be a whole number, got "${v}"`);
  return Number(v);
}

/**
 * The settings with the flags applied, checked as a whole. Every mistake is a
 * one-line UserError naming the flag, raised before anything is written.
 */
export function applyDeployFlags(current: DeploySettings, flags: DeployFlags): DeploySettings {
  const d: DeploySettings = structuredClone(current);
  const given = new Set(Object.entries(flags).filter(([, v]) => v !== undefined).map(([k]) => k));
  const envFlags = ENV_FLAGS.filter((f) => given.has(f));
  let env: Environment | undefined;
  if (flags.env !== undefined) {
    if (!ENVIRONMENTS.includes(flags.env as Environment)) {
      throw new UsageError(`--env "${flags.env}" is not one of ${ENVIRONMENTS.join(', ')}`);
    }
    env = flags.env as Environment;
  } else if (envFlags.length > 0) {
    throw new UsageError(`${flagName(envFlags[0]!)} sizes one environment: add --env ${ENVIRONMENTS.join('|')}`);
  }
  if (flags.image !== undefined) d.image = flags.image;
  if (flags.ingress !== undefined) d.ingress.enabled = flags.ingress;
  if (flags.ingressHost !== undefined) {
    d.ingress.host = flags.ingressHost;
    if (flags.ingress === undefined) d.ingress.enabled = true;
  }
  if (flags.serviceMonitor !== undefined) d.serviceMonitor = flags.serviceMonitor;
  if (env) {
    const e = d.environments[env];
    if (flags.namespace !== undefined) e.namespace = flags.namespace;
    if (flags.replicas !== undefined) e.replicas = wholeNumber('replicas', flags.replicas);
    if (flags.minReplicas !== undefined) e.minReplicas = wholeNumber('minReplicas', flags.minReplicas);
    if (flags.maxReplicas !== undefined) e.maxReplicas = wholeNumber('maxReplicas', flags.maxReplicas);
    if (flags.cpuRequest !== undefined) e.resources.requests.cpu = flags.cpuRequest;
    if (flags.cpuLimit !== undefined) e.resources.limits.cpu = flags.cpuLimit;
    if (flags.memoryRequest !== undefined) e.resources.requests.memory = flags.memoryRequest;
    if (flags.memoryLimit !== undefined) e.resources.limits.memory = flags.memoryLimit;
    if (flags.logLevel !== undefined) e.logLevel = flags.logLevel as LogLevel;
  }
  // A value the checks name by its flag is a usage mistake (exit 2); one they name in svc.yaml, a project mistake (exit 1).
  let blamed = false;
  const named = (field: string, where: string) => (given.has(field) ? ((blamed = true), flagName(field)) : where);
  try {
    checkDeploy(
      d,
      (f) => named(f === 'ingress.host' ? 'ingressHost' : f, `svc.yaml's deploy.${f}`),
      (e) => (f) => named(e === env ? f : '', `svc.yaml's deploy.environments.${e}.${FIELD_PATH[f] ?? f}`),
    );
  } catch (err) {
    if (blamed && err instanceof UserError && !(err instanceof UsageError)) throw new UsageError(err.message);
    throw err;
  }
  return d;
}

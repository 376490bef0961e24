import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureCases } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { genDeploy } from '../../src/pipeline/deploy.js';
import { ENVIRONMENTS, type EnvironmentSettings } from '../../src/project/deploy.js';
import { MONITORING_LABEL } from '../../src/render/runtime.js';
import { generateFixtureOnDisk } from '../support/go.js';
import { buildChecker, byKind, check, container, hasKubectl, kubectlKustomize, one, type CheckReport, type K8sObject } from './support.js';

/**
 * The Kubernetes manifests, rendered offline and checked strictly: every
 * overlay of every fixture renders (kustomize v5, through the checker and,
 * where it is installed, `kubectl kustomize`), every object decodes into its
 * k8s.io/api type with unknown fields and wrong types refused, every pod meets
 * the Pod Security Standard "restricted", and the ports, probe paths, env var
 * names and timings agree with the generated Go code.
 */

const OVERLAYS = ['base', ...ENVIRONMENTS] as const;

let checker = '';
beforeAll(async () => {
  checker = await buildChecker();
}, 600_000);

/** Facts read back from the generated Go code (not from the generator's model). */
function codeFacts(dir: string) {
  const config = readFileSync(join(dir, 'internal/config/config.go'), 'utf8');
  const server = readFileSync(join(dir, 'internal/server/http.go'), 'utf8');
  const grab = (text: string, re: RegExp) => {
    const m = re.exec(text);
    if (!m) throw new Error(`not found in the generated code: ${re}`);
    return m[1]!;
  };
  const keys = [...config.matchAll(/^\s+"([a-z_]+\.[a-z_.]+)":/gm)].map((m) => m[1]!);
  // Sections whose defaults live in a function of their own file, prefixed where config.go merges them.
  const configDir = join(dir, 'internal/config');
  const sources = readdirSync(configDir).filter((f) => f.endsWith('.go')).map((f) => readFileSync(join(configDir, f), 'utf8')).join('\n');
  for (const [, fn, prefix] of config.matchAll(/range (\w+)\(\) \{\n\s+d\["([a-z_]+\.)"\+k\]/g)) {
    const body = new RegExp(`func ${fn}\\(\\) map\\[string\\]any \\{([\\s\\S]*?)\\n\\}`).exec(sources)?.[1] ?? '';
    keys.push(...[...body.matchAll(/^\s+"([a-z_.]+)":/gm)].map((m) => `${prefix!}${m[1]!}`));
  }
  // A service with the gRPC transport has its own config file for it.
  const grpcConfig = join(dir, 'internal/config/grpc.go');
  const grpcPort = existsSync(grpcConfig) ? Number(grab(readFileSync(grpcConfig, 'utf8'), /"addr":\s+":(\d+)"/)) : undefined;
  const protection = readFileSync(join(dir, 'internal/config/protection.go'), 'utf8');
  return {
    port: Number(grab(config, /"http\.addr":\s+":(\d+)"/)),
    adminPort: Number(grab(protection, /"admin\.addr":\s+":(\d+)"/)),
    grpcPort,
    liveness: grab(server, /LivenessPath\s+= "([^"]+)"/),
    readiness: grab(server, /ReadinessPath\s+= "([^"]+)"/),
    metrics: grab(config, /"metrics\.path":\s+"([^"]+)"/),
    envPrefix: grab(config, /envPrefix = "([A-Z0-9_]+)"/),
    configEnv: grab(config, /envConfigFile = envPrefix \+ "([A-Z_]+)"/),
    shutdownDelay: Number(grab(config, /"http\.shutdown_delay":\s+(\d+) \* time\.Second/)),
    shutdownTimeout: Number(grab(config, /"http\.shutdown_timeout":\s+(\d+) \* time\.Second/)),
    keys,
  };
}

describe.each(fixtureCases())('the manifests of fixture %s', (caseName) => {
  let dir = '';
  let reports: Record<string, CheckReport> = {};
  let exitCode = -1;

  beforeAll(async () => {
    dir = await generateFixtureOnDisk(caseName);
    const r = await check(checker, OVERLAYS.map((o) => join(dir, 'deployments', o)));
    exitCode = r.exitCode;
    reports = Object.fromEntries(OVERLAYS.map((o, i) => [o, r.reports[i]!]));
  }, 600_000);

  it('every overlay renders and every object passes the strict schema, restricted-profile and reference checks', () => {
    for (const o of OVERLAYS) expect(reports[o]!.problems, o).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('a re-run of svc gen k8s and svc gen docker on the unchanged service on disk writes nothing', async () => {
    for (const kind of ['k8s', 'docker'] as const) {
      const r = await genDeploy(kind, { dir, fs: new DiskFileSystem(dir) });
      expect(r.written, kind).toEqual([]);
      expect(r.plan.changes.every((c) => c.action === 'unchanged'), kind).toBe(true);
    }
  });

  it('renders the objects the issue lists, on current APIs', () => {
    for (const o of OVERLAYS) {
      const kinds = reports[o]!.objects.map((x) => `${x.apiVersion}/${x.kind}`).sort();
      const expected = [
        'apps/v1/Deployment',
        'autoscaling/v2/HorizontalPodAutoscaler',
        'networking.k8s.io/v1/NetworkPolicy',
        'policy/v1/PodDisruptionBudget',
        'v1/ConfigMap',
        'v1/Service',
        'v1/ServiceAccount',
        ...(o === 'base' ? [] : ['v1/Namespace']),
      ].sort();
      expect(kinds, o).toEqual(expected);
    }
  });

  it.runIf(hasKubectl())('kubectl kustomize renders the same objects as the checker', { timeout: 60_000 }, async () => {
    for (const o of OVERLAYS) {
      const objects = await kubectlKustomize(join(dir, 'deployments', o));
      expect(objects, o).toEqual(reports[o]!.objects);
    }
  });

  it('every pod spec meets the restricted profile the way the manifests spell it out', () => {
    for (const o of OVERLAYS) {
      const objects = reports[o]!.objects;
      const pod = one(objects, 'Deployment').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.hostNetwork ?? false).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext, o).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
      // Volumes: the config (read-only), and a writable emptyDir only where the
      // service needs one: the SQLite file of a service with the SQL layer.
      const sqlite = existsSync(join(dir, 'migrations', 'embed.go'));
      expect(pod.volumes.map((v: K8sObject) => Object.keys(v).sort())).toEqual([['configMap', 'name'], ...(sqlite ? [['emptyDir', 'name']] : [])]);
      if (sqlite) expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/app/data' });
      expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
      if (o !== 'base') {
        expect(one(objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      }
    }
  });

  it('ports, probe paths, env var names and timings agree with the generated Go code', () => {
    const code = codeFacts(dir);
    for (const o of OVERLAYS) {
      const objects = reports[o]!.objects;
      const deployment = one(objects, 'Deployment');
      const pod = deployment.spec.template.spec;
      const c = container(objects);
      expect(c.ports).toEqual([
        { name: 'http', containerPort: code.port, protocol: 'TCP' },
        ...(code.grpcPort ? [{ name: 'grpc', containerPort: code.grpcPort, protocol: 'TCP' }] : []),
        { name: 'admin', containerPort: code.adminPort, protocol: 'TCP' },
      ]);
      expect(c.livenessProbe.httpGet).toEqual({ path: code.liveness, port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: code.liveness, port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: code.readiness, port: 'http' });
      expect(deployment.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(code.adminPort),
        'prometheus.io/path': code.metrics,
      });
      // Every env var is one the service reads: its config file, or a config key.
      const readable = new Set([`${code.envPrefix}${code.configEnv}`, ...code.keys.map((k) => `${code.envPrefix}${k.replaceAll('.', '_').toUpperCase()}`)]);
      for (const e of c.env) expect(readable, `${o}: ${e.name}`).toContain(e.name);
      expect(c.envFrom).toEqual([{ secretRef: { name: expect.stringMatching(/-secrets$/), optional: true } }]);
      for (const e of c.env) expect(e.valueFrom?.secretKeyRef === undefined || e.value === undefined).toBe(true);
      // The mounted config is the service's configs/config.yaml, at the path the env var names.
      const configPath = c.env.find((e: K8sObject) => e.name === `${code.envPrefix}${code.configEnv}`).value as string;
      const mount = c.volumeMounts.find((m: K8sObject) => m.name === 'config');
      expect(configPath).toBe(`${mount.mountPath}/config.yaml`);
      expect(mount.readOnly).toBe(true);
      const cm = one(objects, 'ConfigMap');
      expect(cm.data['config.yaml']).toBe(readFileSync(join(dir, 'configs/config.yaml'), 'utf8'));
      expect(pod.volumes[0].configMap.name).toBe(cm.metadata.name);
      // Grace period: preStop pause, then shutdown_delay and shutdown_timeout, with room to spare.
      const preStop = c.lifecycle.preStop.sleep.seconds as number;
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + code.shutdownDelay + code.shutdownTimeout);
      // Service and NetworkPolicy name the same ports; the admin port
      // (metrics) only admits the namespaces labelled for monitoring.
      const grpc = code.grpcPort ? [{ name: 'grpc', port: code.grpcPort, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }] : [];
      expect(one(objects, 'Service').spec.ports).toEqual([
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
        ...grpc,
        { name: 'admin', port: code.adminPort, targetPort: 'admin', protocol: 'TCP', appProtocol: 'http' },
      ]);
      expect(one(objects, 'NetworkPolicy').spec.ingress).toEqual([
        { ports: [{ port: code.port, protocol: 'TCP' }, ...(code.grpcPort ? [{ port: code.grpcPort, protocol: 'TCP' }] : [])] },
        {
          from: [{ namespaceSelector: { matchLabels: { [MONITORING_LABEL.key]: MONITORING_LABEL.value } } }],
          ports: [{ port: code.adminPort, protocol: 'TCP' }],
        },
      ]);
    }
  });

  it('rolls out with no unavailable pod, spreads over nodes, scales on CPU and memory', () => {
    for (const o of OVERLAYS) {
      const objects = reports[o]!.objects;
      const d = one(objects, 'Deployment');
      expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
      const spread = d.spec.template.spec.topologySpreadConstraints.map((t: K8sObject) => t.topologyKey);
      expect(spread).toContain('kubernetes.io/hostname');
      const hpa = one(objects, 'HorizontalPodAutoscaler');
      expect(hpa.spec.metrics.map((m: K8sObject) => m.resource.name).sort()).toEqual(['cpu', 'memory']);
      expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
      const c = container(objects);
      expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('each overlay sets namespace, replicas, resources, autoscaling bounds, log level and image tag from svc.yaml', () => {
    const settings = parse(readFileSync(join(dir, 'svc.yaml'), 'utf8')) as { deploy: { image: string; environments: Record<string, EnvironmentSettings> } };
    const code = codeFacts(dir);
    for (const env of ENVIRONMENTS) {
      const want = settings.deploy.environments[env]!;
      const objects = reports[env]!.objects;
      for (const obj of objects.filter((x) => x.kind !== 'Namespace')) expect(obj.metadata.namespace, `${env} ${obj.kind}`).toBe(want.namespace);
      const d = one(objects, 'Deployment');
      expect(d.spec.replicas).toBe(want.replicas);
      const hpa = one(objects, 'HorizontalPodAutoscaler');
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([want.minReplicas, want.maxReplicas]);
      const c = container(objects);
      expect(c.resources).toEqual(want.resources);
      expect(c.env).toContainEqual({ name: `${code.envPrefix}LOG_LEVEL`, value: want.logLevel });
      expect(c.env).toContainEqual({ name: `${code.envPrefix}SERVICE_ENVIRONMENT`, value: env });
      expect(c.image).toMatch(new RegExp(`^${settings.deploy.image}:[\\w][\\w.-]*$`));
      expect(c.image).not.toMatch(/:latest$/);
    }
    expect(container(reports.dev!.objects).image).toBe(`${settings.deploy.image}:dev`);
  });
});

describe('svc gen k8s flags on a service whose overlays exist', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await generateFixtureOnDisk('starter');
  }, 600_000);

  it('--image and --env prod --replicas change what the prod overlay builds; a patch of the user\'s in it survives', { timeout: 120_000 }, async () => {
    const overlay = join(dir, 'deployments/prod/kustomization.yaml');
    const mine = `${readFileSync(overlay, 'utf8')}patches:
  - target:
      kind: Deployment
      name: product
    patch: |-
      - op: add
        path: /spec/template/spec/nodeSelector
        value: {kubernetes.io/arch: arm64}
`;
    writeFileSync(overlay, mine);
    const before = (await check(checker, [join(dir, 'deployments/prod')])).reports[0]!;
    expect(one(before.objects, 'Deployment').spec.replicas).toBe(3);
    expect(container(before.objects).image).toBe('registry.example.com/product:1.0.0');

    const r = await genDeploy('k8s', {
      dir,
      fs: new DiskFileSystem(dir),
      flags: { image: 'registry.example.org/team/shop', env: 'prod', replicas: '5', maxReplicas: '12', memoryLimit: '1Gi' },
    });
    expect(r.reports).toEqual([]);
    expect(readFileSync(overlay, 'utf8')).toBe(mine);

    const after = await check(checker, [join(dir, 'deployments/prod'), join(dir, 'deployments/dev')]);
    for (const report of after.reports) expect(report.problems, report.dir).toEqual([]);
    const prod = after.reports[0]!.objects;
    expect(one(prod, 'Deployment').spec.replicas).toBe(5);
    expect(one(prod, 'HorizontalPodAutoscaler').spec.maxReplicas).toBe(12);
    expect(container(prod).resources.limits.memory).toBe('1Gi');
    expect(container(prod).image).toBe('registry.example.org/team/shop:1.0.0');
    expect(one(prod, 'Deployment').spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    // --image is every environment's; the sizing only prod's.
    const dev = after.reports[1]!.objects;
    expect(container(dev).image).toBe('registry.example.org/team/shop:dev');
    expect(one(dev, 'Deployment').spec.replicas).toBe(1);
    // The Makefile builds what the overlays deploy.
    const makefile = readFileSync(join(dir, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^IMAGE +\?= registry\.example\.org\/team\/shop$/m);
    expect(makefile).toMatch(/^TAG +\?= \$\(if \$\(filter dev,\$\(ENV\)\),dev,1\.0\.0\)$/m);
    if (hasKubectl()) expect(await kubectlKustomize(join(dir, 'deployments', 'prod'))).toEqual(prod);
  });
});

describe('optional features and the checker itself', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await generateFixtureOnDisk('starter');
  }, 600_000);

  it('with --ingress and --service-monitor, the base gains an Ingress and a ServiceMonitor that pass the checks', { timeout: 120_000 }, async () => {
    await genDeploy('k8s', { dir, fs: new DiskFileSystem(dir), flags: { ingress: true, serviceMonitor: true, ingressHost: 'api.example.org' } });
    const r = await check(checker, OVERLAYS.map((o) => join(dir, 'deployments', o)));
    for (const report of r.reports) expect(report.problems, report.dir).toEqual([]);
    const prod = r.reports[OVERLAYS.indexOf('prod')]!.objects;
    expect(one(prod, 'Ingress').spec.rules[0].host).toBe('api.example.org');
    expect(one(prod, 'Ingress').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'product', port: { name: 'http' } });
    expect(one(prod, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'admin', path: '/metrics', interval: '30s' }]);
    if (hasKubectl()) expect(await kubectlKustomize(join(dir, 'deployments', 'prod'))).toEqual(prod);
  });

  it('refuses misspelt and wrongly-cased fields, wrong types, removed APIs, written secrets and pods outside the restricted profile', { timeout: 60_000 }, async () => {
    const bad = `${dir}-broken`;
    cpSync(dir, bad, { recursive: true });
    const edit = (file: string, from: string, to: string) => {
      const path = join(bad, 'deployments/base', file);
      const text = readFileSync(path, 'utf8');
      expect(text).toContain(from);
      writeFileSync(path, text.replace(from, to));
    };
    edit('deployment.yaml', 'imagePullPolicy: IfNotPresent', 'imagePullPolicyy: IfNotPresent');
    edit('deployment.yaml', 'readOnlyRootFilesystem: true', 'ReadOnlyRootFilesystem: true');
    edit('deployment.yaml', 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true');
    edit('deployment.yaml', '          env:\n', '          env:\n            - name: PRODUCT_DB_PASSWORD\n              value: hunter2\n');
    edit('hpa.yaml', 'apiVersion: autoscaling/v2', 'apiVersion: autoscaling/v2beta2');
    edit('pdb.yaml', 'maxUnavailable: 1', 'maxUnavailable: 1\n  unhealthyPodEvictionPolicy: [AlwaysAllow]');
    const r = await check(checker, [join(bad, 'deployments/base')]);
    expect(r.exitCode).toBe(1);
    const problems = r.reports[0]!.problems.join('\n');
    expect(problems).toMatch(/unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolicyy"/);
    expect(problems).toMatch(/unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.ReadOnlyRootFilesystem"/);
    expect(problems).toMatch(/PodDisruptionBudget product: json: cannot unmarshal array/);
    expect(problems).toMatch(/autoscaling\/v2beta2\/HorizontalPodAutoscaler: unknown or removed API/);
    expect(problems).toMatch(/violates Pod Security Standard restricted: allowPrivilegeEscalation != false/);
    expect(problems).toMatch(/readOnlyRootFilesystem must be true/);
    expect(problems).toMatch(/env PRODUCT_DB_PASSWORD holds a literal value/);
    expect(byKind(r.reports[0]!.objects, 'Deployment')).toHaveLength(1);
  });
});

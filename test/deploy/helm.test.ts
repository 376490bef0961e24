import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fixtureCases } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import type { ServiceModel } from '../../src/model/types.js';
import { genDeploy } from '../../src/pipeline/deploy.js';
import { genApi } from '../../src/pipeline/gen.js';
import { genHelm } from '../../src/pipeline/helm.js';
import { ENVIRONMENTS, type Environment } from '../../src/project/deploy.js';
import { readSettings, type ProjectSettings } from '../../src/project/settings.js';
import type { Artifact } from '../../src/render/artifact.js';
import { chartDirOf, chartVersion, renderHelmChart } from '../../src/render/helm/chart.js';
import { platformNamespace, renderPlatformServiceChart, renderUmbrellaChart } from '../../src/render/helm/umbrella.js';
import type { Platform } from '../../src/render/platform/types.js';
import { undeclared } from '../../src/render/target.js';
import { helmChartTarget } from '../../src/render/targets.js';
import { generateFixtureOnDisk } from '../support/go.js';
import { captureStreams } from '../support/streams.js';
import { buildChecker, byKind, check, one, type CheckReport, type K8sObject } from './support.js';

/**
 * The Helm charts: for every fixture, `svc gen helm` writes a chart that
 * `helm lint --strict` passes with each values file; what `helm template`
 * renders with each passes the same strict schema and "restricted" checks as
 * the kustomize output, and is that output, object by object, up to what
 * Helm does its own way (labels it adds, the ConfigMap's name). An umbrella
 * chart of a made-up two-service platform builds its file:// dependencies
 * offline and passes the same.
 */

const REPO = join(import.meta.dirname, '..', '..');
/** Helm as scripts/helm.sh installs it (pinned), else the one on PATH. */
const HELM = existsSync(join(REPO, '.tools/gobin/helm')) ? join(REPO, '.tools/gobin/helm') : 'helm';

/** The values files of a chart and the kustomize folder each one stands for. */
const VALUES = [
  { file: 'values.yaml', overlay: 'base' },
  ...ENVIRONMENTS.map((env) => ({ file: `values-${env}.yaml`, overlay: env })),
] as const;
type Overlay = 'base' | Environment;

/** Keeps helm's caches and config out of the home folder. */
const HELM_ENV = (() => {
  const home = mkdtempSync(join(tmpdir(), 'svc-helm-home-'));
  return { HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
})();

async function helm(args: string[], cwd?: string): Promise<{ ok: boolean; out: string }> {
  const r = await execa(HELM, args, { reject: false, all: true, env: HELM_ENV, ...(cwd ? { cwd } : {}) });
  return { ok: r.exitCode === 0, out: r.all ?? '' };
}

/** Runs the tasks, at most `limit` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

function writeArtifacts(root: string, artifacts: readonly Artifact[]): void {
  for (const a of artifacts) {
    const path = join(root, a.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, a.content);
  }
}

/** One values file of one chart: lint's and template's outcome, and the checker's report of the rendering. */
interface Rendering {
  lint: { ok: boolean; out: string };
  template: { ok: boolean; out: string };
  manifests: string;
  report?: CheckReport;
}

interface Fixture {
  dir: string;
  name: string;
  model: ServiceModel;
  settings: ProjectSettings;
  chart: string;
  helm: Record<Overlay, Rendering>;
  kustomize: Record<Overlay, CheckReport>;
}

/** The namespace a values file is installed in: the environment's from svc.yaml; the base's is `default`. */
function namespaceOf(settings: ProjectSettings, overlay: Overlay): string {
  return overlay === 'base' ? 'default' : settings.deploy.environments[overlay].namespace;
}

/** Lints and renders a chart with each of its values files, in parallel, into `out`. */
function chartJobs(chart: string, release: string, namespace: (o: Overlay) => string, out: string, into: Partial<Record<Overlay, Rendering>>) {
  return VALUES.map(({ file, overlay }) => async () => {
    const values = join(chart, file);
    const [lint, template] = await Promise.all([
      helm(['lint', '--strict', chart, '-f', values]),
      helm(['template', release, chart, '-n', namespace(overlay), '-f', values]),
    ]);
    const manifests = join(out, `${overlay}.yaml`);
    writeFileSync(manifests, template.ok ? template.out : '');
    into[overlay] = { lint, template, manifests };
  });
}

let checker = '';
const fixtures = new Map<string, Fixture>();
const cases = fixtureCases();

beforeAll(async () => {
  const version = await execa(HELM, ['version', '--short'], { reject: false });
  if (version.exitCode !== 0) throw new Error(`helm is not installed: run scripts/helm.sh (${version.stderr || version.message})`);
  const building = buildChecker();
  const jobs: (() => Promise<void>)[] = [];
  for (const caseName of cases) {
    const dir = await generateFixtureOnDisk(caseName);
    const result = await genHelm({ dir, fs: new DiskFileSystem(dir) });
    const settings = await readSettings(new DiskFileSystem(dir), dir);
    const out = mkdtempSync(join(tmpdir(), `svc-helm-${caseName}-`));
    const f: Fixture = {
      dir,
      name: settings.name,
      model: result.model,
      settings,
      chart: join(dir, chartDirOf(settings.name)),
      helm: {} as Fixture['helm'],
      kustomize: {} as Fixture['kustomize'],
    };
    fixtures.set(caseName, f);
    jobs.push(...chartJobs(f.chart, f.name, (o) => namespaceOf(settings, o), out, f.helm));
  }
  await pool(jobs);
  checker = await building;
  // Two checker runs for every fixture at once: the Helm renderings, and the kustomize overlays.
  const all = [...fixtures.values()];
  const renderings = all.flatMap((f) => VALUES.map(({ overlay }) => f.helm[overlay]));
  const [helmReports, kustomizeReports] = await Promise.all([
    check(checker, ['-files', ...renderings.map((r) => r.manifests)]),
    check(checker, all.flatMap((f) => VALUES.map(({ overlay }) => join(f.dir, 'deployments', overlay)))),
  ]);
  renderings.forEach((r, i) => (r.report = helmReports.reports[i]));
  all.forEach((f, i) => VALUES.forEach(({ overlay }, j) => (f.kustomize[overlay] = kustomizeReports.reports[i * VALUES.length + j]!)));
}, 600_000);

/** The object of a kind, with what Helm and kustomize do each their own way taken out. */
function comparable(objects: K8sObject[], kind: string, overlay: Overlay): K8sObject {
  const o = structuredClone(one(objects, kind));
  const labels = o.metadata.labels as Record<string, string>;
  // Helm names the release and the chart; kustomize the instance of the overlay.
  for (const k of ['app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'helm.sh/chart']) delete labels[k];
  if (overlay === 'base') delete o.metadata.namespace;
  if (kind === 'ConfigMap') o.metadata.name = o.metadata.name.replace(/-[a-z0-9]{10}$/, '');
  if (kind === 'Deployment') {
    const pod = o.spec.template;
    // Kustomize rolls the pods with a hash in the ConfigMap's name, Helm with an annotation.
    delete pod.metadata.annotations['checksum/config'];
    for (const v of pod.spec.volumes) if (v.configMap) v.configMap.name = v.configMap.name.replace(/-[a-z0-9]{10}$/, '');
    for (const c of pod.spec.containers) c.env.sort((a: K8sObject, b: K8sObject) => a.name.localeCompare(b.name));
    if (overlay === 'base') {
      // The kustomize base runs <name>:dev with no replica count; the chart's defaults are staging's.
      delete o.spec.replicas;
      for (const c of pod.spec.containers) delete c.image;
    }
  }
  return o;
}

describe.each(cases)('the Helm chart of fixture %s', (caseName) => {
  const f = () => fixtures.get(caseName)!;

  it('declares its files as the helm-chart target says, and svc gen helm re-run on the unchanged service writes nothing', async () => {
    const { dir, model, settings } = f();
    const config = readFileSync(join(dir, 'configs/config.yaml'), 'utf8');
    expect(undeclared(helmChartTarget.files, helmChartTarget.render({ model, settings, options: { config } }))).toEqual([]);
    const again = await genHelm({ dir, fs: new DiskFileSystem(dir) });
    expect(again.written).toEqual([]);
    expect(again.plan.changes.every((c) => c.action === 'unchanged')).toBe(true);
    const chart = parse(readFileSync(join(f().chart, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: settings.name, appVersion: model.version, version: chartVersion(model.version) });
  });

  it('helm lint --strict passes with every values file', () => {
    for (const { overlay } of VALUES) expect(f().helm[overlay].lint, overlay).toMatchObject({ ok: true });
  });

  it('what helm template renders with every values file passes the strict schema, restricted-profile and reference checks', () => {
    for (const { overlay } of VALUES) {
      const r = f().helm[overlay];
      expect(r.template.ok, `${overlay}: ${r.template.out}`).toBe(true);
      expect(r.report!.problems, overlay).toEqual([]);
      expect(r.report!.objects.length, overlay).toBeGreaterThanOrEqual(7);
    }
  });

  it('renders what the kustomize output holds, object by object: ports, probes, securityContext, sizing, HPA, PDB, NetworkPolicy', () => {
    for (const { overlay } of VALUES) {
      const helmObjects = f().helm[overlay].report!.objects;
      const kustomized = f().kustomize[overlay].objects.filter((o) => o.kind !== 'Namespace');
      expect(f().kustomize[overlay].problems, overlay).toEqual([]);
      const kinds = (objects: K8sObject[]) => objects.map((o) => `${o.apiVersion}/${o.kind}`).sort();
      expect(kinds(helmObjects), overlay).toEqual(kinds(kustomized));
      for (const kind of new Set(kustomized.map((o) => o.kind))) {
        const want = comparable(kustomized, kind, overlay);
        const got = comparable(helmObjects, kind, overlay);
        // Every label kustomize sets, Helm sets too, with the same value.
        expect(got.metadata.labels, `${overlay} ${kind}`).toEqual(want.metadata.labels);
        expect(got, `${overlay} ${kind}`).toEqual(want);
      }
    }
  });

  it("each environment's values set its namespace, replicas, resources, autoscaling bounds, log level and image tag from svc.yaml", () => {
    const { settings } = f();
    for (const env of ENVIRONMENTS) {
      const want = settings.deploy.environments[env];
      const objects = f().helm[env].report!.objects;
      for (const o of objects) expect(o.metadata.namespace, `${env} ${o.kind}`).toBe(want.namespace);
      const d = one(objects, 'Deployment');
      expect(d.spec.replicas).toBe(want.replicas);
      const hpa = one(objects, 'HorizontalPodAutoscaler');
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([want.minReplicas, want.maxReplicas]);
      const c = d.spec.template.spec.containers[0];
      expect(c.resources).toEqual(want.resources);
      expect(c.image).toMatch(new RegExp(`^${settings.deploy.image}:${env === 'dev' ? 'dev' : '[\\w][\\w.-]*'}$`));
    }
    // The ConfigMap holds the service's configs/config.yaml as it is.
    const cm = one(f().helm.prod.report!.objects, 'ConfigMap');
    expect(cm.data['config.yaml']).toBe(readFileSync(join(f().dir, 'configs/config.yaml'), 'utf8'));
  });
});

describe('a chart kept in step, optional objects, and the checks themselves', () => {
  let out = '';
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'svc-helm-more-'));
  });

  it('svc gen api keeps the chart (it is not stale) and refreshes its copy of configs/config.yaml', { timeout: 60_000 }, async () => {
    const { dir, chart } = fixtures.get('starter')!;
    const unchanged = await genApi({ dir, fs: new DiskFileSystem(dir) });
    expect(unchanged.plan.changes.filter((c) => c.artifact.path.startsWith('charts/')).map((c) => c.action)).not.toContain('delete');
    expect(unchanged.written).toEqual([]);
    const config = join(dir, 'configs/config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}# tuned by hand\n`);
    const edited = await genApi({ dir, fs: new DiskFileSystem(dir) });
    expect(edited.written).toEqual([`${chartDirOf('product')}/values.yaml`]);
    const r = await helm(['template', 'product', chart, '-f', join(chart, 'values-prod.yaml')]);
    expect(r.ok, r.out).toBe(true);
    expect(r.out).toContain('# tuned by hand');
  });

  it('with --ingress and --service-monitor in svc.yaml, the chart renders the Ingress and ServiceMonitor kustomize does', { timeout: 60_000 }, async () => {
    const { dir, chart } = fixtures.get('starter')!;
    await genDeploy('k8s', { dir, fs: new DiskFileSystem(dir), flags: { ingress: true, serviceMonitor: true, ingressHost: 'api.example.org' } });
    await genHelm({ dir, fs: new DiskFileSystem(dir) });
    const rendered: Partial<Record<Overlay, Rendering>> = {};
    const settings = await readSettings(new DiskFileSystem(dir), dir);
    await pool(chartJobs(chart, 'product', (o) => namespaceOf(settings, o), out, rendered));
    const [h, k] = await Promise.all([check(checker, ['-files', join(out, 'prod.yaml')]), check(checker, [join(dir, 'deployments/prod')])]);
    expect(rendered.prod!.lint).toMatchObject({ ok: true });
    expect(h.reports[0]!.problems).toEqual([]);
    for (const kind of ['Ingress', 'ServiceMonitor']) {
      expect(comparable(h.reports[0]!.objects, kind, 'prod'), kind).toEqual(comparable(k.reports[0]!.objects, kind, 'prod'));
    }
    expect(one(h.reports[0]!.objects, 'Ingress').spec.rules[0].host).toBe('api.example.org');
  });

  it('svc gen helm on the command line: --dry-run writes nothing, then the chart is written', { timeout: 60_000 }, async () => {
    const { dir } = fixtures.get('orders')!;
    const copy = join(out, 'orders');
    cpSync(dir, copy, { recursive: true, filter: (p) => !p.includes(`${join(dir, 'charts')}`) });
    expect(existsSync(join(copy, 'charts'))).toBe(false);
    const run = async (...args: string[]) => {
      const io = captureStreams();
      const code = await main(['gen', 'helm', '--dir', copy, ...args], { cwd: out, stdout: io.stdout, stderr: io.stderr, interactive: false });
      return { code, ...io.text };
    };
    const dry = await run('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/create\s+charts\/orders\/Chart\.yaml/);
    expect(existsSync(join(copy, 'charts'))).toBe(false);
    const real = await run();
    expect(real.code, real.stderr).toBe(0);
    expect(readFileSync(join(copy, 'charts/orders/values-prod.yaml'), 'utf8')).toBe(readFileSync(join(dir, 'charts/orders/values-prod.yaml'), 'utf8'));
  });

  it('a contract version that is no SemVer still makes a valid chart, image tag and version label', { timeout: 60_000 }, async () => {
    const { model, settings, dir } = fixtures.get('starter-memory')!;
    const root = join(out, 'odd-version');
    const config = readFileSync(join(dir, 'configs/config.yaml'), 'utf8');
    writeArtifacts(root, renderHelmChart({ ...model, version: 'v2 beta (preview)' }, settings, { config }));
    const chart = join(root, chartDirOf(settings.name));
    const lint = await helm(['lint', '--strict', chart]);
    expect(lint.ok, lint.out).toBe(true);
    const r = await helm(['template', 'product', chart, '-f', join(chart, 'values-prod.yaml')]);
    expect(r.ok, r.out).toBe(true);
    const file = join(out, 'odd-version.yaml');
    writeFileSync(file, r.out);
    const report = (await check(checker, ['-files', file])).reports[0]!;
    expect(report.problems).toEqual([]);
    const d = one(report.objects, 'Deployment');
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe('v2-beta-preview');
    expect(d.spec.template.spec.containers[0].image).toBe(`${settings.deploy.image}:v2-beta-preview-`);
  });

  it('refuses a latest image tag, and the checker catches a wrong type and a root user set through values', { timeout: 60_000 }, async () => {
    const { chart } = fixtures.get('starter-memory')!;
    const latest = await helm(['template', 'product', chart, '--set', 'image.tag=latest']);
    expect(latest.ok).toBe(false);
    expect(latest.out).toContain('image.tag must not be latest');
    const bad = await helm(['template', 'product', chart, '--set-string', 'replicaCount=three', '--set', 'app.uid=0']);
    expect(bad.ok, bad.out).toBe(true);
    const file = join(out, 'bad.yaml');
    writeFileSync(file, bad.out);
    const r = await check(checker, ['-files', file]);
    expect(r.exitCode).toBe(1);
    const problems = r.reports[0]!.problems.join('\n');
    expect(problems).toMatch(/Deployment product: json: cannot unmarshal string into Go struct field .*replicas of type int32/);
    expect(problems).toMatch(/violates Pod Security Standard restricted: runAsUser=0/);
  });
});

describe('the umbrella chart of a platform', () => {
  const platformName = 'shop';
  let root = '';
  const rendered: Partial<Record<Overlay, Rendering>> = {};
  let reports: CheckReport[] = [];
  let dependency = { ok: false, out: '' };
  let members: Fixture[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'svc-helm-platform-'));
    members = [fixtures.get('starter')!, fixtures.get('inventory')!];
    const platform: Platform = {
      name: platformName,
      module: 'example.com/shop',
      services: members.map((m) => ({
        name: m.name,
        dir: `services/${m.name}`,
        envPrefix: m.name.toUpperCase(),
        ports: { http: 8080, admin: 9091 },
        database: 'sql',
        calls: m.name === 'product' ? [] : ['product'],
        image: m.settings.deploy.image,
        grpc: false,
      })),
    };
    for (const m of members) writeArtifacts(root, renderPlatformServiceChart(m.model, m.settings, readFileSync(join(m.dir, 'configs/config.yaml'), 'utf8')));
    writeArtifacts(root, renderUmbrellaChart(platform, Object.fromEntries(members.map((m) => [m.name, m.settings.deploy]))));
    const umbrella = join(root, 'infrastructure/helm', platformName);
    // Offline: the dependencies are the charts beside it (file://).
    dependency = await helm(['dependency', 'build', umbrella]);
    const out = mkdtempSync(join(tmpdir(), 'svc-helm-umbrella-'));
    await pool(chartJobs(umbrella, platformName, (o) => (o === 'base' ? 'default' : platformNamespace(platformName, o)), out, rendered));
    reports = (await check(checker, ['-files', ...VALUES.map(({ overlay }) => rendered[overlay]!.manifests)])).reports;
  }, 120_000);

  it('builds its file:// dependencies offline, and helm lint --strict passes with every values file', () => {
    expect(dependency.ok, dependency.out).toBe(true);
    for (const m of members) expect(existsSync(join(root, 'infrastructure/helm', platformName, 'charts', `${m.name}-${chartVersion(m.model.version)}.tgz`))).toBe(true);
    for (const { overlay } of VALUES) expect(rendered[overlay]!.lint, overlay).toMatchObject({ ok: true });
  });

  it("renders every service's objects, which pass the strict checks, sized by the environment's values", () => {
    for (const { overlay } of VALUES) {
      const r = rendered[overlay]!;
      expect(r.template.ok, r.template.out).toBe(true);
      const report = reports[VALUES.findIndex((v) => v.overlay === overlay)]!;
      expect(report.problems, overlay).toEqual([]);
      expect(byKind(report.objects, 'Deployment').map((d) => d.metadata.name).sort(), overlay).toEqual(members.map((m) => m.name).sort());
      if (overlay === 'base') continue;
      for (const o of report.objects) expect(o.metadata.namespace).toBe(platformNamespace(platformName, overlay));
      for (const m of members) {
        const want = m.settings.deploy.environments[overlay];
        const d = byKind(report.objects, 'Deployment').find((x) => x.metadata.name === m.name)!;
        expect(d.spec.replicas, `${overlay} ${m.name}`).toBe(want.replicas);
        expect(d.spec.template.spec.containers[0].resources).toEqual(want.resources);
        const hpa = byKind(report.objects, 'HorizontalPodAutoscaler').find((x) => x.metadata.name === m.name)!;
        expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([want.minReplicas, want.maxReplicas]);
        const envVars = d.spec.template.spec.containers[0].env as K8sObject[];
        expect(envVars.find((e) => e.name.endsWith('_SERVICE_ENVIRONMENT'))?.value).toBe(overlay);
      }
    }
  });

  it('refuses a service named as its platform', () => {
    const clash: Platform = { name: 'product', module: 'example.com/product', services: [{ name: 'product', dir: 'services/product', envPrefix: 'PRODUCT', ports: { http: 8080, admin: 9091 }, database: 'memory', calls: [], image: 'registry.example.com/product', grpc: false }] };
    expect(() => renderUmbrellaChart(clash)).toThrow(/cannot be named as its platform/);
  });
});

describe('chart versions', () => {
  it('are SemVer 2 as Helm requires, from the contract version when it is one', () => {
    expect(chartVersion('1.0.0')).toBe('1.0.0');
    expect(chartVersion('v2.1.0-beta.1')).toBe('2.1.0-beta.1');
    expect(chartVersion('1.2')).toBe('1.2.0');
    expect(chartVersion('3')).toBe('3.0.0');
    expect(chartVersion('2024-01 preview')).toBe('0.1.0');
  });
});

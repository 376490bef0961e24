import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { readService } from '../../src/pipeline/gen.js';
import { generate } from '../../src/pipeline/generate.js';
import { newService } from '../../src/pipeline/new.js';
import { ENVIRONMENTS } from '../../src/project/deploy.js';
import { readSettings, type ProjectSettings } from '../../src/project/settings.js';
import { renderPlatformFiles } from '../../src/render/platform/index.js';
import type { Platform, PlatformService } from '../../src/render/platform/types.js';
import { ADMIN_PORT, envPrefixOf, servicePorts } from '../../src/render/runtime.js';
import { GO_ENV } from '../support/go.js';
import { buildChecker, byKind, check, hasKubectl, kubectlKustomize, STRICT_DOCKERFILE as STRICT, type CheckReport, type K8sObject } from './support.js';

/**
 * The platform's root files on a real three-service tree: product (OpenAPI
 * starter), user (proto starter, gRPC too) and order (OpenAPI starter, which
 * calls product and user), each generated as `svc new` makes it into
 * services/<name>/. The compose file validates against the compose-spec
 * schema; every environment's overlay (and its infrastructure) passes the
 * strict schema, Pod Security "restricted" and reference checks the
 * single-service tests use; a platform service's Dockerfile builds from the
 * platform root.
 */

const COMPOSE_GO_MODULE = 'github.com/compose-spec/compose-go/v2@v2.16.2';
/** The GitHub Actions workflow checker (types expressions, needs/outputs, known actions' inputs), run from the Go module proxy. */
const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.7';

let root = '';
let platform: Platform;
const settings = new Map<string, ProjectSettings>();

/** The platform description of a generated service, read back from its svc.yaml. */
function describe_(s: ProjectSettings, calls: string[]): PlatformService {
  const ports = servicePorts(s.features.transports);
  const http = ports.find((p) => p.name === 'http')?.containerPort;
  const grpc = ports.find((p) => p.name === 'grpc')?.containerPort;
  return {
    name: s.name,
    dir: `services/${s.name}`,
    envPrefix: envPrefixOf(s.name),
    ports: { ...(http ? { http } : {}), ...(grpc ? { grpc } : {}), admin: ADMIN_PORT.containerPort },
    database: s.features.database,
    calls,
    image: s.deploy.image,
    grpc: s.features.transports.includes('grpc'),
  };
}

function writeTree(dir: string, files: { path: string; content: string }[]) {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'svc-platform-')), 'shop');
  const made: [string, Parameters<typeof newService>[0]['proto'], string[]][] = [
    ['product', undefined, []],
    ['user', true, []],
    ['order', undefined, ['product', 'user']],
  ];
  const services: PlatformService[] = [];
  for (const [name, proto, calls] of made) {
    const dir = join(root, 'services', name);
    await newService({ name, dir, fs: new DiskFileSystem(dir), ...(proto ? { proto, transports: ['http', 'grpc'] } : {}) });
    const s = await readSettings(new DiskFileSystem(dir), dir);
    settings.set(name, s);
    services.push(describe_(s, calls));
  }
  platform = { name: 'shop', module: 'example.com/shop', services };
  writeTree(root, renderPlatformFiles(platform));
}, 600_000);

describe('docker-compose.yml', () => {
  let compose: any;
  let schema: object;

  beforeAll(() => {
    compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
    const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', COMPOSE_GO_MODULE], { env: GO_ENV, encoding: 'utf8' })) as { Dir: string };
    schema = JSON.parse(readFileSync(join(info.Dir, 'schema', 'compose-spec.json'), 'utf8'));
  }, 120_000);

  it('validates against the compose-spec JSON schema (draft 2020-12), which refuses a misspelt key', () => {
    expect((schema as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const valid = ajv.compile(schema);
    expect(valid(compose), JSON.stringify(valid.errors, null, 2)).toBe(true);
    // The validator is live: an unknown service key and a wrong condition fail.
    const broken = structuredClone(compose);
    broken.services.order.depend_on = broken.services.order.depends_on;
    expect(valid(broken)).toBe(false);
    const badCondition = structuredClone(compose);
    badCondition.services.order.depends_on.product.condition = 'service_ready';
    expect(valid(badCondition)).toBe(false);
  });

  it('builds every service from its Dockerfile with the platform root as context, image tags pinned', () => {
    for (const s of platform.services) {
      expect(compose.services[s.name].build).toEqual({ context: '.', dockerfile: `services/${s.name}/Dockerfile` });
    }
    for (const [name, svc] of Object.entries<any>(compose.services)) {
      expect(svc.image, name).toMatch(/:[\w][\w.-]*$/);
      expect(svc.image, name).not.toMatch(/:latest$/);
    }
  });

  it('depends_on names only services of the file, in an order without cycles', () => {
    const names = new Set(Object.keys(compose.services));
    const deps = (n: string) => Object.keys(compose.services[n].depends_on ?? {});
    for (const n of names) for (const d of deps(n)) expect(names.has(d), `${n} -> ${d}`).toBe(true);
    const order: string[] = [];
    const seen = new Set<string>();
    const visit = (n: string, path: string[]) => {
      if (path.includes(n)) throw new Error(`cycle: ${[...path, n].join(' -> ')}`);
      if (seen.has(n)) return;
      for (const d of deps(n)) visit(d, [...path, n]);
      seen.add(n);
      order.push(n);
    };
    for (const n of names) visit(n, []);
    expect(order.indexOf('order')).toBeGreaterThan(order.indexOf('product'));
    expect(order.indexOf('order')).toBeGreaterThan(order.indexOf('user'));
    expect(compose.services.order.depends_on.product).toEqual({ condition: 'service_healthy' });
    expect(compose.services.product.depends_on['postgres-init']).toEqual({ condition: 'service_completed_successfully' });
    expect(compose.services['postgres-init'].depends_on.postgres).toEqual({ condition: 'service_healthy' });
  });

  it('health-checks each service with its own binary (no shell in a distroless image)', () => {
    for (const s of platform.services) {
      expect(compose.services[s.name].healthcheck.test).toEqual(['CMD', `/app/${s.name}`, 'healthcheck']);
      const healthcheck = readFileSync(join(root, 'services', s.name, 'cmd', s.name, 'healthcheck.go'), 'utf8');
      expect(healthcheck).toContain('func healthcheck(');
    }
  });

  it('passes each service the settings its generated config reads: its own database, the collector, its callees', () => {
    for (const s of platform.services) {
      const env = compose.services[s.name].environment as Record<string, string>;
      const config = readFileSync(join(root, 'services', s.name, 'internal/config/config.go'), 'utf8');
      expect(config).toContain(`envPrefix = "${s.envPrefix}_"`);
      for (const key of ['tracing.endpoint', 'tracing.insecure', 'service.environment']) expect(config).toContain(`"${key}"`);
      expect(env[`${s.envPrefix}_TRACING_ENDPOINT`]).toBe('otel-collector:4318');
      if (s.database === 'sql') {
        const database = readFileSync(join(root, 'services', s.name, 'internal/config/database.go'), 'utf8');
        expect(database).toContain('SecretFromEnvOrFile("database.dsn")');
        expect(database).toContain('"driver"');
        expect(env[`${s.envPrefix}_DATABASE_DRIVER`]).toBe('postgres');
        expect(new URL(env[`${s.envPrefix}_DATABASE_DSN`]!).pathname).toBe(`/${s.name}`);
      }
    }
    const order = compose.services.order.environment;
    expect(order.ORDER_CLIENTS_PRODUCT_URL).toBe('http://product:8080');
    expect(order.ORDER_CLIENTS_USER_URL).toBe('http://user:8080');
    const script = readFileSync(join(root, 'deployments/compose/postgres-init/databases.sh'), 'utf8');
    for (const s of platform.services.filter((x) => x.database === 'sql')) expect(script).toMatch(new RegExp(`^create ${s.name}$`, 'm'));
  });

  it('Prometheus scrapes every service admin port; the collector exports to Jaeger', () => {
    const prom = parse(readFileSync(join(root, 'deployments/compose/prometheus.yml'), 'utf8'));
    const targets = prom.scrape_configs.flatMap((c: any) => c.static_configs.flatMap((s: any) => s.targets));
    expect(targets.sort()).toEqual(platform.services.map((s) => `${s.name}:${s.ports.admin}`).sort());
    const otel = parse(readFileSync(join(root, 'deployments/compose/otel-collector.yaml'), 'utf8'));
    expect(otel.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
    expect(otel.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['batch'], exporters: ['otlp/jaeger'] });
  });
});

describe('the root Makefile', () => {
  it.runIf(spawnSync('make', ['--version']).status === 0)('make help lists every target, per-service ones with their digits and dashes, with TAG and ENV resolved', () => {
    const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
    const targets = [...makefile.matchAll(/^([a-zA-Z0-9_-]+):.*## /gm)].map((m) => m[1]);
    expect(targets).toContain('k8s');
    expect(targets).toContain('image-product');
    const help = execFileSync('make', ['--no-print-directory', '-C', root, 'help', 'TAG=1.2.3'], { encoding: 'utf8' });
    expect(help.trim().split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(targets);
    expect(help).not.toMatch(/\$\(/);
    expect(help).toMatch(/^ {2}images +Build every service's image, tagged 1\.2\.3$/m);
  });
});

describe('the CI workflow', () => {
  it('passes actionlint (expressions, job outputs, action inputs), which refuses a misspelt output', { timeout: 300_000 }, () => {
    const run = (dir: string) => spawnSync('go', ['run', ACTIONLINT, '-shellcheck=', '-no-color', '.github/workflows/ci.yml'], { cwd: dir, env: GO_ENV, encoding: 'utf8' });
    const ok = run(root);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const broken = mkdtempSync(join(tmpdir(), 'svc-platform-ci-'));
    const text = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8').replace('needs.changes.outputs.services !=', 'needs.changes.outputs.servicez !=');
    writeTree(broken, [{ path: '.github/workflows/ci.yml', content: text }]);
    const bad = run(broken);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/property "servicez" is not defined/);
  });
});

/** A PostgreSQL server the tests may use (CI's .ci/run starts one with scripts/postgres.sh). */
const pgUrl = process.env.DATABASE_URL;

describe.skipIf(!pgUrl)('the postgres-init script on a real PostgreSQL server', () => {
  const psql = (url: string, sql: string) => spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' });
  const sqlServices = () => platform.services.filter((s) => s.database === 'sql').map((s) => s.name);
  /** A service's compose DSN, pointed at the test server instead of the compose host. */
  const dsnOf = (name: string, db = name) => {
    const u = new URL(pgUrl!);
    return `postgres://${name}:${name}@${u.hostname}:${u.port}/${db}?sslmode=disable`;
  };
  const runScript = () => {
    const u = new URL(pgUrl!);
    const env = { ...process.env, PGHOST: u.hostname, PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password) };
    return spawnSync('sh', [join(root, 'deployments/compose/postgres-init/databases.sh')], { env, encoding: 'utf8' });
  };

  afterAll(() => {
    for (const name of sqlServices()) {
      psql(pgUrl!, `DROP DATABASE IF EXISTS "${name}"`);
      psql(pgUrl!, `DROP ROLE IF EXISTS "${name}"`);
    }
  });

  it('creates a role and a database per SQL service, again without error, each reachable only by its own role', () => {
    const names = sqlServices();
    expect(names).toEqual(['product', 'user', 'order']);
    for (let i = 0; i < 2; i++) {
      const r = runScript();
      expect(r.status, r.stderr).toBe(0);
    }
    for (const name of names) {
      expect(psql(dsnOf(name), 'SELECT current_user || \'@\' || current_database()').stdout.trim()).toBe(`${name}@${name}`);
      const other = names.find((n) => n !== name)!;
      const denied = psql(dsnOf(name, other), 'SELECT 1');
      expect(denied.status).not.toBe(0);
      expect(denied.stderr).toMatch(/permission denied for database/);
    }
  });
});

describe('the Kubernetes overlays of every environment', () => {
  let reports: Record<string, CheckReport> = {};
  let exitCode = -1;
  let infra: CheckReport[] = [];
  let checker = '';
  const dirs = ENVIRONMENTS.map((env) => `deployments/${env}`);

  beforeAll(async () => {
    checker = await buildChecker();
    const r = await check(checker, dirs.map((d) => join(root, d)));
    exitCode = r.exitCode;
    reports = Object.fromEntries(dirs.map((d, i) => [d, r.reports[i]!]));
    infra = (await check(checker, ENVIRONMENTS.map((env) => join(root, 'infrastructure/kubernetes', env)))).reports;
  }, 600_000);

  it('render, decode strictly and pass Pod Security "restricted" and the reference checks', () => {
    for (const d of dirs) expect(reports[d]!.problems, d).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('infrastructure/kubernetes/<env> renders alone: the namespace and the policies of the calls', () => {
    for (const [i, env] of ENVIRONMENTS.entries()) {
      const r = infra[i]!;
      const ns = env === 'prod' ? 'shop' : `shop-${env}`;
      expect(r.objects.map((o) => `${o.kind} ${o.metadata.name} ${o.metadata.namespace ?? ''}`.trim()).sort()).toEqual([
        `Namespace ${ns}`,
        `NetworkPolicy product-from-order ${ns}`,
        `NetworkPolicy user-from-order ${ns}`,
      ]);
      // Alone, without the services, only the policies' selectors are left unresolved.
      expect(r.problems.every((p) => p.endsWith('the pod selector matches no Deployment')), r.problems.join('\n')).toBe(true);
    }
  });

  it('hold every service, in the environment namespace, with its image tag', () => {
    for (const env of ENVIRONMENTS) {
      const objects = reports[`deployments/${env}`]!.objects;
      const ns = env === 'prod' ? 'shop' : `shop-${env}`;
      const namespaces = byKind(objects, 'Namespace');
      expect(namespaces.map((n) => n.metadata.name)).toEqual([ns]);
      expect(namespaces[0]!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const o of objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(ns);
      const deployments = byKind(objects, 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['order', 'product', 'user']);
      for (const d of deployments) {
        const c = d.spec.template.spec.containers[0];
        const s = settings.get(d.metadata.name)!;
        expect(c.image).toBe(`${s.deploy.image}:${env === 'dev' ? 'dev' : '0.0.0'}`);
        expect(c.env).toContainEqual({ name: `${envPrefixOf(s.name)}_SERVICE_ENVIRONMENT`, value: env });
        expect(d.metadata.labels['app.kubernetes.io/part-of']).toBe('shop');
      }
      // Each service's own policy, and one per call.
      const policies = byKind(objects, 'NetworkPolicy').map((p) => p.metadata.name).sort();
      expect(policies).toEqual(['order', 'product', 'product-from-order', 'user', 'user-from-order']);
    }
  });

  it('admit each caller to its callee HTTP container port, ingress only (no egress isolation)', () => {
    const objects = reports['deployments/prod']!.objects;
    const edge = byKind(objects, 'NetworkPolicy').find((p) => p.metadata.name === 'user-from-order')!;
    expect(edge.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'user' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'order' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
    for (const p of byKind(objects, 'NetworkPolicy')) expect(p.spec.policyTypes, p.metadata.name).not.toContain('Egress');
    const user = byKind(objects, 'Deployment').find((d: K8sObject) => d.metadata.name === 'user')!;
    expect(user.spec.template.spec.containers[0].ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
  });

  it.runIf(hasKubectl())('kubectl kustomize renders the same objects as the checker', { timeout: 60_000 }, async () => {
    for (const d of dirs) expect(await kubectlKustomize(join(root, d)), d).toEqual(reports[d]!.objects);
  });

  it('what the user writes in custom/ wins over the generated defaults/', async () => {
    const custom = join(root, 'deployments/staging/custom/kustomization.yaml');
    const before = readFileSync(custom, 'utf8');
    try {
      writeFileSync(
        custom,
        [
          before,
          'images:',
          '  - name: registry.example.com/product',
          '    newTag: "1.2.3"',
          'replicas:',
          '  - name: order',
          '    count: 7',
          '',
        ].join('\n'),
      );
      const r = await check(checker, [join(root, 'deployments/staging')]);
      expect(r.reports[0]!.problems).toEqual([]);
      const deployments = byKind(r.reports[0]!.objects, 'Deployment');
      const get = (n: string) => deployments.find((d) => d.metadata.name === n)!;
      expect(get('product').spec.template.spec.containers[0].image).toBe('registry.example.com/product:1.2.3');
      expect(get('order').spec.replicas).toBe(7);
      expect(get('user').spec.replicas).toBe(settings.get('user')!.deploy.environments.staging.replicas);
    } finally {
      writeFileSync(custom, before);
    }
  });

  it('size each environment as a single service svc.yaml does by default', () => {
    for (const env of ENVIRONMENTS) {
      const objects = reports[`deployments/${env}`]!.objects;
      for (const d of byKind(objects, 'Deployment')) {
        const want = settings.get(d.metadata.name)!.deploy.environments[env];
        expect(d.spec.replicas).toBe(want.replicas);
        expect(d.spec.template.spec.containers[0].resources.limits.memory).toBe(want.resources.limits.memory);
      }
      for (const h of byKind(objects, 'HorizontalPodAutoscaler')) {
        const want = settings.get(h.metadata.name)!.deploy.environments[env];
        expect([h.spec.minReplicas, h.spec.maxReplicas]).toEqual([want.minReplicas, want.maxReplicas]);
      }
    }
  });
});

describe('the Dockerfile of a platform service', () => {
  let text = '';
  let ignoreAction: string | undefined;

  beforeAll(async () => {
    const dir = join(root, 'services', 'product');
    const fs = new DiskFileSystem(dir);
    const { settings: s, contract } = await readService(fs, dir);
    const inPlatform = { ...s, platform: { name: 'shop', module: 'example.com/shop', root: '../..' } };
    const r = await generate(inPlatform, contract, { fs, force: false, dryRun: true, only: (p) => p === 'Dockerfile' || p === '.dockerignore' });
    text = r.plan.changes.find((c) => c.artifact.path === 'Dockerfile')!.artifact.content;
    ignoreAction = r.plan.changes.find((c) => c.artifact.path === '.dockerignore')?.action;
  }, 120_000);

  it('has no .dockerignore of its own (its build context is the platform root, whose .dockerignore applies)', () => {
    // The single service's file on disk is no longer generated: the plan deletes it.
    expect(ignoreAction).toBe('delete');
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', '**/.env', '**/.env.*', 'services/*/bin', 'services/*/data', 'deployments', 'infrastructure']) expect(ignored).toContain(entry);
    for (const kept of ['shared', 'services', 'go.mod', 'go.sum']) expect(ignored.some((l) => l === kept || l === `${kept}/`)).toBe(false);
  });

  it('passes the dockerfile-utils linter with every rule on', () => {
    expect(validate(text, STRICT)).toEqual([]);
  });

  it('copies only the root module, shared/ and its own folder from the platform root, and builds its module alone', () => {
    const lines = text.split('\n').filter((l) => /^(COPY|WORKDIR|ENV) /.test(l));
    expect(lines).toEqual([
      'ENV GOWORK=off',
      'WORKDIR /src/services/product',
      'COPY go.mod go.sum /src/',
      'COPY services/product/go.mod services/product/go.sum ./',
      'COPY shared/ /src/shared/',
      'COPY services/product/ ./',
      'WORKDIR /app',
      'COPY --from=build /out/product /app/product',
      'COPY --from=build /src/services/product/configs/config.yaml /app/configs/config.yaml',
      'COPY --from=build --chown=65532:65532 /out/data /app/data',
    ]);
    expect(text).toContain('-o /out/product ./cmd/product');
    expect(text).toContain('docker build -f services/product/Dockerfile -t product:dev');
  });

  it('builds with only what it copies from the platform root (its build stage emulated on disk)', { timeout: 120_000 }, () => {
    // A platform root: the shared runtime's module, the service (which imports
    // it through its replace directive) and another service that must not be
    // needed (its go.mod is broken), tied by a go.work.
    const context = mkdtempSync(join(tmpdir(), 'svc-platform-context-'));
    writeTree(context, [
      { path: 'go.mod', content: 'module example.com/shop\n\ngo 1.22\n' },
      { path: 'go.sum', content: '' },
      { path: 'go.work', content: 'go 1.22\n\nuse (\n\t.\n\t./services/product\n\t./services/other\n)\n' },
      { path: 'shared/pkg/greet/greet.go', content: 'package greet\n\n// Hello greets.\nfunc Hello() string { return "hello from shared" }\n' },
      { path: 'services/product/go.mod', content: 'module example.com/shop/services/product\n\ngo 1.22\n\nrequire example.com/shop v0.0.0\n\nreplace example.com/shop => ../..\n' },
      { path: 'services/product/go.sum', content: '' },
      { path: 'services/product/cmd/product/main.go', content: 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/shop/shared/pkg/greet"\n)\n\nvar version, commit string\n\nfunc main() { fmt.Println(greet.Hello(), version, commit) }\n' },
      { path: 'services/product/configs/config.yaml', content: 'service:\n  name: product\n' },
      { path: 'services/other/go.mod', content: 'this is not a go.mod\n' },
    ]);
    const image = mkdtempSync(join(tmpdir(), 'svc-platform-image-'));
    const onImage = (p: string) => join(image, p);
    // The build stage's instructions, continuation lines joined, comments dropped.
    const lines = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() !== '');
    const stage = lines.slice(0, lines.findIndex((l, i) => i > 0 && l.startsWith('FROM ')));
    let workdir = '/';
    const env: Record<string, string> = {};
    for (const line of stage.slice(1)) {
      const [keyword, ...rest] = line.trim().split(/\s+/);
      const args = rest.join(' ');
      if (keyword === 'WORKDIR') {
        workdir = args.startsWith('/') ? args : join(workdir, args);
        mkdirSync(onImage(workdir), { recursive: true });
      } else if (keyword === 'ENV' || keyword === 'ARG') {
        const [k, v] = args.split('=') as [string, string];
        env[k] = v;
      } else if (keyword === 'COPY') {
        const dest = rest.at(-1)!;
        const target = onImage(dest.startsWith('/') ? dest : join(workdir, dest));
        for (const src of rest.slice(0, -1)) {
          const from = join(context, src);
          const to = src.endsWith('/') ? target : join(target, basename(src));
          cpSync(from, to, { recursive: true });
        }
      } else if (keyword === 'RUN') {
        const command = rest.filter((a) => !a.startsWith('--mount=')).join(' ').replace(/(^|\s)\/(out|src)\b/g, `$1${image}/$2`);
        const r = spawnSync('sh', ['-c', command], { cwd: onImage(workdir), env: { ...GO_ENV, ...env }, encoding: 'utf8' });
        expect(r.status, `${command}\n${r.stdout}${r.stderr}`).toBe(0);
      } else {
        throw new Error(`the emulation does not know ${keyword}`);
      }
    }
    // Nothing of the other service was copied; the final stage finds what it copies.
    expect(existsSync(onImage('src/services/other'))).toBe(false);
    expect(existsSync(onImage('src/services/product/configs/config.yaml'))).toBe(true);
    expect(existsSync(onImage('out/data'))).toBe(true);
    expect(execFileSync(onImage('out/product'), { encoding: 'utf8' }).trim()).toBe('hello from shared dev none');
  });
});

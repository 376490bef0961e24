import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { clientUrlEnv, startupDependencies } from '../../src/render/platform/facts.js';
import { renderPlatformFiles, type PlatformFiles, type PlatformServiceFiles } from '../../src/render/platform/index.js';
import type { Platform, PlatformService } from '../../src/render/platform/types.js';
import { GOLANGCI_LINT_VERSION } from '../../src/tools/pins.js';

/** Small platforms and the fragments of the root files they must produce. */

function service(name: string, over: Partial<PlatformService> = {}): PlatformService {
  return {
    name,
    dir: `services/${name}`,
    envPrefix: name.replaceAll('-', '_').toUpperCase(),
    ports: { http: 8080, admin: 9091 },
    database: 'sql',
    calls: [],
    image: `registry.example.com/${name}`,
    grpc: false,
    ...over,
  };
}

function shop(services: PlatformService[]): Platform {
  return { name: 'shop', module: 'example.com/shop', services };
}

function files(platform: Platform): Map<string, { content: string; owner: string }> {
  return new Map(renderPlatformFiles(platform).map((a) => [a.path, { content: a.content, owner: a.owner }]));
}

function text(platform: Platform, path: string): string {
  const f = files(platform).get(path);
  if (!f) throw new Error(`${path} was not rendered`);
  return f.content;
}

function compose(platform: Platform): any {
  return parse(text(platform, 'docker-compose.yml'));
}

const THREE = shop([
  service('product'),
  service('user', { database: 'memory', grpc: true, ports: { http: 8181, grpc: 9090, admin: 9091 } }),
  service('order', { calls: ['product', 'user'] }),
]);

describe('docker-compose.yml', () => {
  it('runs the broker and Redis the services use, and points each service at them', () => {
    const c = compose(shop([service('product', { events: 'nats', cache: 'redis' }), service('audit', { events: 'kafka' }), service('user')]));
    expect(c.services.nats.command).toEqual(['-js', '-sd', '/data', '-m', '8222']);
    expect(c.services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(c.services.redis.image).toMatch(/^redis:/);
    expect(c.services.product.environment).toMatchObject({ PRODUCT_EVENTS_DRIVER: 'nats', PRODUCT_EVENTS_URL: 'nats://nats:4222', PRODUCT_CACHE_REDIS_ADDR: 'redis:6379' });
    expect(c.services.audit.environment).toMatchObject({ AUDIT_EVENTS_DRIVER: 'kafka', AUDIT_EVENTS_BROKERS: 'kafka:9092' });
    expect(c.services.product.depends_on.nats).toEqual({ condition: 'service_healthy' });
    expect(Object.keys(c.services.user.environment).filter((k) => k.includes('_EVENTS_') || k.includes('_CACHE_'))).toEqual([]);
    expect(Object.keys(c.volumes)).toEqual(['postgres-data', 'nats-data', 'kafka-data']);
    // Without them, none of the three.
    const plain = compose(THREE);
    for (const name of ['nats', 'kafka', 'redis']) expect(plain.services[name]).toBeUndefined();
  });

  it('gives a caller the URL of each service it calls, and a callee none', () => {
    const c = compose(THREE);
    expect(c.services.order.environment).toMatchObject({
      ORDER_CLIENTS_PRODUCT_URL: 'http://product:8080',
      ORDER_CLIENTS_USER_URL: 'http://user:8181',
    });
    expect(Object.keys(c.services.product.environment).filter((k) => k.includes('_CLIENTS_'))).toEqual([]);
  });

  it('a memory service gets no database; a SQL one its own DSN and waits for the databases', () => {
    const c = compose(THREE);
    expect(Object.keys(c.services.user.environment).filter((k) => k.includes('DATABASE'))).toEqual([]);
    expect(c.services.user.depends_on['postgres-init']).toBeUndefined();
    expect(c.services.product.environment.PRODUCT_DATABASE_DSN).toBe('postgres://product:product@postgres:5432/product?sslmode=disable');
    expect(c.services.product.depends_on['postgres-init']).toEqual({ condition: 'service_completed_successfully' });
    const script = text(THREE, 'deployments/compose/postgres-init/databases.sh');
    expect(script.match(/^create \S+$/gm)).toEqual(['create product', 'create order']);
  });

  it('a platform without SQL services has no PostgreSQL at all', () => {
    const p = shop([service('a', { database: 'memory' }), service('b', { database: 'memory', calls: ['a'] })]);
    const c = compose(p);
    expect(c.services.postgres).toBeUndefined();
    expect(c.services['postgres-init']).toBeUndefined();
    expect(c.volumes).toBeUndefined();
    expect([...files(p).keys()].filter((k) => k.includes('postgres'))).toEqual([]);
  });

  it('a caller waits for its callees to be healthy; a call cycle drops the edge that closes it', () => {
    expect(compose(THREE).services.order.depends_on).toMatchObject({ product: { condition: 'service_healthy' }, user: { condition: 'service_healthy' } });
    const cyclic = shop([service('a', { calls: ['b'] }), service('b', { calls: ['c'] }), service('c', { calls: ['a'] })]);
    expect(Object.fromEntries(startupDependencies(cyclic))).toEqual({ a: ['b'], b: ['c'], c: [] });
    const c = compose(cyclic);
    expect(Object.keys(c.services.c.depends_on)).not.toContain('a');
    // The call itself is still wired.
    expect(c.services.c.environment.C_CLIENTS_A_URL).toBe('http://a:8080');
    expect(text(cyclic, 'docker-compose.yml')).toContain('# Not waited for (the call would close a start-up cycle): a.');
  });

  it('publishes each service on its own loopback host ports', () => {
    const c = compose(THREE);
    expect(c.services.product.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(c.services.user.ports).toEqual(['127.0.0.1:8081:8181', '127.0.0.1:50052:9090']);
    expect(c.services.order.ports).toEqual(['127.0.0.1:8082:8080']);
    const hostPorts = Object.values<any>(c.services).flatMap((s) => (s.ports ?? []).map((p: string) => p.split(':')[1]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('Prometheus scrapes each admin port', () => {
    const p = shop([service('a', { ports: { http: 8080, admin: 9100 } })]);
    const prom = parse(text(p, 'deployments/compose/prometheus.yml'));
    expect(prom.scrape_configs[0].static_configs).toEqual([{ targets: ['a:9100'], labels: { service: 'a' } }]);
  });
});

describe('the client URL variable', () => {
  it('is <CALLER>_CLIENTS_<OTHER>_URL, the other name without dashes (a client name is letters and digits)', () => {
    expect(clientUrlEnv(service('order-service', { envPrefix: 'ORDER_SERVICE' }), 'user-profile')).toBe('ORDER_SERVICE_CLIENTS_USERPROFILE_URL');
  });
});

describe('the Kubernetes files', () => {
  it('each environment composes every service base in the platform namespace', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const k = parse(text(THREE, `deployments/${env}/kustomization.yaml`));
      expect(k.namespace).toBe(env === 'prod' ? 'shop' : `shop-${env}`);
      expect(k.resources).toEqual([
        `../../infrastructure/kubernetes/${env}`,
        '../../services/product/deployments/base',
        '../../services/user/deployments/base',
        '../../services/order/deployments/base',
      ]);
      expect(k.components).toEqual(['defaults', 'custom']);
      const ns = parse(text(THREE, `infrastructure/kubernetes/${env}/namespace.yaml`));
      expect(ns.metadata).toMatchObject({ name: env === 'prod' ? 'shop' : `shop-${env}`, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    }
  });

  it('tags dev images dev and the others with the contract version when the description carries one', () => {
    const p: PlatformFiles = shop([{ ...service('a'), version: '2.1.0' } as PlatformServiceFiles, service('b')]);
    const tags = (env: string) => parse(text(p, `deployments/${env}/defaults/kustomization.yaml`)).images.map((i: any) => `${i.newName}:${i.newTag}`);
    expect(tags('dev')).toEqual(['registry.example.com/a:dev', 'registry.example.com/b:dev']);
    expect(tags('prod')).toEqual(['registry.example.com/a:2.1.0', 'registry.example.com/b:0.0.0']);
  });

  it('one NetworkPolicy per call, admitting the caller on the callee HTTP port', () => {
    const f = files(THREE);
    expect([...f.keys()].filter((k) => k.startsWith('infrastructure/kubernetes/policies/')).sort()).toEqual([
      'infrastructure/kubernetes/policies/kustomization.yaml',
      'infrastructure/kubernetes/policies/order-to-product.yaml',
      'infrastructure/kubernetes/policies/order-to-user.yaml',
    ]);
    const np = parse(f.get('infrastructure/kubernetes/policies/order-to-user.yaml')!.content);
    expect(np.metadata.name).toBe('user-from-order');
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'order' } } }], ports: [{ port: 8181, protocol: 'TCP' }] }]);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
  });

  it('a platform without calls has no policies folder, and its infrastructure does not name one', () => {
    const p = shop([service('a')]);
    expect([...files(p).keys()].some((k) => k.includes('/policies/'))).toBe(false);
    expect(parse(text(p, 'infrastructure/kubernetes/dev/kustomization.yaml')).resources).toEqual(['namespace.yaml']);
  });
});

describe('the README', () => {
  it('lists every service with its folder, API, data and calls, and the namespaces', () => {
    const readme = text(THREE, 'README.md');
    expect(readme).toContain('| order | [services/order](services/order) | HTTP | SQL (its own database) | product, user |');
    expect(readme).toContain('| user | [services/user](services/user) | HTTP, gRPC | in memory | - |');
    expect(readme).toContain('go.mod                   module example.com/shop: the shared runtime');
    expect(readme).toContain('The namespaces are `shop-dev`, `shop-staging`, `shop`.');
  });
});

describe('ownership', () => {
  it('the README and the custom components are the user\'s; every other file is generated', () => {
    const user = [...files(THREE)].filter(([, f]) => f.owner === 'user').map(([p]) => p).sort();
    expect(user).toEqual(['README.md', 'deployments/dev/custom/kustomization.yaml', 'deployments/prod/custom/kustomization.yaml', 'deployments/staging/custom/kustomization.yaml']);
  });
});

describe('checks of the description', () => {
  const cases: [string, Platform, RegExp][] = [
    ['a call to an unknown service', shop([service('a', { calls: ['b'] })]), /calls "b", which is not a service/],
    ['a service calling itself', shop([service('a', { calls: ['a'] })]), /calls itself/],
    ['a name listed twice', shop([service('a'), service('a')]), /listed twice/],
    ['a service outside services/<name>', shop([service('a', { dir: 'apps/a' })]), /must live in services\/a, not apps\/a/],
    ['a name that is not a DNS label', shop([service('A_b')]), /DNS label/],
    ['a call to a service without HTTP', shop([service('a', { ports: { grpc: 9090, admin: 9091 } }), service('b', { calls: ['a'] })]), /no HTTP port/],
  ];
  it.each(cases)('refuses %s', (_, platform, message) => {
    expect(() => renderPlatformFiles(platform)).toThrow(UserError);
    expect(() => renderPlatformFiles(platform)).toThrow(message);
  });
});

/** Writes the platform's files into a fresh folder. */
function onDisk(platform: Platform): string {
  const dir = mkdtempSync(join(tmpdir(), 'svc-platform-unit-'));
  for (const a of renderPlatformFiles(platform)) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.content);
  }
  return dir;
}

describe('the Makefile', () => {
  it('has build, test, lint, run and image targets per service, and the aggregates name them all', () => {
    const mk = text(THREE, 'Makefile');
    for (const s of ['product', 'user', 'order']) {
      for (const t of ['build', 'test', 'lint', 'run', 'image']) expect(mk).toMatch(new RegExp(`^${t}-${s}: .*## `, 'm'));
    }
    expect(mk).toMatch(/^build: build-shared build-product build-user build-order /m);
    expect(mk).toMatch(/^test: test-shared test-product test-user test-order /m);
    expect(mk).toContain('docker build -f services/user/Dockerfile');
  });

  it('runs under make: a dry run per target, usage errors for a missing SERVICE or an unknown ENV', () => {
    const dir = onDisk(THREE);
    const make = (...args: string[]) => spawnSync('make', ['--no-print-directory', ...args], { cwd: dir, encoding: 'utf8' });
    expect(make('-n', 'test-order').stdout).toContain('cd services/order && go test -race ./...');
    expect(make('-n', 'build').stdout.match(/^cd services\/\S+ && go build/gm)).toHaveLength(3);
    const run = make('run');
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('usage: make run SERVICE=<one of: product user order>');
    expect(make('run', 'SERVICE=nope').status).toBe(2);
    expect(make('-n', 'run', 'SERVICE=user').stdout).toContain('cd services/user && go run ./cmd/user serve');
    expect(make('k8s', 'ENV=qa').status).toBe(2);
    expect(make('-n', 'k8s', 'ENV=prod').stdout).toContain('kubectl kustomize deployments/prod');
    expect(make('help').stdout).toMatch(/^ {2}test-product +Test the product service$/m);
  });
});

describe('the CI workflow', () => {
  const workflow = parse(text(THREE, '.github/workflows/ci.yml'));

  it('is a changes job feeding a matrix over the picked services', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['changes', 'shared', 'service', 'manifests']);
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: null });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const svc = workflow.jobs.service;
    expect(svc.needs).toBe('changes');
    expect(svc.strategy.matrix.service).toBe('${{ fromJSON(needs.changes.outputs.services) }}');
    expect(svc.if).toBe("needs.changes.outputs.services != '[]'");
    expect(svc.defaults.run['working-directory']).toBe('services/${{ matrix.service }}');
    expect(svc.steps.map((s: any) => s.name ?? s.uses)).toEqual(['actions/checkout@v4', 'actions/setup-go@v5', 'Build', 'Vet', 'Format', 'Test', 'Lint', 'Image']);
    const pick = workflow.jobs.changes.steps.find((s: any) => s.id === 'pick');
    expect(JSON.parse(pick.env.ALL)).toEqual(['product', 'user', 'order']);
    const lint = svc.steps.find((s: any) => s.name === 'Lint');
    const setup = readFileSync(join(import.meta.dirname, '..', '..', 'scripts', 'setup.sh'), 'utf8');
    // The platform's CI lints with the release svc's own tests use: setup.sh installs the one pin.
    expect(lint.with.version).toBe(GOLANGCI_LINT_VERSION);
    expect(setup).toMatch(/^GOLANGCI_LINT_VERSION="\$\(node .*import\('\.\/dist\/tools\/pins\.js'\).*m\.GOLANGCI_LINT_VERSION/m);
    for (const job of Object.values<any>(workflow.jobs)) {
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/@v\d+$/);
    }
  });

  it('picks the services a change touches, and every one for shared/, go.work or a missing base', { timeout: 60_000 }, () => {
    const dir = onDisk(THREE);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
    const put = (path: string, content: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    };
    for (const s of ['product', 'user', 'order']) put(`services/${s}/go.mod`, `module example.com/shop/services/${s}\n`);
    put('go.work', 'go 1.22\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    const script = workflow.jobs.changes.steps.find((s: any) => s.id === 'pick').run as string;
    const out = join(mkdtempSync(join(tmpdir(), 'svc-ci-out-')), 'github-output');
    const pick = (change: () => void, from = base): Record<string, string> => {
      git('checkout', '-q', base);
      change();
      git('add', '-A');
      git('commit', '-qm', 'change');
      writeFileSync(out, '');
      const env = { ...process.env, BASE: from, HEAD: git('rev-parse', 'HEAD'), ALL: JSON.stringify(['product', 'user', 'order']), GITHUB_OUTPUT: out };
      execFileSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8' });
      return Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    };
    expect(pick(() => put('services/user/internal/x.go', 'package x\n'))).toEqual({ services: '["user"]', shared: 'false' });
    expect(pick(() => (put('services/order/a.go', 'package a\n'), put('services/product/b.go', 'package b\n')))).toEqual({ services: '["order","product"]', shared: 'false' });
    expect(pick(() => put('README.md', 'docs only\n'))).toEqual({ services: '[]', shared: 'false' });
    expect(pick(() => put('shared/pkg/logging/log.go', 'package logging\n'))).toEqual({ services: '["product","user","order"]', shared: 'true' });
    expect(pick(() => put('go.work', 'go 1.22\n\nuse .\n'))).toEqual({ services: '["product","user","order"]', shared: 'true' });
    // A folder under services/ that is not a module is no service.
    expect(pick(() => put('services/notes/x.txt', 'x\n'))).toEqual({ services: '[]', shared: 'false' });
    // The first push of a branch has no base (GitHub sends zeros): everything.
    expect(pick(() => put('services/user/y.go', 'package y\n'), '0'.repeat(40))).toEqual({ services: '["product","user","order"]', shared: 'true' });
    expect(pick(() => put('services/user/z.go', 'package z\n'), '')).toEqual({ services: '["product","user","order"]', shared: 'true' });
  });
});

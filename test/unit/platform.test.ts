import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { SubFileSystem } from '../../src/fs/sub.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import { addClient, addService, genPlatform, moveService, newPlatform, platformOf, renderPlatformRoot, requirePlatform } from '../../src/pipeline/platform.js';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { undeclared } from '../../src/render/target.js';
import { platformRootTarget } from '../../src/render/targets.js';
import { countActions } from '../../src/plan/plan.js';
import { readSettings } from '../../src/project/settings.js';
import { sortImportGroups } from '../../src/render/go/imports.js';
import { goWork } from '../../src/render/platform/runtime.js';
import { localImportPrefix, runtimeImport, RUNTIME_PACKAGES, SHARED_PACKAGES } from '../../src/render/runtimepkgs.js';

const DIR = '/platforms/shop';

async function platform(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await newPlatform({ name: 'shop', module: 'example.com/shop', dir: DIR, fs });
  await addService({ dir: DIR, fs, service: { name: 'product' } });
  await addService({ dir: DIR, fs, service: { name: 'order', database: 'memory' } });
  return fs;
}

describe('runtime placement', () => {
  it('imports a shared package from the platform and the others from the service', () => {
    const where = { module: 'example.com/shop/services/order', platformModule: 'example.com/shop' };
    expect(runtimeImport(where, 'problem')).toBe('example.com/shop/shared/pkg/problem');
    expect(runtimeImport(where, 'httpclient')).toBe('example.com/shop/shared/pkg/httpclient');
    expect(runtimeImport({ module: 'example.com/order' }, 'problem')).toBe('example.com/order/internal/problem');
    expect(runtimeImport({ module: 'example.com/order' }, 'httpclient')).toBe('example.com/order/pkg/httpclient');
  });

  it("groups the platform's imports with the service's own", () => {
    expect(localImportPrefix({ module: 'example.com/shop/services/order', platformModule: 'example.com/shop' })).toEqual(['example.com/shop']);
    expect(localImportPrefix({ module: 'example.com/billing', platformModule: 'example.com/shop' })).toEqual(['example.com/billing', 'example.com/shop']);
    expect(localImportPrefix({ module: 'example.com/order' })).toEqual(['example.com/order']);
  });
});

describe('sortImportGroups', () => {
  it('sorts each group of an import block by path, as gofmt does', () => {
    const given = 'package x\n\nimport (\n\t"fmt"\n\t"context"\n\n\t"example.com/shop/services/a/internal/config"\n\tapperrors "example.com/shop/shared/pkg/errors"\n\t"example.com/shop/services/a/internal/handler"\n)\n';
    const want = 'package x\n\nimport (\n\t"context"\n\t"fmt"\n\n\t"example.com/shop/services/a/internal/config"\n\t"example.com/shop/services/a/internal/handler"\n\tapperrors "example.com/shop/shared/pkg/errors"\n)\n';
    expect(sortImportGroups(given)).toBe(want);
  });

  it('leaves a group with a comment as written', () => {
    const given = 'import (\n\t// keep\n\t"b"\n\t"a"\n)\n';
    expect(sortImportGroups(given)).toBe(given);
  });
});

describe('a platform', () => {
  it('has a root settings file, a go.mod, a go.work and the shared runtime, once', async () => {
    const fs = await platform();
    const settings = parse((await fs.read('svc.yaml'))!) as Record<string, unknown>;
    expect(settings).toMatchObject({ kind: 'platform', name: 'shop', module: 'example.com/shop' });
    expect(await fs.read('go.mod')).toMatch(/^module example\.com\/shop$/m);
    const work = (await fs.read('go.work'))!;
    expect(work).toContain('\t./services/order\n\t./services/product\n');
    for (const p of SHARED_PACKAGES) {
      const dir = `shared/pkg/${RUNTIME_PACKAGES[p].replace(/^(internal|pkg)\//, '')}`;
      expect((await fs.list(dir)).length, dir).toBeGreaterThan(0);
      // The service keeps no file of the package (auth keeps the contract's own files, schemes.gen.go...).
      const shared = new Set(await fs.list(dir));
      for (const s of ['order', 'product']) expect((await fs.list(`services/${s}/${RUNTIME_PACKAGES[p]}`)).filter((f) => shared.has(f)), `${s}: ${p}`).toEqual([]);
    }
  });

  it('gives each service its own go.mod requiring the root module, and svc.yaml naming the platform', async () => {
    const fs = await platform();
    const mod = (await fs.read('services/order/go.mod'))!;
    expect(mod).toMatch(/^module example\.com\/shop\/services\/order$/m);
    expect(mod).toMatch(/^\texample\.com\/shop v0\.0\.0$/m);
    expect(mod).toMatch(/^replace example\.com\/shop v0\.0\.0 => \.\.\/\.\.$/m);
    const s = await readSettings(new SubFileSystem(fs, 'services/order'), 'services/order');
    expect(s.platform).toEqual({ name: 'shop', module: 'example.com/shop', root: '../..' });
    expect(await fs.read('services/order/.golangci.yml')).toMatch(/local-prefixes:\n\s+- example\.com\/shop\n/);
  });

  it("writes the platform's root files for its services: compose, overlays, charts, Makefile, CI", async () => {
    const fs = await platform();
    const compose = parse((await fs.read('docker-compose.yml'))!) as { services: Record<string, unknown> };
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['order', 'product']));
    const dev = parse((await fs.read('deployments/dev/kustomization.yaml'))!) as { resources: string[] };
    expect(dev.resources).toEqual(expect.arrayContaining(['../../services/order/deployments/base', '../../services/product/deployments/base']));
    const umbrella = parse((await fs.read('infrastructure/helm/shop/Chart.yaml'))!) as { dependencies: { name: string }[] };
    expect(umbrella.dependencies.map((d) => d.name).sort()).toEqual(['order', 'product']);
    expect(await fs.read('infrastructure/helm/order/Chart.yaml')).toBeDefined();
    expect(await fs.read('Makefile')).toMatch(/^test-order:/m);
    expect(await fs.read('.github/workflows/ci.yml')).toBeDefined();
  });

  it("declares every root file in the platform target's table, with its owner", async () => {
    const fs = await platform();
    const services = await Promise.all(['order', 'product'].map(async (name) => {
      const settings = await readSettings(new SubFileSystem(fs, `services/${name}`), name);
      const model = buildModel(await loadContract(`/x/${settings.contract.path}`, 'openapi', await fs.read(`services/${name}/${settings.contract.path}`), settings.contract.path), name);
      return { settings, model };
    }));
    const root = renderPlatformRoot({ kind: 'platform', name: 'shop', module: 'example.com/shop' }, services);
    expect(root.length).toBeGreaterThan(100);
    expect(undeclared(platformRootTarget.files, platformRootTarget.render({ root }))).toEqual([]);
  });

  it('refuses a second service of the same name, and a service command outside a platform', async () => {
    const fs = await platform();
    await expect(addService({ dir: DIR, fs, service: { name: 'order' } })).rejects.toThrow(/services\/order already exists/);
    await expect(addService({ dir: '/x', fs: new MemoryFileSystem(), service: { name: 'order' } })).rejects.toThrow(/is not an svc platform/);
  });

  it('refuses a client of a service the platform lacks, or of the caller itself, writing nothing', async () => {
    const fs = await platform();
    const before = fs.writes;
    await expect(addClient({ dir: DIR, fs, other: 'nosuch', to: 'order' })).rejects.toThrow(/has no service nosuch/);
    await expect(addClient({ dir: DIR, fs, other: 'order', to: 'order' })).rejects.toThrow(/does not need a client of itself/);
    expect(fs.writes).toBe(before);
  });

  it('changes nothing when generated again unchanged', async () => {
    const fs = await platform();
    const r = await genPlatform({ dir: DIR, fs });
    const c = countActions(r.plan);
    expect([c.create, c.overwrite, c.delete, c.conflict]).toEqual([0, 0, 0, 0]);
    expect(r.modules).toEqual([]);
  });

  it('describes the services for the root files: ports, database, calls', () => {
    const base = { module: 'x', contract: { kind: 'openapi' as const, path: 'c.yaml' }, deploy: { image: 'r/x' } as never };
    const p = platformOf({ kind: 'platform', name: 'shop', module: 'example.com/shop' }, [
      { ...base, name: 'order', features: { transports: ['http'], database: 'memory' }, clients: { product: { contract: '../product/productproto/openapi/product.yaml' }, stripe: { contract: 'stripe.yaml' } } },
      { ...base, name: 'product', features: { transports: ['http'], database: 'sql' } },
    ]);
    expect(p.services.map((s) => [s.name, s.calls, s.database, s.envPrefix, s.ports.http])).toEqual([
      ['order', ['product'], 'memory', 'ORDER', 8080],
      ['product', [], 'sql', 'PRODUCT', 8080],
    ]);
  });
});

describe('svc add service --from', () => {
  it('moves a single service in: its files, its own code importing the shared runtime, go.mod requiring the root', async () => {
    const from = join(mkdtempSync(join(tmpdir(), 'svc-move-')), 'billing');
    await newService({ name: 'billing', dir: from, fs: new DiskFileSystem(from) });
    const service = join(from, 'internal', 'service', 'service.go');
    writeFileSync(service, readFileSync(service, 'utf8').replace('package service\n', 'package service\n\nimport "example.com/billing/internal/logging"\n\nvar _ = logging.RequestIDFrom\n'));
    const fs = new MemoryFileSystem();
    await newPlatform({ name: 'shop', module: 'example.com/shop', dir: DIR, fs });
    const r = await moveService({ dir: DIR, fs, name: 'billing', from });
    expect(r.reports).toEqual([]);
    expect(await fs.read('services/billing/internal/service/service.go')).toContain('import "example.com/shop/shared/pkg/logging"');
    expect(await fs.list('services/billing/internal/logging')).toEqual([]);
    expect(await fs.read('services/billing/go.mod')).toMatch(/^replace example\.com\/shop v0\.0\.0 => \.\.\/\.\.$/m);
    expect(await fs.read('services/billing/.golangci.yml')).toMatch(/local-prefixes:\n\s+- example\.com\/shop\n\s+- example\.com\/billing\n/);
    expect(await fs.read('go.work')).toContain('./services/billing');
    await expect(moveService({ dir: DIR, fs, name: 'other', from })).rejects.toThrow(/is the service billing, not other/);
  }, 60_000);
});

describe('requirePlatform', () => {
  const ref = { name: 'shop', module: 'example.com/shop', root: '../..' };
  it('adds the requirement and the versioned replace once', () => {
    const once = requirePlatform('module example.com/billing\n\ngo 1.22\n\nrequire (\n\tgo.uber.org/zap v1.27.0\n)\n', ref);
    expect(once).toBe('module example.com/billing\n\ngo 1.22\n\nrequire (\n\texample.com/shop v0.0.0\n\tgo.uber.org/zap v1.27.0\n)\n\nreplace example.com/shop v0.0.0 => ../..\n');
    expect(requirePlatform(once, ref)).toBe(once);
  });
});

describe('go.work', () => {
  it('uses the root and every service, sorted', () => {
    expect(goWork(['services/b', 'services/a'])).toContain('use (\n\t.\n\t./services/a\n\t./services/b\n)\n');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ObjectDecl, ServiceModel } from '../../src/model/types.js';
import { cacheResourceName, renderCachedRepositories } from '../../src/render/go/cache.js';
import { GoModel, type ServiceSettings } from '../../src/render/go/gomodel.js';
import { renderService } from '../../src/render/index.js';

const STARTER = readFileSync(new URL('../../fixtures/starter/expected/productproto/openapi/product.yaml', import.meta.url), 'utf8');

const SETTINGS: ServiceSettings = { name: 'product', module: 'example.com/product', contract: 'product.yaml', contractKind: 'openapi' };

async function starter(): Promise<ServiceModel> {
  const loaded = await loadContract('/virtual/product.yaml', 'openapi', STARTER, 'product.yaml');
  return buildModel(loaded, 'product');
}

function render(model: ServiceModel, settings: ServiceSettings = SETTINGS): Map<string, string> {
  return new Map(renderCachedRepositories(new GoModel(model, settings)).map((a) => [a.path, a.content]));
}

/** The starter with Product's identifier of an integer type, assigned by the database. */
async function integerKeyed(scalar: 'int32' | 'int64'): Promise<ServiceModel> {
  const model = await starter();
  const product = model.types.find((t) => t.name === 'Product') as ObjectDecl;
  product.fields.find((f) => f.name === 'id')!.type = { kind: 'scalar', scalar };
  model.resources[0]!.idAssignment = 'database';
  return model;
}

describe('cached repositories', () => {
  it('wraps each repository in a cache-aside decorator, with its test', async () => {
    const files = render(await starter());
    expect([...files.keys()]).toEqual(['internal/repository/product_cache.gen.go', 'internal/repository/product_cache_gen_test.go']);
    const code = files.get('internal/repository/product_cache.gen.go')!;
    expect(code).toContain('import (\n\t"context"\n\t"strconv"\n\t"time"\n\n\t"example.com/product/internal/cache"\n\t"example.com/product/pkg/models"\n)');
    expect(code).toContain('\tloads   cache.Group\n');
    expect(code).toContain('var _ ProductRepository = (*CachedProductRepository)(nil)');
    expect(code).toContain(
      'func NewCachedProductRepository(inner ProductRepository, c cache.Cache, ttl time.Duration, service string) *CachedProductRepository {\n' +
        '\treturn &CachedProductRepository{inner: inner, cache: c, ttl: ttl, service: service}\n}',
    );
  });

  it('reads a record through the cache, one load at a time, unless bypassed', async () => {
    const code = render(await starter()).get('internal/repository/product_cache.gen.go')!;
    expect(code).toContain(
      'func (r *CachedProductRepository) Get(ctx context.Context, id string) (*models.Product, error) {\n' +
        '\tif r.bypassed(ctx) {\n' +
        '\t\treturn r.inner.Get(ctx, id)\n' +
        '\t}\n' +
        '\treturn cache.Load(ctx, r.cache, &r.loads, r.recordKey(id), r.ttl, func(ctx context.Context) (*models.Product, error) {\n' +
        '\t\treturn r.inner.Get(ctx, id)\n' +
        '\t})\n}',
    );
    expect(code).toContain('\treturn cache.Key(r.service, "product", "id", id)\n');
  });

  it('caches list pages under a generation that every write drops', async () => {
    const code = render(await starter()).get('internal/repository/product_cache.gen.go')!;
    expect(code).toContain(
      '\tgeneration := cache.Generation(ctx, r.cache, r.listGenerationKey(), r.ttl)\n' +
        '\tkey := cache.Key(r.service, "product", "list", generation, page.Token, strconv.Itoa(page.limit()))\n',
    );
    expect(code).toContain('\treturn cache.Key(r.service, "product", "listgen")\n');
    expect(code).toContain('\terr := r.inner.Create(ctx, product)\n\tr.loads.Forget()\n\tr.cache.Delete(ctx, r.listGenerationKey())\n\treturn err\n');
    expect(code).toContain('\terr := r.inner.Update(ctx, product)\n\tr.Invalidate(ctx, product.ID)\n\treturn err\n');
    expect(code).toContain('\terr := r.inner.Delete(ctx, id)\n\tr.Invalidate(ctx, id)\n\treturn err\n');
    expect(code).toContain(
      'func (r *CachedProductRepository) Invalidate(ctx context.Context, id string) {\n' +
        '\tkey := r.recordKey(id)\n\tr.loads.Forget(key)\n\tr.cache.Delete(ctx, key, r.listGenerationKey())\n}',
    );
  });

  it('formats integer identifiers into keys', async () => {
    const wide = render(await integerKeyed('int64')).get('internal/repository/product_cache.gen.go')!;
    expect(wide).toContain('func (r *CachedProductRepository) Get(ctx context.Context, id int64) (*models.Product, error) {');
    expect(wide).toContain('\treturn cache.Key(r.service, "product", "id", strconv.FormatInt(id, 10))\n');
    const narrow = render(await integerKeyed('int32')).get('internal/repository/product_cache.gen.go')!;
    expect(narrow).toContain('\treturn cache.Key(r.service, "product", "id", strconv.FormatInt(int64(id), 10))\n');
  });

  it('tests the decorator with the repository suite and two replicas', async () => {
    const test = render(await starter()).get('internal/repository/product_cache_gen_test.go')!;
    expect(test).toContain('\t\ttestProductRepository(t, NewCachedProductRepository(NewMemoryProductRepository(), openCache(), time.Minute, "test"))\n');
    expect(test).toContain('\t\tb.Invalidate(ctx, first.ID)\n\t\t_, err = b.Get(ctx, first.ID)\n');
  });

  it('imports the cache runtime from the platform that shares it', async () => {
    const code = render(await starter(), { ...SETTINGS, module: 'example.com/shop/services/product', platformModule: 'example.com/shop' }).get(
      'internal/repository/product_cache.gen.go',
    )!;
    expect(code).toContain('\t"example.com/shop/services/product/pkg/models"\n\t"example.com/shop/shared/pkg/cache"\n');
  });

  it('names a resource in keys and settings in snake case', async () => {
    const model = await starter();
    expect(cacheResourceName({ ...model.resources[0]!, name: 'OrderItem' })).toBe('order_item');
    expect(cacheResourceName(model.resources[0]!)).toBe('product');
  });
});

describe('the cache in a service', () => {
  it('comes with the runtime package and the decorators only when the service caches', async () => {
    const model = await starter();
    const without = renderService(model, SETTINGS).map((a) => a.path);
    expect(without.filter((p) => p.includes('cache'))).toEqual([]);
    const paths = renderService(model, { ...SETTINGS, cache: 'redis' }).map((a) => a.path);
    expect(paths).toEqual(expect.arrayContaining(['internal/cache/cache.go', 'internal/cache/redis.go', 'internal/cache/redis_test.go', 'internal/repository/product_cache.gen.go']));
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryFileSystem } from '../src/fs/memory.js';
import { genApi } from '../src/pipeline/gen.js';
import { newService } from '../src/pipeline/new.js';

const CONTRACT = 'productproto/openapi/product.yaml';

async function starter(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await newService({ name: 'product', module: 'example.com/product', dir: '/virtual/product', fs, transports: ['http'], database: 'memory' });
  return fs;
}

async function editContract(fs: MemoryFileSystem, edit: (text: string) => string): Promise<void> {
  const text = (await fs.read(CONTRACT))!;
  const next = edit(text);
  expect(next).not.toBe(text);
  await fs.write(CONTRACT, next);
}

const regen = (fs: MemoryFileSystem, dryRun = false) => genApi({ dir: '/virtual/product', fs, dryRun });

describe('svc gen api after the contract changed', () => {
  it('adds a stub for a new operation and leaves the user files alone', async () => {
    const fs = await starter();
    await fs.write('internal/service/get_product.go', '// my own code\n');
    await editContract(fs, (t) =>
      t.replace(
        '  /products/{id}:\n',
        "  /products/{id}/archive:\n    post:\n      operationId: archiveProduct\n      tags: [products]\n      parameters:\n        - $ref: '#/components/parameters/ProductID'\n      responses:\n        '204':\n          description: Archived.\n  /products/{id}:\n",
      ),
    );
    const result = await regen(fs);
    const actions = Object.fromEntries(result.plan.changes.map((c) => [c.artifact.path, c.action]));
    expect(actions['internal/service/archive_product.go']).toBe('create');
    expect(actions['internal/service/get_product.go']).toBe('skip');
    expect(actions['internal/service/api.gen.go']).toBe('overwrite');
    expect(await fs.read('internal/service/get_product.go')).toBe('// my own code\n');
    expect(await fs.read('internal/service/archive_product.go')).toMatch(/apperrors\.NotImplemented\("ArchiveProduct"\)/);
  });

  it('deletes the unedited stub of an operation removed from the contract', async () => {
    const fs = await starter();
    await editContract(fs, (t) => t.replace(/    delete:\n      operationId: deleteProduct[\s\S]*?(?=components:)/, ''));
    const result = await regen(fs);
    expect(result.plan.changes.filter((c) => c.action === 'delete').map((c) => c.artifact.path)).toEqual(['internal/service/delete_product.go']);
    expect(await fs.read('internal/service/delete_product.go')).toBeUndefined();
    expect(result.reports).toEqual([]);
    expect(result.buildBroken).toBe(false);
    expect((await regen(fs)).written).toEqual([]);
  });

  it('reports the edited stub of a removed operation while it exists, as a build breaker, and keeps it', async () => {
    const fs = await starter();
    const stub = `${await fs.read('internal/service/delete_product.go')}\n// my notes\n`;
    await fs.write('internal/service/delete_product.go', stub);
    const line = stub.split('\n').findIndex((l) => l.startsWith('func (s *Service) DeleteProduct(')) + 1;
    await editContract(fs, (t) => t.replace(/    delete:\n      operationId: deleteProduct[\s\S]*?(?=components:)/, ''));
    const result = await regen(fs);
    expect(result.reports).toEqual([
      `internal/service/delete_product.go:${line}: orphan: DeleteProduct's operation is no longer in the contract, and the file was edited, so it is kept: delete the file (move what you want to keep into a file of your own first); until then the service does not compile (it uses DeleteProductRequest, no longer generated)`,
    ]);
    expect(result.buildBroken).toBe(true);
    expect(await fs.read('internal/service/delete_product.go')).toBe(stub);
    // Still there: still reported. Deleted: the report is gone.
    expect((await regen(fs)).reports).toHaveLength(1);
    await fs.remove('internal/service/delete_product.go');
    const after = await regen(fs);
    expect(after.reports).toEqual([]);
    expect(after.buildBroken).toBe(false);
    expect(after.plan.changes.map((c) => c.artifact.path)).not.toContain('internal/service/delete_product.go');
  });

  it('updates a stub that is still as svc created it when its signature changes', async () => {
    const fs = await starter();
    await editContract(fs, (t) => t.replace(/(operationId: getProduct[\s\S]*?schemas\/)Product'/, "$1ProductList'"));
    const result = await regen(fs);
    expect(result.plan.changes.find((c) => c.artifact.path === 'internal/service/get_product.go')?.action).toBe('overwrite');
    expect(await fs.read('internal/service/get_product.go')).toContain('(*models.ProductList, error)');
    expect(result.reports).toEqual([]);
  });

  it('reports the changed signature of an edited stub with the file and line to update', async () => {
    const fs = await starter();
    await fs.write('internal/service/get_product.go', `${await fs.read('internal/service/get_product.go')}\n// edited\n`);
    // getProduct now answers with the list type: its method's result type changes.
    await editContract(fs, (t) => t.replace(/(operationId: getProduct[\s\S]*?schemas\/)Product'/, "$1ProductList'"));
    const result = await regen(fs);
    expect(result.reports).toContainEqual(
      'internal/service/get_product.go:11: the operation\'s signature changed in the contract; update it to: func (s *Service) GetProduct(ctx context.Context, req GetProductRequest) (*models.ProductList, error)',
    );
    expect(result.buildBroken).toBe(true);
  });

  it('deletes the model file of a schema removed from the contract', async () => {
    const fs = await starter();
    await editContract(fs, (t) => t.replace('  schemas:\n', '  schemas:\n    Coupon:\n      type: object\n      properties:\n        code: {type: string}\n'));
    await regen(fs);
    expect(await fs.read('pkg/models/coupon.gen.go')).toMatch(/type Coupon struct/);
    await editContract(fs, (t) => t.replace(/    Coupon:\n[\s\S]*?code: \{type: string\}\n/, ''));
    const result = await regen(fs);
    expect(result.plan.changes.filter((c) => c.action === 'delete').map((c) => c.artifact.path)).toEqual(['pkg/models/coupon.gen.go']);
    expect(await fs.read('pkg/models/coupon.gen.go')).toBeUndefined();
    expect((await regen(fs)).written).toEqual([]);
  });

  it('--dry-run plans the same changes and writes nothing', async () => {
    const fs = await starter();
    await editContract(fs, (t) => t.replace('maxLength: 2000\n          description: Longer', 'maxLength: 3000\n          description: Longer'));
    const writes = fs.writes;
    const result = await regen(fs, true);
    expect(result.plan.changes.filter((c) => c.action === 'overwrite').map((c) => c.artifact.path)).toEqual(['pkg/models/product.gen.go']);
    expect(fs.writes).toBe(writes);
  });
});

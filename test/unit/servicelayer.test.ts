import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ServiceModel } from '../../src/model/types.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { renderServiceLayer } from '../../src/render/go/service.js';

const STARTER = readFileSync(new URL('../../fixtures/starter/expected/productproto/openapi/product.yaml', import.meta.url), 'utf8');

async function starter(edit: (text: string) => string = (t) => t): Promise<ServiceModel> {
  const loaded = await loadContract('/virtual/product.yaml', 'openapi', edit(STARTER), 'product.yaml');
  return buildModel(loaded, 'product');
}

function render(model: ServiceModel): Map<string, string> {
  const gm = new GoModel(model, { name: 'product', module: 'example.com/product', contract: 'product.yaml', contractKind: 'openapi' });
  return new Map(renderServiceLayer(gm).map((a) => [a.path, a.content]));
}

describe('the service layer: generated CRUD helpers beside user-owned stubs', () => {
  it('states the operation each stub implements', async () => {
    const model = await starter();
    const gm = new GoModel(model, { name: 'product', module: 'example.com/product', contract: 'product.yaml', contractKind: 'openapi' });
    const update = renderServiceLayer(gm).find((a) => a.path === 'internal/service/update_product.go')!;
    expect(update.owner).toBe('user');
    expect(update.operation).toEqual({ method: 'UpdateProduct', receiver: 'Service', identity: 'PATCH /products/{}', derived: ['UpdateProductRequest'] });
  });

  it('gives a UUID to a new record by default', async () => {
    const files = render(await starter());
    expect(files.get('internal/service/product_crud.gen.go')).toContain('\t\tID:          uuid.NewString(),\n');
    expect(files.get('internal/service/create_product.go')).toContain('\tproduct := newProduct(req)\n');
  });

  it('leaves a database-assigned identifier to the repository', async () => {
    const model = await starter();
    model.resources[0]!.idAssignment = 'database';
    const crud = render(model).get('internal/service/product_crud.gen.go')!;
    expect(crud).not.toMatch(/ID:|uuid/);
    expect(crud).toContain('no identifier (the database assigns it)');
  });

  it('takes a client-chosen identifier from the create request', async () => {
    // ProductInput gains the id the client chooses.
    const model = await starter((t) => t.replace(/( {4}ProductInput:\n(?: {6}.*\n)*? {6}properties:\n)/, '$1        id:\n          type: string\n          format: uuid\n'));
    model.resources[0]!.idAssignment = 'client';
    const crud = render(model).get('internal/service/product_crud.gen.go')!;
    // Optional in the body, so copied when sent.
    expect(crud).toContain('\tif req.Body.ID != nil {\n\t\tproduct.ID = *req.Body.ID\n\t}\n');
    expect(crud).not.toContain('uuid.NewString');
  });
});

import { describe, expect, it } from 'vitest';
import { loadOpenAPI } from '../../src/load/openapi.js';
import { starterContract } from '../../src/pipeline/new.js';

// `svc new` without a contract loads the starter without checking it against
// the OpenAPI schema (loadOpenAPI's schemaChecked): this is that check, for
// names of every shape a service may have.
describe('the starter contract', () => {
  for (const name of ['product', 'order-items', 'a', 'svc2', 'user-accounts-v2']) {
    it(`is a valid OpenAPI document for ${name}`, async () => {
      const checked = await loadOpenAPI(`/virtual/${name}.yaml`, starterContract(name));
      const trusted = await loadOpenAPI(`/virtual/${name}.yaml`, starterContract(name), undefined, { schemaChecked: true });
      expect(trusted.document).toEqual(checked.document);
    });
  }

  it('would be refused if it were not', async () => {
    const broken = starterContract('product').replace(/^info:/m, 'infos: 1\ninfo:');
    await expect(loadOpenAPI('/virtual/product.yaml', broken)).rejects.toThrow(/infos/);
  });
});

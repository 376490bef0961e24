import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ObjectDecl } from '../../src/model/types.js';
import { starterContract } from '../../src/pipeline/new.js';

async function modelOf(text: string, name = 'product') {
  const loaded = await loadContract('/virtual/contract.yaml', 'openapi', text, 'contract.yaml');
  return buildModel(loaded, name);
}

describe('model built from the starter contract', () => {
  it('has the five CRUD operations with their methods, paths and success statuses', async () => {
    const model = await modelOf(starterContract('product'));
    expect(model.operations.map((o) => [o.name, o.method, o.path, o.success.status])).toEqual([
      ['createProduct', 'POST', '/products', 201],
      ['listProducts', 'GET', '/products', 200],
      ['getProduct', 'GET', '/products/{id}', 200],
      ['updateProduct', 'PATCH', '/products/{id}', 200],
      ['deleteProduct', 'DELETE', '/products/{id}', 204],
    ]);
    expect(model.warnings).toEqual([]);
  });

  it('recognises the Product resource and its list shape', async () => {
    const model = await modelOf(starterContract('product'));
    expect(model.resources).toMatchObject([
      {
        name: 'Product',
        plural: 'products',
        entity: 'Product',
        idField: 'id',
        operations: { get: 'getProduct', create: 'createProduct', update: 'updateProduct', delete: 'deleteProduct', list: 'listProducts' },
        recognisedBy: 'rest',
        list: {
          responseType: 'ProductList',
          itemsField: 'items',
          nextTokenField: 'next_page_token',
          pageSizeParam: 'page_size',
          pageTokenParam: 'page_token',
          defaultPageSize: 20,
          maxPageSize: 100,
        },
      },
    ]);
  });

  it('keeps required, read-only, constraints and enum references on fields', async () => {
    const model = await modelOf(starterContract('product'));
    const product = model.types.find((t) => t.name === 'Product') as ObjectDecl;
    const field = (n: string) => product.fields.find((f) => f.name === n)!;
    expect(field('id')).toMatchObject({ required: true, readOnly: true, type: { kind: 'scalar', scalar: 'uuid' } });
    expect(field('description')).toMatchObject({ required: false, constraints: { maxLength: 2000 } });
    expect(field('price')).toMatchObject({ required: true, type: { kind: 'scalar', scalar: 'float64' }, constraints: { minimum: 0 } });
    expect(field('status').type).toEqual({ kind: 'named', name: 'ProductStatus' });
    expect(field('tags').type).toEqual({ kind: 'array', items: { kind: 'scalar', scalar: 'string' }, itemConstraints: { minLength: 1, maxLength: 50 } });
    expect(model.types.find((t) => t.name === 'ProductStatus')).toMatchObject({ kind: 'enum', values: [{ value: 'active' }, { value: 'archived' }] });
  });

  it('names the resource after the service', async () => {
    const model = await modelOf(starterContract('order-service'), 'order-service');
    expect(model.resources.map((r) => r.name)).toEqual(['Order']);
    expect(model.operations.map((o) => o.name)).toContain('listOrders');
  });
});

describe('model building rules', () => {
  const doc = (paths: string, schemas = '{}') => `openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n${paths}\ncomponents:\n  schemas: ${schemas}\n`;

  it('names operations without operationId from method and path', async () => {
    const model = await modelOf(doc("  /widgets/{id}/parts:\n    get:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}"));
    expect(model.operations[0]!.name).toBe('getWidgetsIdParts');
  });

  it('names inline object schemas after their owner, deterministically', async () => {
    const model = await modelOf(
      doc(
        "  /a:\n    post:\n      operationId: makeA\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, properties: {inner: {type: object, properties: {x: {type: integer}}}}}\n      responses: {'204': {description: ok}}",
      ),
    );
    expect(model.types.map((t) => t.name)).toEqual(['MakeARequest', 'MakeARequestInner']);
    // The inline type is written in the file of the first type of its operation.
    expect(model.types.map((t) => t.inFileOf)).toEqual([undefined, 'MakeARequest']);
  });

  it('places the inline types of a component schema in its file', async () => {
    const model = await modelOf(
      doc(
        "  /a:\n    get:\n      operationId: getA\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}",
        '{A: {type: object, properties: {b: {type: object, properties: {c: {type: object, properties: {d: {type: string}}}}}, e: {type: string, enum: [x, y]}}}}',
      ),
    );
    expect(Object.fromEntries(model.types.map((t) => [t.name, t.inFileOf ?? null]))).toEqual({ A: null, Ab: 'A', AbC: 'A', Ae: 'A' });
  });

  it('merges allOf parts into one object', async () => {
    const model = await modelOf(
      doc("  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}}", "\n    A: {type: object, required: [x], properties: {x: {type: string}}}\n    B: {allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {y: {type: integer, format: int32}}}]}"),
    );
    const b = model.types.find((t) => t.name === 'B') as ObjectDecl;
    expect(b.fields.map((f) => [f.name, f.required])).toEqual([
      ['x', true],
      ['y', false],
    ]);
  });

  it('warns (never drops silently) where it falls back', async () => {
    const model = await modelOf(doc("  /a:\n    post:\n      requestBody: {content: {application/xml: {schema: {type: object, properties: {a: {type: string}}}}}}\n      responses: {'204': {description: ok}}"));
    expect(model.warnings.join('\n')).toMatch(/contract.yaml:\d+: postA: a application\/xml body is passed to the service as raw bytes, not decoded/);
    expect(model.operations[0]!.body).toEqual({ type: { kind: 'scalar', scalar: 'bytes' }, required: false, contentType: 'application/xml' });
  });

  it('turns oneOf/anyOf into a union, with the discriminator mapping', async () => {
    const model = await modelOf(
      doc(
        "  /a:\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}",
        "\n    Cat: {type: object, properties: {kind: {type: string}}}\n    Dog: {type: object, properties: {kind: {type: string}}}\n    Pet: {oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}], discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat'}}}\n    MaybeText: {oneOf: [{type: string}]}",
      ),
    );
    expect(model.types.find((t) => t.name === 'Pet')).toEqual({
      kind: 'union',
      name: 'Pet',
      discriminator: 'kind',
      variants: [
        { type: { kind: 'named', name: 'Cat' }, tags: ['cat'], constraints: {} },
        { type: { kind: 'named', name: 'Dog' }, tags: ['Dog'], constraints: {} },
      ],
    });
    // A oneOf with a single variant is just that type.
    expect(model.types.find((t) => t.name === 'MaybeText')).toMatchObject({ kind: 'alias', type: { kind: 'scalar', scalar: 'string' } });
  });
});

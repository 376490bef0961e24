import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HttpRule, RpcField, RpcMessage, RpcMethod, RpcModel } from '../../src/model/rpc.js';
import { deriveOpenAPI, integerPattern } from '../../src/render/openapi/fromproto.js';

const PKG = 'shop.v1';
const FILE = 'shop/v1/shop.proto';

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

let number = 0;
function field(name: string, type: string, extra: Partial<RpcField> = {}): RpcField {
  const kind = extra.kind ?? (type.includes('.') ? 'message' : 'scalar');
  return { name, jsonName: camel(name), number: ++number, type, kind, repeated: false, optional: false, behaviors: [], ...extra };
}

function message(name: string, fields: RpcField[], extra: Partial<RpcMessage> = {}): RpcMessage {
  return { name, fullName: `${PKG}.${name}`, file: FILE, fields, oneofs: [], ...extra };
}

function method(name: string, input: string, output: string, http: HttpRule[], extra: Partial<RpcMethod> = {}): RpcMethod {
  return {
    name,
    input: input.includes('.') ? input : `${PKG}.${input}`,
    output: output.includes('.') ? output : `${PKG}.${output}`,
    clientStreaming: false,
    serverStreaming: false,
    http,
    location: `${FILE}:1`,
    ...extra,
  };
}

const product = message(
  'Product',
  [
    field('name', 'string', { comment: 'The resource name, `products/{product}`.' }),
    field('id', 'int64', { behaviors: ['OUTPUT_ONLY'] }),
    field('title', 'string', { behaviors: ['REQUIRED'], comment: 'Shown to customers.' }),
    field('price', 'double'),
    field('state', `${PKG}.Product.State`, { kind: 'enum' }),
    field('labels', 'string', { mapKey: 'string' }),
    field('tags', 'string', { repeated: true }),
    field('create_time', 'google.protobuf.Timestamp', { behaviors: ['OUTPUT_ONLY'] }),
    field('ttl', 'google.protobuf.Duration'),
    field('attributes', 'google.protobuf.Struct'),
    field('extra', 'google.protobuf.Value'),
    field('list', 'google.protobuf.ListValue'),
    field('details', 'google.protobuf.Any'),
    field('nickname', 'google.protobuf.StringValue'),
    field('count', 'google.protobuf.Int32Value'),
    field('discount_percent', 'float', { oneof: 'pricing' }),
    field('coupon_code', 'string', { oneof: 'pricing' }),
    field('parent', `${PKG}.Product`),
    field('variants', `${PKG}.Variant`, { repeated: true }),
    field('variants_by_sku', `${PKG}.Variant`, { mapKey: 'string' }),
    field('data', 'bytes'),
    field('stock', 'uint32'),
    field('total', 'fixed64'),
    field('weight', 'float', { jsonName: 'weightKg' }),
  ],
  { comment: 'A product for sale.', oneofs: [{ name: 'pricing', fields: ['discount_percent', 'coupon_code'] }] },
);

const messages: RpcMessage[] = [
  product,
  message('Variant', [field('sku', 'string', { behaviors: ['REQUIRED'] }), field('size', 'int32')]),
  message('GetProductRequest', [field('name', 'string', { behaviors: ['REQUIRED'] })]),
  message('CreateProductRequest', [field('product', `${PKG}.Product`, { behaviors: ['REQUIRED'] }), field('product_id', 'string')]),
  message('UpdateProductRequest', [field('product', `${PKG}.Product`), field('update_mask', 'google.protobuf.FieldMask')]),
  message('DeleteProductRequest', [field('name', 'string'), field('etag', 'string')]),
  message('ListProductsRequest', [
    field('parent', 'string'),
    field('page_size', 'int32', { comment: 'At most this many.' }),
    field('page_token', 'string'),
    field('filter', `${PKG}.ListFilter`),
    field('states', `${PKG}.Product.State`, { kind: 'enum', repeated: true }),
    field('order', 'string', { mapKey: 'string' }),
    field('read_time', 'google.protobuf.Timestamp'),
  ]),
  message('ListFilter', [
    field('min_price', 'double'),
    field('state', `${PKG}.Product.State`, { kind: 'enum' }),
    field('variant', `${PKG}.Variant`),
  ]),
  message('ListProductsResponse', [field('products', `${PKG}.Product`, { repeated: true }), field('next_page_token', 'string')]),
  message('ArchiveProductRequest', [field('name', 'string'), field('reason', 'string', { behaviors: ['REQUIRED'] })]),
  message('SearchProductsRequest', [field('query', 'string')]),
  message('WatchProductsRequest', [field('filter', 'string')]),
  message('ProductEvent', [field('product', `${PKG}.Product`), field('kind', 'string')]),
  message('GetFileRequest', [field('name', 'string')]),
  message('File', [field('content', 'bytes')]),
  message('Unused', [field('x', 'string')]),
];

const rpc: RpcModel = {
  files: [{ path: FILE, package: PKG, origin: 'contract', library: false, text: '', imports: [] }],
  messages: Object.fromEntries(messages.map((m) => [m.fullName, m])),
  enums: {
    [`${PKG}.Product.State`]: {
      name: 'State',
      fullName: `${PKG}.Product.State`,
      file: FILE,
      comment: 'Where a product is in its life.',
      values: [
        { name: 'STATE_UNSPECIFIED', number: 0 },
        { name: 'ACTIVE', number: 1, comment: 'For sale.' },
        { name: 'ARCHIVED', number: 2 },
      ],
    },
  },
  services: [
    {
      name: 'ProductService',
      fullName: `${PKG}.ProductService`,
      file: FILE,
      comment: 'Manages products.',
      methods: [
        method('GetProduct', 'GetProductRequest', 'Product', [{ method: 'GET', path: '/v1/{name=products/*}' }], {
          comment: 'Gets a product.\nFails with NOT_FOUND when there is none.',
        }),
        method('CreateProduct', 'CreateProductRequest', 'Product', [{ method: 'POST', path: '/v1/products', body: 'product' }]),
        method('UpdateProduct', 'UpdateProductRequest', 'Product', [{ method: 'PATCH', path: '/v1/{product.name=products/*}', body: 'product' }]),
        method('DeleteProduct', 'DeleteProductRequest', 'google.protobuf.Empty', [{ method: 'DELETE', path: '/v1/{name=products/*}' }]),
        method('ListProducts', 'ListProductsRequest', 'ListProductsResponse', [
          { method: 'GET', path: '/v1/products' },
          { method: 'GET', path: '/v1/{parent=shops/*}/products' },
        ]),
        method('ArchiveProduct', 'ArchiveProductRequest', 'Product', [{ method: 'POST', path: '/v1/{name=products/*}:archive', body: '*' }]),
        method('SearchProducts', 'SearchProductsRequest', 'ListProductsResponse', [
          { method: 'POST', path: '/v1/products:search', body: '*', responseBody: 'products' },
        ]),
        method('WatchProducts', 'WatchProductsRequest', 'ProductEvent', [{ method: 'GET', path: '/v1/products:watch' }], { serverStreaming: true }),
        method('ImportProducts', 'Product', 'google.protobuf.Empty', [{ method: 'POST', path: '/v1/products:import', body: '*' }], { clientStreaming: true }),
        method('GetFile', 'GetFileRequest', 'File', [{ method: 'GET', path: '/v1/{name=files/**}' }]),
        method('Internal', 'GetProductRequest', 'Product', []),
      ],
    },
  ],
};

type Doc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
  tags: any[];
  info: any;
};

let text: string;
let doc: Doc;

beforeAll(() => {
  text = deriveOpenAPI(rpc, { title: 'Shop', version: '1.0.0', description: 'The shop API.' });
  doc = parse(text) as Doc;
});

// Values as protojson reads and writes them.
const NUL = '^[^\\u0000]*$';
const STR = { type: 'string', pattern: NUL };
const num = (format: string) => ({ type: 'integer', format, minimum: expect.any(Number), maximum: expect.any(Number) });
const digits = (format: string) => ({ type: 'string', format, pattern: expect.stringMatching(/^\^\(0\|/) });
const INT32 = { anyOf: [num('int32'), digits('int32')] };
const UINT32 = { anyOf: [num('uint32'), digits('uint32')] };
const INT64 = { anyOf: [digits('int64'), num('int64')] };
const UINT64 = { anyOf: [digits('uint64'), num('uint64')] };
const FLOATS = '^(NaN|-?Infinity|-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,6})?)$';
const DOUBLE = { anyOf: [{ type: 'number', format: 'double' }, { type: 'string', pattern: FLOATS }] };
const FLOAT = { anyOf: [{ type: 'number', format: 'float', minimum: -3.4028234663852886e38, maximum: 3.4028234663852886e38 }, { type: 'string', pattern: FLOATS }] };
const BYTES = { type: 'string', format: 'byte', pattern: '^[A-Za-z0-9+/_-]*={0,2}$' };

const param = (path: string, verb: string, name: string) => doc.paths[path]![verb].parameters.find((p: { name: string }) => p.name === name);

describe('deriveOpenAPI', () => {
  it('starts with the generated-code header and is valid OpenAPI 3.0.3', async () => {
    expect(text.split('\n').slice(0, 3)).toEqual([
      '# Code generated by svc. DO NOT EDIT.',
      "# Derived from the proto's google.api.http bindings by svc.",
      'openapi: 3.0.3',
    ]);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    // swagger-parser checks OpenAPI 3 against its JSON schema only: check the path parameters here.
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        const params = (op.parameters ?? []) as { name: string; in: string }[];
        expect(params.filter((p) => p.in === 'path').map((p) => p.name), path).toEqual(inPath);
        expect(new Set(params.map((p) => `${p.in} ${p.name}`)).size, path).toBe(params.length);
      }
    }
    expect(doc.info).toEqual({ title: 'Shop', version: '1.0.0', description: 'The shop API.' });
    expect(doc.tags).toEqual([{ name: 'ProductService', description: 'Manages products.' }]);
  });

  it('is deterministic', () => {
    expect(deriveOpenAPI(rpc, { title: 'Shop', version: '1.0.0', description: 'The shop API.' })).toBe(text);
  });

  it('has one operation per binding, in declaration order, skipping client streaming and unbound methods', () => {
    expect(Object.keys(doc.paths)).toEqual([
      '/v1/products/{product}',
      '/v1/products',
      '/v1/shops/{shop}/products',
      '/v1/products/{product}:archive',
      '/v1/products:search',
      '/v1/products:watch',
      '/v1/files/{name}',
    ]);
    expect(Object.keys(doc.paths['/v1/products/{product}']!)).toEqual(['get', 'patch', 'delete']);
    expect(Object.keys(doc.paths['/v1/products']!)).toEqual(['post', 'get']);
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids).toEqual([
      'ProductService_GetProduct',
      'ProductService_UpdateProduct',
      'ProductService_DeleteProduct',
      'ProductService_CreateProduct',
      'ProductService_ListProducts',
      'ProductService_ListProducts_1',
      'ProductService_ArchiveProduct',
      'ProductService_SearchProducts',
      'ProductService_WatchProducts',
      'ProductService_GetFile',
    ]);
  });

  it('describes a GET with a resource name in the path', () => {
    const op = doc.paths['/v1/products/{product}']!.get;
    expect(op.summary).toBe('Gets a product.');
    expect(op.description).toBe('Fails with NOT_FOUND when there is none.');
    expect(op.tags).toEqual(['ProductService']);
    expect(op.parameters).toEqual([
      { name: 'product', in: 'path', required: true, description: 'Part of the `name` field, `products/{product}`.', schema: { type: 'string' } },
    ]);
    expect(op.requestBody).toBeUndefined();
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/shop.v1.Product' });
    expect(op.responses.default).toEqual({
      description: 'An error, as RFC 9457 problem details.',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });

  it('sends a body field, the other fields as query parameters', () => {
    const create = doc.paths['/v1/products']!.post;
    expect(create.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/shop.v1.Product' } } } });
    expect(create.parameters).toEqual([{ name: 'productId', in: 'query', schema: STR }]);

    const update = doc.paths['/v1/products/{product}']!.patch;
    expect(update.parameters).toEqual([
      { name: 'product', in: 'path', required: true, description: 'Part of the `product.name` field, `products/{product}`.', schema: { type: 'string' } },
      { name: 'updateMask', in: 'query', schema: { type: 'string', description: 'Comma-separated field paths in lowerCamelCase.' } },
    ]);
    expect(update.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/shop.v1.Product' });
  });

  it('answers a DELETE with an empty object', () => {
    const op = doc.paths['/v1/products/{product}']!.delete;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['product', 'etag']);
    expect(op.responses['200'].content['application/json'].schema).toEqual({ type: 'object', description: 'An empty JSON object.' });
  });

  it('turns the fields of a bodiless request into query parameters', () => {
    const op = doc.paths['/v1/products']!.get;
    expect(op.parameters).toEqual([
      { name: 'parent', in: 'query', schema: STR },
      { name: 'pageSize', in: 'query', description: 'At most this many.', schema: INT32 },
      { name: 'pageToken', in: 'query', schema: STR },
      { name: 'filter.minPrice', in: 'query', schema: DOUBLE },
      { name: 'filter.state', in: 'query', schema: { $ref: '#/components/schemas/shop.v1.Product.State' } },
      { name: 'states', in: 'query', schema: { type: 'array', items: { $ref: '#/components/schemas/shop.v1.Product.State' } } },
      { name: 'readTime', in: 'query', schema: { type: 'string', format: 'date-time' } },
    ]);
    // The additional binding takes `parent` from the path.
    const extra = doc.paths['/v1/shops/{shop}/products']!.get;
    expect(extra.description).toBe('An additional binding of ProductService.ListProducts.');
    expect(extra.parameters[0]).toEqual({
      name: 'shop',
      in: 'path',
      required: true,
      description: 'Part of the `parent` field, `shops/{shop}`.',
      schema: { type: 'string' },
    });
    expect(extra.parameters.map((p: { name: string }) => p.name)).not.toContain('parent');
  });

  it('sends the whole request minus path fields for body "*"', () => {
    const op = doc.paths['/v1/products/{product}:archive']!.post;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['product']);
    expect(op.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { reason: { type: 'string', minLength: 1, pattern: NUL } },
      required: ['reason'],
    });
    const search = doc.paths['/v1/products:search']!.post;
    expect(search.parameters).toBeUndefined();
    expect(search.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/shop.v1.SearchProductsRequest' });
  });

  it('answers with the response_body field', () => {
    const op = doc.paths['/v1/products:search']!.post;
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/shop.v1.Product' },
    });
  });

  it('describes a server stream as a JSON array', () => {
    const op = doc.paths['/v1/products:watch']!.get;
    expect(op.responses['200'].description).toMatch(/JSON array/);
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/shop.v1.ProductEvent' },
    });
    expect(param('/v1/products:watch', 'get', 'filter')).toEqual({ name: 'filter', in: 'query', schema: STR });
  });

  it('names a rest wildcard after the field', () => {
    expect(param('/v1/files/{name}', 'get', 'name')).toEqual({
      name: 'name',
      in: 'path',
      required: true,
      description: 'Part of the `name` field, `files/{name}`. May contain "/".',
      schema: { type: 'string' },
    });
  });

  it('has the reachable messages and enums as sorted components', () => {
    expect(Object.keys(doc.components.schemas)).toEqual([
      'Problem',
      'shop.v1.File',
      'shop.v1.ListProductsResponse',
      'shop.v1.Product',
      'shop.v1.Product.State',
      'shop.v1.ProductEvent',
      'shop.v1.SearchProductsRequest',
      'shop.v1.Variant',
    ]);
    expect(doc.components.schemas.Problem.properties).toHaveProperty('detail');
    expect(Object.keys(doc.components.schemas.Problem.properties)).toEqual(['type', 'title', 'status', 'detail', 'instance']);
  });

  it('maps fields the way protojson writes them', () => {
    const p = doc.components.schemas['shop.v1.Product'];
    expect(p.description).toBe('A product for sale.');
    expect(p.required).toEqual(['title']);
    const props = p.properties;
    expect(Object.keys(props)).toContain('createTime');
    expect(Object.keys(props)).toContain('weightKg');
    expect(props.name).toEqual({ ...STR, description: 'The resource name, `products/{product}`.' });
    expect(props.id).toEqual({ ...INT64, readOnly: true });
    // REQUIRED (AIP-203: present and non-empty): the empty string reads as unset and is refused.
    expect(props.title).toEqual({ type: 'string', minLength: 1, pattern: NUL, description: 'Shown to customers.' });
    expect(props.price).toEqual(DOUBLE);
    expect(props.state).toEqual({ $ref: '#/components/schemas/shop.v1.Product.State' });
    expect(props.labels).toEqual({ type: 'object', additionalProperties: STR });
    expect(props.tags).toEqual({ type: 'array', items: STR });
    expect(props.createTime).toEqual({ type: 'string', format: 'date-time', readOnly: true });
    expect(props.ttl).toEqual({ type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$', description: 'A duration in seconds, e.g. `1.5s`.' });
    expect(props.attributes).toEqual({ type: 'object', additionalProperties: true });
    expect(props.extra).toEqual({ description: 'Any JSON value.' });
    expect(props.list).toEqual({ type: 'array', items: {} });
    // protojson reads and writes {} for an empty Any, and resolves @type among the linked types.
    expect(props.details).toMatchObject({ type: 'object', additionalProperties: true });
    expect(props.details.required).toBeUndefined();
    expect(props.details.properties['@type'].enum).toContain('type.googleapis.com/shop.v1.Product');
    expect(props.details.properties['@type'].enum).toHaveLength(messages.length);
    expect(props.nickname).toEqual({ ...STR, nullable: true });
    expect(props.count).toEqual({ anyOf: [{ ...num('int32'), nullable: true }, digits('int32')] });
    expect(props.discountPercent).toEqual({
      ...FLOAT,
      description: 'Mutually exclusive with `couponCode` (oneof `pricing`): set at most one.',
    });
    expect(props.couponCode.description).toBe('Mutually exclusive with `discountPercent` (oneof `pricing`): set at most one.');
    // The service refuses two members of a oneof: the schema says so.
    expect(p.not).toEqual({ required: ['discountPercent', 'couponCode'] });
    expect(props.parent).toEqual({ $ref: '#/components/schemas/shop.v1.Product' });
    expect(props.variants).toEqual({ type: 'array', items: { $ref: '#/components/schemas/shop.v1.Variant' } });
    expect(props.variantsBySku).toEqual({ type: 'object', additionalProperties: { $ref: '#/components/schemas/shop.v1.Variant' } });
    expect(props.data).toEqual(BYTES);
    expect(props.stock).toEqual(UINT32);
    expect(props.total).toEqual(UINT64);
    // Ranges are written exactly, not as rounded doubles.
    expect(text).toContain('minimum: -9223372036854775808\n');
    expect(text).toContain('maximum: 18446744073709551615\n');
  });

  it('describes enums by value name', () => {
    // protojson reads a name or any int32 (proto3 enums are open) and writes the name.
    expect(doc.components.schemas['shop.v1.Product.State']).toEqual({
      anyOf: [{ type: 'string', enum: ['STATE_UNSPECIFIED', 'ACTIVE', 'ARCHIVED'] }, num('int32')],
      description: 'Where a product is in its life.\n\n- `ACTIVE`: For sale.',
    });
  });

  it('wraps a described $ref in allOf', () => {
    const withComment: RpcModel = structuredClone(rpc);
    withComment.messages['shop.v1.Product']!.fields.find((f) => f.name === 'parent')!.comment = 'The product this one is a variant of.';
    withComment.messages['shop.v1.Product']!.fields.find((f) => f.name === 'state')!.behaviors = ['OUTPUT_ONLY'];
    const props = (parse(deriveOpenAPI(withComment, { title: 'Shop', version: '1' })) as Doc).components.schemas['shop.v1.Product'].properties;
    expect(props.parent).toEqual({ allOf: [{ $ref: '#/components/schemas/shop.v1.Product' }], description: 'The product this one is a variant of.' });
    expect(props.state).toEqual({ allOf: [{ $ref: '#/components/schemas/shop.v1.Product.State' }], readOnly: true });
  });

  it('types a path parameter bound to a whole scalar field by that field', async () => {
    const model: RpcModel = {
      ...rpc,
      messages: { ...rpc.messages, 'shop.v1.GetVariantRequest': message('GetVariantRequest', [field('id', 'int32'), field('product', `${PKG}.Product`)]) },
      services: [
        {
          name: 'Variants',
          fullName: `${PKG}.Variants`,
          file: FILE,
          methods: [method('GetVariant', 'GetVariantRequest', 'Variant', [{ method: 'GET', path: '/v1/products/{product.id}/variants/{id}' }])],
        },
      ],
    };
    const d = parse(deriveOpenAPI(model, { title: 'T', version: '1' })) as Doc;
    await SwaggerParser.validate(structuredClone(d) as never);
    expect(d.paths['/v1/products/{id}/variants/{id2}']!.get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'The `product.id` field.', schema: INT64 },
      { name: 'id2', in: 'path', required: true, description: 'The `id` field.', schema: INT32 },
      { name: 'product.name', in: 'query', description: 'The resource name, `products/{product}`.', schema: STR },
      { name: 'product.title', in: 'query', required: true, description: 'Shown to customers.', schema: { type: 'string', minLength: 1, pattern: NUL } },
      { name: 'product.price', in: 'query', schema: DOUBLE },
      { name: 'product.state', in: 'query', schema: { $ref: '#/components/schemas/shop.v1.Product.State' } },
      { name: 'product.tags', in: 'query', schema: { type: 'array', items: STR } },
      { name: 'product.ttl', in: 'query', schema: { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$', description: 'A duration in seconds, e.g. `1.5s`.' } },
      { name: 'product.nickname', in: 'query', schema: { ...STR, nullable: true } },
      { name: 'product.count', in: 'query', schema: { anyOf: [{ ...num('int32'), nullable: true }, digits('int32')] } },
      {
        name: 'product.discountPercent',
        in: 'query',
        description: 'Mutually exclusive with `couponCode` (oneof `pricing`): set at most one.',
        schema: FLOAT,
      },
      {
        name: 'product.couponCode',
        in: 'query',
        description: 'Mutually exclusive with `discountPercent` (oneof `pricing`): set at most one.',
        schema: STR,
      },
      { name: 'product.data', in: 'query', schema: BYTES },
      { name: 'product.stock', in: 'query', schema: UINT32 },
      { name: 'product.total', in: 'query', schema: UINT64 },
      { name: 'product.weightKg', in: 'query', schema: FLOAT },
    ]);
  });

  it('reports bindings to fields the request does not have', () => {
    const model: RpcModel = {
      ...rpc,
      services: [
        {
          name: 'Bad',
          fullName: `${PKG}.Bad`,
          file: FILE,
          methods: [method('Get', 'GetProductRequest', 'Product', [{ method: 'GET', path: '/v1/{nope}' }])],
        },
      ],
    };
    expect(() => deriveOpenAPI(model, { title: 'T', version: '1' })).toThrow(
      'shop/v1/shop.proto:1: Bad.Get: the path binds "nope", which is not a field of shop.v1.GetProductRequest',
    );
  });

  it('leaves out a binding ServeMux cannot route, as the gateway does', () => {
    const model: RpcModel = {
      ...rpc,
      services: [
        {
          name: 'Odd',
          fullName: `${PKG}.Odd`,
          file: FILE,
          methods: [method('Get', 'GetProductRequest', 'Product', [{ method: 'GET', path: '/v1/{name=**}/x' }, { method: 'GET', path: '/v2/{name=**}' }])],
        },
      ],
    };
    const doc = deriveOpenAPI(model, { title: 'T', version: '1' });
    expect(doc).not.toContain('/x:');
    expect(doc).toContain('/v2/{name}:');
  });

  it('bounds integer strings to the type\'s range exactly', () => {
    const range = (bits: bigint, signed: boolean) => (signed ? [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n] : [0n, 2n ** bits - 1n]) as [bigint, bigint];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (const [bits, signed] of [[32n, true], [32n, false], [64n, true], [64n, false]] as const) {
      const [min, max] = range(bits, signed);
      const re = new RegExp(integerPattern(min, max));
      const nonZero = new RegExp(integerPattern(min, max, true));
      const inside = [min, max, 0n, 1n, max - 1n, min + 1n, max / 7n, min / 3n];
      const outside = [max + 1n, min - 1n, max * 10n, min * 10n - 1n];
      for (let i = 0; i < 300; i++) {
        // Numbers of every length, near the bounds and anywhere.
        const digits = String(next()) + String(next()) + String(next());
        const n = BigInt(digits.slice(0, 1 + (next() % digits.length)));
        (n >= min && n <= max ? inside : outside).push(n);
        if (min < 0n) (-n >= min && -n <= max ? inside : outside).push(-n);
      }
      for (const n of inside) {
        expect(re.test(n.toString()), `${n} in ${bits}/${signed}`).toBe(true);
        expect(nonZero.test(n.toString()), `${n} non-zero`).toBe(n !== 0n);
      }
      for (const n of outside) expect(re.test(n.toString()), `${n} out of ${bits}/${signed}`).toBe(false);
      // Only the decimal forms protojson and strconv agree on.
      for (const t of ['', '-', '+1', '01', '-0', '1.0', '1e3', ' 1', '0x10']) expect(re.test(t), t).toBe(false);
    }
  });

  it('leaves out the zero value of a REQUIRED field without presence, as validation refuses it', () => {
    const model: RpcModel = structuredClone(rpc);
    const req = (name: string, type: string, extra: Partial<RpcField> = {}) => field(name, type, { behaviors: ['REQUIRED'], ...extra });
    model.messages['shop.v1.SearchProductsRequest'] = message('SearchProductsRequest', [
      req('count', 'int64'),
      req('ratio', 'double'),
      req('flag', 'bool'),
      req('state', `${PKG}.Product.State`, { kind: 'enum' }),
      req('blob', 'bytes'),
      req('names', 'string', { repeated: true }),
      req('labels', 'string', { mapKey: 'string' }),
      req('limit', 'int32', { optional: true }),
      req('code', 'string', { oneof: 'choice' }),
      req('variant', `${PKG}.Variant`),
    ]);
    const props = (parse(deriveOpenAPI(model, { title: 'T', version: '1' })) as Doc).components.schemas['shop.v1.SearchProductsRequest'].properties;
    const count = props.count.anyOf;
    expect(new RegExp(count[0].pattern).test('0')).toBe(false);
    expect(new RegExp(count[0].pattern).test('-5')).toBe(true);
    expect(count[1].not).toEqual({ enum: [0] });
    expect(props.ratio.anyOf[0].not).toEqual({ enum: [0] });
    expect(props.ratio.anyOf[1].pattern).toBe('^(NaN|-?Infinity)$');
    expect(props.flag).toEqual({ type: 'boolean', enum: [true] });
    expect(props.state).toEqual({ allOf: [{ $ref: '#/components/schemas/shop.v1.Product.State' }], not: { enum: ['STATE_UNSPECIFIED', 0] } });
    expect(props.blob.minLength).toBe(1);
    expect(props.names).toEqual({ type: 'array', items: STR, minItems: 1 });
    expect(props.labels).toEqual({ type: 'object', additionalProperties: STR, minProperties: 1 });
    // Presence (optional, oneof, messages): the zero value is a value.
    expect(props.limit).toEqual(INT32);
    expect(props.code.minLength).toBeUndefined();
    expect(props.variant).toEqual({ $ref: '#/components/schemas/shop.v1.Variant' });
  });

  it('declares the page tokens and update masks of the methods svc serves', () => {
    const d = parse(
      deriveOpenAPI(rpc, { title: 'T', version: '1' }, {
        pagedLists: new Set(['shop.v1.ProductService.ListProducts']),
        updateMasks: new Map([['shop.v1.ProductService.UpdateProduct', ['title', 'price']]]),
        createIds: new Map([['shop.v1.ProductService.CreateProduct', 'product_id']]),
      }),
    ) as Doc;
    const token = d.paths['/v1/products']!.get.parameters.find((p: { name: string }) => p.name === 'pageToken').schema;
    const re = new RegExp(token.pattern);
    for (const t of ['', 'YQ', 'YWI', 'YWJj', 'c2hlbHZlcy8x', 'a-_b']) expect(re.test(t), t).toBe(true);
    for (const t of ['Y', 'YQ==', 'a b', 'YWJjZ', 'é']) expect(re.test(t), t).toBe(false);
    const mask = new RegExp(d.paths['/v1/products/{product}']!.patch.parameters.find((p: { name: string }) => p.name === 'updateMask').schema.pattern);
    for (const t of ['', 'title', 'title,price']) expect(mask.test(t), t).toBe(true);
    for (const t of ['*', 'name', 'title,', 'titles']) expect(mask.test(t), t).toBe(false);
    const id = new RegExp(d.paths['/v1/products']!.post.parameters.find((p: { name: string }) => p.name === 'productId').schema.pattern);
    expect(id.test('lamp-1')).toBe(true);
    expect(id.test('shelves/1')).toBe(false);
    // Without them, a token and a mask are plain strings.
    expect(param('/v1/products', 'get', 'pageToken').schema).toEqual(STR);
  });
});

import { diffLines } from 'diff';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { parseFields, resourceName } from '../../src/edit/fields.js';
import { addOpenApiOperation, addOpenApiResource, OPENAPI_RESERVED_FIELDS } from '../../src/edit/openapi.js';
import { addProtoOperation, addProtoResource, PROTO_RESERVED_FIELDS } from '../../src/edit/proto.js';
import { UsageError, UserError } from '../../src/errors.js';
import { loadOpenAPI } from '../../src/load/openapi.js';
import { loadProto } from '../../src/load/proto.js';
import { starterContract, starterProto } from '../../src/pipeline/new.js';

/** Every line of `before` is in `after`, in order and unchanged: the edit only added lines. */
function onlyAdded(before: string, after: string): string[] {
  const parts = diffLines(before, after);
  expect(parts.filter((p) => p.removed)).toEqual([]);
  return parts.filter((p) => p.added).map((p) => p.value);
}

function thrown(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    return err as UserError;
  }
  throw new Error('expected an error');
}

/** A user's contract: comments everywhere, its own quoting, a 4-space indent. */
const USER = `# The shop's contract.
openapi: 3.0.3
info:
    title: Shop   # keep me
    version: "1.0"
tags:
    -   name: shops   # the only tag
        description: Shops.
paths:
    # The shops.
    /shops:
        get:
            operationId: listShops   # lists
            tags: [shops]
            responses:
                "200":
                    description: ok
                    content:
                        application/json:
                            schema: {type: array, items: {$ref: "#/components/schemas/Shop"}}
    # trailing comment of paths
components:
    # the schemas
    schemas:
        Shop:
            type: object
            required: [id]
            properties:
                id: {type: string}
        # after Shop
    responses:
        Error:
            description: An error.
# end of file
`;

describe('--fields and resource names', () => {
  it('parses name:type pairs, lists and --required', () => {
    expect(parseFields('item:string, quantity:integer,due:date-time,tags:[]string', ['item'], OPENAPI_RESERVED_FIELDS)).toEqual([
      { name: 'item', type: 'string', list: false, required: true },
      { name: 'quantity', type: 'integer', list: false, required: false },
      { name: 'due', type: 'date-time', list: false, required: false },
      { name: 'tags', type: 'string', list: true, required: false },
    ]);
  });

  it.each([
    ['item', [], /"item" has no type/],
    ['item:text', [], /unknown type "text" for "item": use one of string, integer/],
    ['Item:string', [], /invalid field name "Item"/],
    ['a:string,,b:string', [], /an empty field/],
    ['a:string,a:integer', [], /"a" is given twice/],
    ['id:string', [], /"id" is set by the resource itself/],
    ['a:string', ['b'], /--required: "b" is not one of the fields/],
  ] as [string, string[], RegExp][])('refuses %s (exit 2)', (spec, required, message) => {
    const err = thrown(() => parseFields(spec, required, OPENAPI_RESERVED_FIELDS));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
  });

  it('makes a plural singular and refuses a bad name with exit 1', () => {
    expect(resourceName('orders')).toBe('order');
    expect(resourceName('order-items')).toBe('order-item');
    const err = thrown(() => resourceName('Order'));
    expect(err).toBeInstanceOf(UserError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/invalid resource name "Order"/);
  });
});

describe('OpenAPI: add a resource', () => {
  const starter = starterContract('shop', 'order');

  it('keeps every byte of the user contract and adds the starter-shaped resource', () => {
    const after = addOpenApiResource(USER, 'shop.yaml', starter, 'Order');
    const added = onlyAdded(USER, after).join('');
    expect(added).toMatch(/^ {4}\/orders:$/m);
    expect(added).toMatch(/^ {8}Order:$/m);
    const doc = parse(after);
    expect(Object.keys(doc.paths)).toEqual(['/shops', '/orders', '/orders/{id}']);
    expect(Object.keys(doc.components.schemas)).toEqual(['Shop', 'Order', 'OrderStatus', 'OrderInput', 'OrderUpdate', 'OrderList', 'Problem']);
    expect(doc.components.parameters.OrderID.in).toBe('path');
    // The user's Error response is kept; the missing shared ones are added.
    expect(doc.components.responses.Error.description).toBe('An error.');
    expect(Object.keys(doc.components.responses)).toEqual(['Error', 'BadRequest', 'NotFound']);
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(['shops', 'orders']);
  });

  it('is a resource the generator stores: create, get, list, update, delete of Order', async () => {
    const after = addOpenApiResource(USER, 'shop.yaml', starter, 'Order', parseFields('item:string,quantity:integer', ['item'], OPENAPI_RESERVED_FIELDS));
    const model = buildModel(await loadOpenAPI('/x/shop.yaml', after, 'shop.yaml'), 'shop');
    const order = model.resources.find((r) => r.entity === 'Order');
    expect(order?.operations).toEqual({ create: 'createOrder', get: 'getOrder', list: 'listOrders', update: 'updateOrder', delete: 'deleteOrder' });
  });

  it('with --fields: the entity keeps its identifier and timestamps around the fields; the unused status enum and the examples go', () => {
    const fields = parseFields('item:string,quantity:integer,tags:[]string', ['item'], OPENAPI_RESERVED_FIELDS);
    const doc = parse(addOpenApiResource(USER, 'shop.yaml', starter, 'Order', fields));
    const s = doc.components.schemas;
    expect(Object.keys(s.Order.properties)).toEqual(['id', 'item', 'quantity', 'tags', 'created_at', 'updated_at']);
    expect(s.Order.required).toEqual(['id', 'created_at', 'updated_at', 'item']);
    expect(s.Order.properties.quantity).toEqual({ type: 'integer', format: 'int64' });
    expect(s.Order.properties.tags).toEqual({ type: 'array', items: { type: 'string' } });
    expect(Object.keys(s.OrderInput.properties)).toEqual(['item', 'quantity', 'tags']);
    expect(s.OrderInput.required).toEqual(['item']);
    expect(s.OrderUpdate.required).toBeUndefined();
    expect(s.OrderList.properties.items.items.$ref).toBe('#/components/schemas/Order');
    expect(s.OrderStatus).toBeUndefined();
    expect(doc.paths['/orders'].post.requestBody.content['application/json'].example).toBeUndefined();
  });

  it('creates the blocks the contract lacks, in place', () => {
    const bare = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n      responses: {"200": {description: ok}}\n';
    const after = addOpenApiResource(bare, 'a.yaml', starter, 'Order');
    onlyAdded(bare, after);
    const doc = parse(after);
    expect(Object.keys(doc.components)).toEqual(['parameters', 'schemas', 'responses']);
    expect(doc.paths['/orders/{id}'].delete.operationId).toBe('deleteOrder');
  });

  it('a flow-style paths and a JSON contract are edited through the document', () => {
    const flow = 'openapi: 3.0.3\n# c\ninfo: {title: t, version: "1"}\npaths: {}\n';
    const doc = parse(addOpenApiResource(flow, 'a.yaml', starter, 'Order'));
    expect(Object.keys(doc.paths)).toEqual(['/orders', '/orders/{id}']);
    const json = JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} }, null, 2) + '\n';
    const out = addOpenApiResource(json, 'a.json', starter, 'Order');
    expect(Object.keys(JSON.parse(out).paths)).toEqual(['/orders', '/orders/{id}']);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it.each([
    ['a path', 'paths:\n  /orders:\n    get: {responses: {"200": {description: ok}}}\n', /^shop\.yaml:2: the path \/orders already exists/],
    ['a schema', 'paths: {}\ncomponents:\n  schemas:\n    OrderInput: {type: object}\n', /^shop\.yaml:4: components\.schemas\.OrderInput already exists/],
    ['an operation id', 'paths:\n  /x:\n    get:\n      operationId: getOrder\n      responses: {"200": {description: ok}}\n', /^shop\.yaml:4: the operation getOrder already exists/],
  ])('refuses a contract that already has %s, naming its line', (_what, body, message) => {
    const err = thrown(() => addOpenApiResource(body, 'shop.yaml', starter, 'Order'));
    expect(err).toBeInstanceOf(UserError);
    expect(err.format()).toMatch(message);
  });

  it('a contract that does not parse is one line with file:line', () => {
    const err = thrown(() => addOpenApiResource('paths:\n  a: [\n', 'shop.yaml', starter, 'Order'));
    expect(err.format()).toMatch(/^shop\.yaml:\d+:\d+: /);
  });
});

describe('OpenAPI: add an operation', () => {
  it('adds a new path with its path parameter, body and response schemas, tagged as the resource', () => {
    const after = addOpenApiOperation(USER, 'shop.yaml', { operationId: 'closeShop', method: 'post', path: '/shops/{shopId}/close', resource: 'shop' });
    onlyAdded(USER, after);
    const doc = parse(after);
    const op = doc.paths['/shops/{shopId}/close'].post;
    expect(op.tags).toEqual(['shops']);
    expect(op.parameters).toEqual([{ name: 'shopId', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(op.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CloseShopRequest');
    expect(op.responses.default.$ref).toBe('#/components/responses/Error');
    expect(doc.components.schemas.CloseShopResponse.type).toBe('object');
  });

  it('adds a method to an existing path; a path-level parameter is not repeated', () => {
    const starter = starterContract('shop', 'order');
    const after = addOpenApiOperation(starter, 'shop.yaml', { operationId: 'replaceOrder', method: 'put', path: '/orders/{id}' });
    onlyAdded(starter, after);
    const item = parse(after).paths['/orders/{id}'];
    expect(Object.keys(item)).toEqual(['parameters', 'get', 'patch', 'delete', 'put']);
    expect(item.put.parameters).toBeUndefined();
  });

  it.each([
    [{ operationId: 'listShops', method: 'get', path: '/other' }, /^shop\.yaml:13: the operation listShops already exists/],
    [{ operationId: 'other', method: 'get', path: '/shops' }, /^shop\.yaml:12: GET \/shops already exists/],
    [{ operationId: 'x', method: 'get', path: '/x', resource: 'order' }, /--resource order: the contract has no resource order/],
  ] as const)('refuses %j', (spec, message) => {
    expect(thrown(() => addOpenApiOperation(USER, 'shop.yaml', spec)).format()).toMatch(message);
  });
});

/** A user's proto: comments with braces, a string with a brace, two imports. */
const PROTO = `// Cart API. Not a block: } {
syntax = "proto3";

package cart.v1;

import "google/api/annotations.proto";
import "google/protobuf/empty.proto";

option go_package = "example.com/cart/cartproto;cartpb";

service CartService {
  // Reads a cart. } <- not the end
  rpc GetCart(GetCartRequest) returns (Cart) {
    option (google.api.http) = {get: "/v1/{name=carts/*}"};
  }
}

/* A cart.
   { still a comment } */
message Cart {
  string name = 1;
  string note = 2; // "}"
}

message GetCartRequest {
  string name = 1;
}
`;

describe('proto: add a resource and an operation', () => {
  const starter = starterProto('cart', 'example.com/cart', 'order');

  it('adds RPCs at the end of the service, messages at the end, the missing imports after the last one', async () => {
    const after = addProtoResource(PROTO, 'cart.proto', starter, 'Order');
    onlyAdded(PROTO, after);
    const service = after.slice(after.indexOf('service CartService {'), after.indexOf('\n}\n', after.indexOf('service CartService {')));
    expect([...service.matchAll(/rpc (\w+)/g)].map((m) => m[1])).toEqual(['GetCart', 'CreateOrder', 'GetOrder', 'ListOrders', 'UpdateOrder', 'DeleteOrder']);
    expect(after).toMatch(/import "google\/protobuf\/empty\.proto";\nimport "google\/api\/field_behavior\.proto";\nimport "google\/protobuf\/field_mask\.proto";\nimport "google\/protobuf\/timestamp\.proto";\n/);
    expect(after.trimEnd().endsWith('message DeleteOrderRequest {\n  // The order\'s resource name, `orders/{id}`.\n  string name = 1 [(google.api.field_behavior) = REQUIRED];\n}')).toBe(true);
    const loaded = await loadProto('/x/cart.proto', { text: after, displayPath: 'cart.proto', includes: [] });
    const model = buildModel(loaded, 'cart');
    expect(model.resources.find((r) => r.entity === 'Order')?.operations).toMatchObject({ create: 'CreateOrder', get: 'GetOrder', list: 'ListOrders', delete: 'DeleteOrder' });
  });

  it('with --fields: the resource name first, then the fields, then the timestamps, numbered in order', () => {
    const fields = parseFields('item:string,quantity:integer,due:date-time,tags:[]string', ['item'], PROTO_RESERVED_FIELDS);
    const after = addProtoResource(PROTO, 'cart.proto', starter, 'Order', fields);
    const message = /message Order \{[^]*?\n\}/.exec(after)![0];
    expect([...message.matchAll(/^ {2}(?:repeated )?[\w.]+ (\w+) = (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`)).toEqual([
      'name=1',
      'item=2',
      'quantity=3',
      'due=4',
      'tags=5',
      'create_time=6',
      'update_time=7',
    ]);
    expect(message).toMatch(/string item = 2 \[\(google\.api\.field_behavior\) = REQUIRED\];/);
    expect(message).not.toMatch(/enum Status/);
  });

  it('refuses a message or RPC that exists, naming its line', () => {
    expect(thrown(() => addProtoResource(PROTO, 'cart.proto', starterProto('cart', 'example.com/cart', 'cart'), 'Cart')).format()).toMatch(/^cart\.proto:20: the message Cart already exists/);
    expect(thrown(() => addProtoOperation(PROTO, 'cart.proto', { operationId: 'GetCart', method: 'get', path: '/v1/x' })).format()).toMatch(/^cart\.proto:13: the RPC GetCart already exists/);
  });

  it('an operation: the RPC with its binding at the end of the service, a request field per path variable', async () => {
    const after = addProtoOperation(PROTO, 'cart.proto', { operationId: 'checkoutCart', method: 'post', path: '/v1/{name=carts/*}:checkout' });
    onlyAdded(PROTO, after);
    expect(after).toMatch(/ {2}rpc CheckoutCart\(CheckoutCartRequest\) returns \(CheckoutCartResponse\) \{\n {4}option \(google\.api\.http\) = \{\n {6}post: "\/v1\/\{name=carts\/\*\}:checkout"\n {6}body: "\*"\n {4}\};\n {2}\}\n\}/);
    expect(after).toMatch(/message CheckoutCartRequest \{\n {2}string name = 1;\n\}/);
    const model = buildModel(await loadProto('/x/cart.proto', { text: after, displayPath: 'cart.proto', includes: [] }), 'cart');
    expect(model.operations.map((o) => o.name)).toContain('CheckoutCart');
  });
});

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ObjectDecl, ServiceModel } from '../../src/model/types.js';
import { starterProto } from '../../src/pipeline/new.js';

async function proto(text: string): Promise<ServiceModel> {
  return buildModel(await loadContract('/virtual/x.proto', 'proto', text, 'x.proto'), 'x');
}

async function library(): Promise<ServiceModel> {
  const root = resolve('fixtures/library/proto');
  return buildModel(await loadContract(resolve(root, 'library/v1/library.proto'), 'proto', undefined, undefined, [root]), 'library');
}

describe('the model of a proto contract', () => {
  it('has the types, operations and resources of the starter proto, as an OpenAPI contract would', async () => {
    const m = await proto(starterProto('product', 'example.com/product'));
    const product = m.types.find((t) => t.name === 'Product') as ObjectDecl;
    expect(product.kind).toBe('object');
    const field = (n: string) => product.fields.find((f) => f.name === n)!;
    expect(field('name')).toMatchObject({ type: { kind: 'scalar', scalar: 'string' }, required: true, readOnly: false });
    expect(field('display_name')).toMatchObject({ required: true });
    expect(field('price_minor').type).toEqual({ kind: 'scalar', scalar: 'int64' });
    expect(field('status').type).toEqual({ kind: 'named', name: 'Product.Status' });
    expect(field('tags').type).toEqual({ kind: 'array', items: { kind: 'scalar', scalar: 'string' } });
    expect(field('create_time')).toMatchObject({ type: { kind: 'scalar', scalar: 'datetime' }, readOnly: true, required: false });
    expect(m.types.find((t) => t.name === 'Product.Status')).toMatchObject({ kind: 'enum', base: 'string', values: [{ value: 'STATUS_UNSPECIFIED' }, { value: 'STATUS_ACTIVE' }, { value: 'STATUS_ARCHIVED' }] });

    const op = (n: string) => m.operations.find((o) => o.name === n)!;
    expect(op('GetProduct')).toMatchObject({
      method: 'GET',
      path: '/v1/{name}',
      group: 'ProductService',
      parameters: [{ name: 'name', in: 'path', constraints: { pattern: '^products/[^/]+$' } }],
      success: { status: 200, type: { kind: 'named', name: 'Product' } },
    });
    expect(op('CreateProduct')).toMatchObject({ method: 'POST', path: '/v1/products', body: { type: { kind: 'named', name: 'Product' } } });
    expect(op('ListProducts').parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:page_size', 'query:page_token']);
    expect(op('UpdateProduct')).toMatchObject({ method: 'PATCH', path: '/v1/{product.name}' });
    expect(op('UpdateProduct').parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:product.name', 'query:update_mask']);
    expect(op('DeleteProduct').success).toEqual({ status: 200 });

    expect(m.resources).toEqual([
      {
        name: 'Product',
        plural: 'products',
        entity: 'Product',
        idField: 'name',
        operations: { get: 'GetProduct', create: 'CreateProduct', update: 'UpdateProduct', delete: 'DeleteProduct', list: 'ListProducts' },
        list: { responseType: 'ListProductsResponse', itemsField: 'products', nextTokenField: 'next_page_token', pageSizeParam: 'page_size', pageTokenParam: 'page_token', defaultPageSize: 20, maxPageSize: 100 },
        recognisedBy: 'rpc',
      },
    ]);
    // The gRPC side knows which operation each RPC is.
    expect(m.rpc!.services[0]!.methods.map((x) => x.operation)).toEqual(['CreateProduct', 'GetProduct', 'ListProducts', 'UpdateProduct', 'DeleteProduct']);
  });

  it('recognises partial resources and keeps streaming and gRPC-only RPCs out of the operations', async () => {
    const m = await library();
    expect(m.resources.map((r) => [r.entity, r.operations])).toEqual([
      ['Book', { get: 'GetBook', create: 'CreateBook', update: 'UpdateBook', delete: 'DeleteBook', list: 'ListBooks' }],
      ['Shelf', { get: 'GetShelf', create: 'CreateShelf' }],
    ]);
    const names = m.operations.map((o) => o.name);
    expect(names).not.toContain('Reindex');
    expect(names).not.toContain('WatchEvents');
    expect(m.operations.find((o) => o.name === 'GetAttachment')).toMatchObject({ path: '/v1/attachments/{path}', parameters: [{ name: 'path', constraints: { pattern: '^.+$' } }] });
    expect(m.operations.find((o) => o.name === 'MoveBook')).toMatchObject({ path: '/v1/{name}:move', body: { type: { kind: 'named', name: 'MoveBookRequest' } } });
    expect(m.operations.find((o) => o.name === 'GetBookLabels')!.success.type).toEqual({ kind: 'map', values: { kind: 'scalar', scalar: 'string' } });
    const book = m.types.find((t) => t.name === 'Book') as ObjectDecl;
    expect(book.fields.find((f) => f.name === 'subtitle')).toMatchObject({ type: { kind: 'scalar', scalar: 'string' }, nullable: true });
    expect(book.fields.find((f) => f.name === 'formats')!.type).toEqual({ kind: 'map', values: { kind: 'named', name: 'Book.Format' } });
    expect(book.fields.find((f) => f.name === 'pages')).toMatchObject({ nullable: true });
    expect(m.types.find((t) => t.name === 'Address')).toMatchObject({ kind: 'object' });
  });

  it('reads google.api.resource: its name field identifies the resource', async () => {
    const m = await proto(`syntax = "proto3";
package t.v1;
import "google/api/annotations.proto";
import "google/api/resource.proto";
service Notes {
  rpc GetNote(GetNoteRequest) returns (Note) { option (google.api.http) = {get: "/v1/{path=notes/*}"}; }
}
message Note {
  option (google.api.resource) = { type: "t.example.com/Note" pattern: "notes/{note}" name_field: "path" };
  string path = 1;
  string text = 2;
}
message GetNoteRequest { string path = 1; }
`);
    expect(m.rpc!.messages['t.v1.Note']!.resource).toEqual({ type: 't.example.com/Note', patterns: ['notes/{note}'], nameField: 'path' });
    expect(m.resources.map((r) => [r.entity, r.idField])).toEqual([['Note', 'path']]);
  });
});

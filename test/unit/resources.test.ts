import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { recogniseResources } from '../../src/build/resources.js';
import { loadContract } from '../../src/load/index.js';
import type { Field, ObjectDecl, Operation, TypeDecl, TypeRef } from '../../src/model/types.js';

async function modelOf(text: string) {
  const loaded = await loadContract('/virtual/contract.yaml', 'openapi', text, 'contract.yaml');
  return buildModel(loaded, 'catalog');
}

const field = (name: string, type: TypeRef, required = true): Field => ({ name, type, required, nullable: false, readOnly: false, constraints: {} });
const str: TypeRef = { kind: 'scalar', scalar: 'string' };
const named = (name: string): TypeRef => ({ kind: 'named', name });
const op = (name: string, method: Operation['method'], path: string, extra: Partial<Operation> = {}): Operation => ({
  name,
  method,
  path,
  group: 'default',
  deprecated: false,
  parameters: path.includes('{') ? [{ name: /\{([^}]+)\}/.exec(path)![1]!, in: 'path', type: str, required: true, constraints: {} }] : [],
  success: { status: 200 },
  otherResponses: [],
  ...extra,
});

describe('resource recognition on the model', () => {
  const book: ObjectDecl = { kind: 'object', name: 'Book', fields: [field('id', str), field('title', str), field('version', { kind: 'scalar', scalar: 'int64' }, false)] };
  const page: ObjectDecl = { kind: 'object', name: 'ListBooksResponse', fields: [field('books', { kind: 'array', items: named('Book') }), field('next_page_token', str, false)] };
  const types = new Map<string, TypeDecl>([
    ['Book', book],
    ['ListBooksResponse', page],
  ]);
  const body = { type: named('Book'), required: true, contentType: 'application/json' };

  it('recognises AIP-style standard methods by name, whatever their paths', () => {
    // RPC-shaped paths: no collection/item pair to go by.
    const ops = [
      op('GetBook', 'POST', '/library.v1.Library/GetBook/{id}', { success: { status: 200, type: named('Book') } }),
      op('ListBooks', 'POST', '/library.v1.Library/ListBooks', { success: { status: 200, type: named('ListBooksResponse') } }),
      op('CreateBook', 'POST', '/library.v1.Library/CreateBook', { body, success: { status: 200, type: named('Book') } }),
      op('UpdateBook', 'POST', '/library.v1.Library/UpdateBook/{id}', { body, success: { status: 200, type: named('Book') } }),
      op('DeleteBook', 'POST', '/library.v1.Library/DeleteBook/{id}'),
    ];
    const [r, ...rest] = recogniseResources(ops, types);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({
      name: 'Book',
      plural: 'books',
      idField: 'id',
      recognisedBy: 'rpc',
      operations: { get: 'GetBook', list: 'ListBooks', create: 'CreateBook', update: 'UpdateBook', delete: 'DeleteBook' },
      list: { itemsField: 'books', nextTokenField: 'next_page_token' },
      concurrency: { field: 'version', kind: 'version' },
    });
  });

  it('ignores RPC names whose get does not return the named type', () => {
    const ops = [op('GetBook', 'POST', '/GetBook/{id}', { success: { status: 200, type: named('ListBooksResponse') } })];
    expect(recogniseResources(ops, types)).toEqual([]);
  });
});

describe('the x-svc-resource marker', () => {
  const doc = (paths: string) => `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
${paths}
components:
  schemas:
    Item:
      type: object
      required: [sku, name]
      properties:
        sku: {type: string}
        name: {type: string}
        etag: {type: string}
`;
  const item = "content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}";
  const sku = '[{name: sku, in: path, required: true, schema: {type: string}}]';

  it('makes a resource of operations whose paths are not a collection and its items', async () => {
    const model = await modelOf(
      doc(`  /catalog/add:
    post:
      operationId: addItem
      x-svc-resource: items
      requestBody: {required: true, ${item}}
      responses: {'201': {description: ok, ${item}}}
  /catalog/item/{sku}:
    get:
      operationId: fetchItem
      x-svc-resource: {name: items, method: get}
      parameters: ${sku}
      responses: {'200': {description: ok, ${item}}}
    delete:
      operationId: dropItem
      x-svc-resource: items
      parameters: ${sku}
      responses: {'204': {description: gone}}`),
    );
    expect(model.warnings).toEqual([]);
    expect(model.resources).toEqual([
      {
        name: 'Item',
        plural: 'items',
        entity: 'Item',
        idField: 'sku',
        operations: { get: 'fetchItem', create: 'addItem', delete: 'dropItem' },
        recognisedBy: 'marker',
        concurrency: { field: 'etag', kind: 'etag' },
      },
    ]);
  });

  it('x-svc-resource: false keeps an operation out of a resource', async () => {
    const model = await modelOf(
      doc(`  /items/{sku}:
    get:
      operationId: getItem
      x-svc-resource: false
      parameters: ${sku}
      responses: {'200': {description: ok, ${item}}}`),
    );
    expect(model.resources).toEqual([]);
  });

  it('warns about a marked resource it cannot honour, and rejects a bad marker', async () => {
    const model = await modelOf(
      doc(`  /items:
    post:
      operationId: addItem
      x-svc-resource: items
      requestBody: {required: true, ${item}}
      responses: {'201': {description: ok, ${item}}}`),
    );
    expect(model.resources).toEqual([]);
    expect(model.warnings).toEqual(['x-svc-resource: "items" is not a resource: it has no get operation']);
    await expect(
      modelOf(
        doc(`  /items:
    get:
      x-svc-resource: {name: items, method: fetch}
      responses: {'204': {description: ok}}`),
      ),
    ).rejects.toThrow(/x-svc-resource method must be one of create, get, list, update, delete/);
  });
});

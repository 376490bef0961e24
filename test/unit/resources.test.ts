import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { recogniseResources } from '../../src/build/resources.js';
import { FIXTURES_DIR } from '../../src/devtools/fixtures.js';
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
  security: [],
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
        // The create body requires the identifier: the client chooses it.
        idAssignment: 'client',
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
    expect(model.warnings).toEqual(['x-svc-resource: "items" is not a resource: it has no get operation, nor a list and a create']);
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

describe('resources as real APIs have them', () => {
  const int64: TypeRef = { kind: 'scalar', scalar: 'int64' };
  const int32: TypeRef = { kind: 'scalar', scalar: 'int32' };
  const intParam = (type: TypeRef) => ({ parameters: [{ name: 'id', in: 'path' as const, type, required: true, constraints: {} }] });
  const json = (name: string) => ({ type: named(name), required: true, contentType: 'application/json' });
  const returns = (type: TypeRef, status = 200) => ({ success: { status, type } });
  const types = (...decls: ObjectDecl[]) => new Map<string, TypeDecl>(decls.map((d) => [d.name, d]));
  const pet: ObjectDecl = { kind: 'object', name: 'Pet', fields: [field('id', int64), field('name', str), field('tag', str, false)] };
  const newPet: ObjectDecl = { kind: 'object', name: 'NewPet', fields: [field('name', str), field('tag', str, false)] };

  it('keys a resource by an integer the database assigns, and stores it without update', () => {
    const ops = [
      op('getPet', 'GET', '/pets/{id}', { ...intParam(int64), ...returns(named('Pet')) }),
      op('addPet', 'POST', '/pets', { body: json('NewPet'), ...returns(named('Pet'), 201) }),
      op('deletePet', 'DELETE', '/pets/{id}', { ...intParam(int64), success: { status: 204 } }),
    ];
    expect(recogniseResources(ops, types(pet, newPet))).toEqual([
      { name: 'Pet', plural: 'pets', entity: 'Pet', idField: 'id', idAssignment: 'database', operations: { get: 'getPet', create: 'addPet', delete: 'deletePet' }, recognisedBy: 'rest' },
    ]);
  });

  it('refuses an item path whose parameter has another type than the identifier, saying which', () => {
    const warnings: string[] = [];
    const ops = [op('getPet', 'GET', '/pets/{id}', { ...intParam(int32), ...returns(named('Pet')), resourceMarker: { name: 'pets' } })];
    expect(recogniseResources(ops, types(pet), warnings)).toEqual([]);
    expect(warnings).toEqual(['x-svc-resource: "pets" is not a resource: the path parameter id of getPet does not have the type of Pet.id']);
    // Without a marker, the paths alone make nothing of it either.
    expect(recogniseResources([{ ...ops[0]!, resourceMarker: undefined } as Operation], types(pet))).toEqual([]);
  });

  it('lets the client choose a string identifier when the create body requires it', () => {
    const country: ObjectDecl = { kind: 'object', name: 'Country', fields: [field('code', str), field('name', str)] };
    const optional: ObjectDecl = { kind: 'object', name: 'CountryDraft', fields: [field('code', str, false), field('name', str)] };
    const at = (body: string) => [
      op('getCountry', 'GET', '/countries/{code}', returns(named('Country'))),
      op('createCountry', 'POST', '/countries', { body: json(body), ...returns(named('Country'), 201) }),
    ];
    expect(recogniseResources(at('Country'), types(country, optional))[0]).toMatchObject({ idField: 'code', idAssignment: 'client' });
    // An optional identifier in the body leaves it to the service.
    expect(recogniseResources(at('CountryDraft'), types(country, optional))[0]).toMatchObject({ idField: 'code', idAssignment: 'uuid' });
  });

  it('stores a collection that only lists and creates, with no item path', () => {
    const note: ObjectDecl = { kind: 'object', name: 'Note', fields: [field('id', int64), field('text', str)] };
    const input: ObjectDecl = { kind: 'object', name: 'NoteInput', fields: [field('text', str)] };
    const page: ObjectDecl = { kind: 'object', name: 'NotePage', fields: [field('items', { kind: 'array', items: named('Note') }), field('next_page_token', str, false)] };
    const ops = [
      op('listNotes', 'GET', '/notes', { ...returns(named('NotePage')), parameters: [{ name: 'page_token', in: 'query', type: str, required: false, constraints: {} }] }),
      op('createNote', 'POST', '/notes', { body: json('NoteInput'), ...returns(named('Note'), 201) }),
    ];
    expect(recogniseResources(ops, types(note, input, page))).toEqual([
      {
        name: 'Note',
        plural: 'notes',
        entity: 'Note',
        idField: 'id',
        idAssignment: 'database',
        operations: { create: 'createNote', list: 'listNotes' },
        recognisedBy: 'rest',
        list: { responseType: 'NotePage', itemsField: 'items', nextTokenField: 'next_page_token', pageTokenParam: 'page_token', defaultPageSize: 20, maxPageSize: 100 },
      },
    ]);
    // A list alone stores nothing: no record could ever be created.
    expect(recogniseResources([ops[0]!], types(note, input, page))).toEqual([]);
  });

  it('recognises the petstore-expanded example with no markers: integer ids, a bare array list sized by limit, no update', async () => {
    const model = await modelOf(readFileSync(join(FIXTURES_DIR, 'petstore', 'openapi.yaml'), 'utf8'));
    expect(model.warnings).toEqual([]);
    expect(model.resources).toEqual([
      {
        name: 'Pet',
        plural: 'pets',
        entity: 'Pet',
        idField: 'id',
        idAssignment: 'database',
        operations: { get: 'findPetById', create: 'addPet', delete: 'deletePet', list: 'findPets' },
        recognisedBy: 'rest',
        // A bare array has no next-page token: one page of `limit` records, or up to the cap.
        list: { pageSizeParam: 'limit', defaultPageSize: 1000, maxPageSize: 1000 },
      },
    ]);
    // Marked explicitly, as the issue tried it: the same resource, no warning.
    const marked = await modelOf(readFileSync(join(FIXTURES_DIR, 'petstore', 'openapi.yaml'), 'utf8').replace(/^( +)operationId: .*$/gm, '$&\n$1x-svc-resource: pets'));
    expect(marked.warnings).toEqual([]);
    expect(marked.resources).toMatchObject([{ entity: 'Pet', idAssignment: 'database', recognisedBy: 'marker', operations: { get: 'findPetById', create: 'addPet', delete: 'deletePet', list: 'findPets' } }]);
  });
});

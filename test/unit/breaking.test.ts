import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { UserError } from '../../src/errors.js';
import { breakingChanges } from '../../src/lint/breaking.js';
import { locatorFor } from '../../src/lint/locate.js';
import { apiSnapshotOf, parseApiSnapshot, serializeApiSnapshot } from '../../src/lint/snapshot.js';
import { loadContract } from '../../src/load/index.js';
import { renderApiSnapshot } from '../../src/render/apisnapshot.js';
import { goServiceTarget } from '../../src/render/targets.js';
import { ruleOf } from '../../src/render/target.js';

/** Builds a contract from text, as `svc lint` does. */
async function build(text: string, kind: 'openapi' | 'proto') {
  const file = kind === 'openapi' ? 'api.yaml' : 'api.proto';
  const loaded = await loadContract(join(import.meta.dirname, file), kind, text, file, [import.meta.dirname]);
  return { loaded, model: buildModel(loaded, 'item') };
}

/** The breaking changes from `before` to `after`, each as `file:line: message`. */
async function breaking(before: string, after: string, kind: 'openapi' | 'proto' = 'openapi'): Promise<string[]> {
  const old = parseApiSnapshot(serializeApiSnapshot(apiSnapshotOf((await build(before, kind)).model)));
  const now = await build(after, kind);
  return breakingChanges(old, apiSnapshotOf(now.model), locatorFor(now.loaded, now.model.rpc)).map(
    (b) => `${b.location?.file ?? '?'}${b.location?.line !== undefined ? `:${b.location.line}` : ''}: ${b.message}`,
  );
}

const OPENAPI = `openapi: 3.0.3
info:
  title: Items
  version: 1.0.0
paths:
  /items:
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ItemInput'
      responses:
        '201':
          description: created
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
    get:
      operationId: listItems
      parameters:
        - name: limit
          in: query
          schema:
            type: integer
      responses:
        '200':
          description: a page
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Item'
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: the item
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
components:
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id:
          type: string
        name:
          type: string
        size:
          type: integer
        kind:
          $ref: '#/components/schemas/Kind'
    ItemInput:
      type: object
      required: [name]
      properties:
        name:
          type: string
        size:
          type: integer
    Kind:
      type: string
      enum: [small, large]
`;

/** The contract with `from` replaced by `to` (which must occur). */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('breaking changes of an OpenAPI contract, each named with its line in the contract as it stands', () => {
  it('an unchanged contract has none', async () => {
    expect(await breaking(OPENAPI, OPENAPI)).toEqual([]);
  });

  it('additions are not breaking: a new operation, an optional field or parameter, an enum value, a response field', async () => {
    let after = edit(OPENAPI, '        kind:\n', '        colour:\n          type: string\n        kind:\n');
    after = edit(after, '        size:\n          type: integer\n    Kind:', '        size:\n          type: integer\n        note:\n          type: string\n    Kind:');
    after = edit(after, 'enum: [small, large]', 'enum: [small, large, huge]');
    after = edit(after, "        - name: limit\n", "        - name: cursor\n          in: query\n          schema:\n            type: string\n        - name: limit\n");
    after = edit(after, '  /items/{id}:\n', '  /archive:\n    post:\n      operationId: archiveItem\n      responses:\n        \'204\':\n          description: archived\n  /items/{id}:\n');
    expect(await breaking(OPENAPI, after)).toEqual([]);
  });

  it('a removed operation', async () => {
    const after = edit(OPENAPI, /  \/items\/\{id\}:\n[\s\S]*?(?=components:)/.exec(OPENAPI)![0], '');
    expect(await breaking(OPENAPI, after)).toEqual(['api.yaml: operation getItem (GET /items/{id}) removed']);
  });

  it('a renamed operation (same method and path)', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, 'operationId: getItem', 'operationId: fetchItem'))).toEqual([
      'api.yaml:39: operation getItem (GET /items/{id}) renamed to fetchItem: generated clients call it by its old name',
    ]);
  });

  it('a removed field, and a renamed one', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, '        kind:\n          $ref: \'#/components/schemas/Kind\'\n', ''))).toEqual(['api.yaml:56: field Item.kind removed']);
    expect(await breaking(OPENAPI, edit(OPENAPI, '        size:\n          type: integer\n        kind:', '        bulk:\n          type: integer\n        kind:'))).toEqual([
      'api.yaml:64: field Item.size removed (renamed to bulk?)',
    ]);
  });

  it('a changed field type', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, '        size:\n          type: integer\n        kind:', '        size:\n          type: string\n        kind:'))).toEqual([
      'api.yaml:64: field Item.size changed type from int64 to string',
    ]);
  });

  it('a new required field in a request type, and an optional one made required', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, '      required: [name]\n      properties:\n        name:\n          type: string\n        size:', '      required: [name, colour]\n      properties:\n        name:\n          type: string\n        colour:\n          type: string\n        size:'))).toEqual([
      'api.yaml:74: new required field ItemInput.colour, and ItemInput is sent in requests',
    ]);
    expect(await breaking(OPENAPI, edit(OPENAPI, 'required: [name]\n', 'required: [name, size]\n'))).toEqual([
      'api.yaml:74: field ItemInput.size became required, and ItemInput is sent in requests',
    ]);
  });

  it('a required field of a response made optional', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, 'required: [id, name]', 'required: [id]'))).toEqual([
      'api.yaml:62: field Item.name is no longer required, and Item is returned in responses',
    ]);
  });

  it('a new required parameter, and a parameter made required', async () => {
    const added = edit(OPENAPI, '        - name: limit\n', '        - name: owner\n          in: query\n          required: true\n          schema:\n            type: string\n        - name: limit\n');
    expect(await breaking(OPENAPI, added)).toEqual(['api.yaml:25: operation listItems: new required query parameter owner']);
    const required = edit(OPENAPI, '        - name: limit\n          in: query\n', '        - name: limit\n          in: query\n          required: true\n');
    expect(await breaking(OPENAPI, required)).toEqual(['api.yaml:25: operation listItems: query parameter limit became required']);
  });

  it('a removed enum value', async () => {
    expect(await breaking(OPENAPI, edit(OPENAPI, 'enum: [small, large]', 'enum: [small]'))).toEqual(['api.yaml:76: enum Kind: value large removed']);
  });

  it('a changed response type', async () => {
    const after = edit(OPENAPI, "                $ref: '#/components/schemas/Item'\n  /items/{id}", "                $ref: '#/components/schemas/ItemInput'\n  /items/{id}");
    expect(await breaking(OPENAPI, after)).toEqual(['api.yaml:22: operation listItems: response changed type from []Item to []ItemInput']);
  });
});

const PROTO = `syntax = "proto3";

package item.v1;

option go_package = "example.com/item/gen/item/v1;itemv1";

service ItemService {
  rpc GetItem(GetItemRequest) returns (Item);
  rpc DeleteItem(GetItemRequest) returns (Item);
}

message GetItemRequest {
  string name = 1;
}

message Item {
  enum Kind {
    KIND_UNSPECIFIED = 0;
    KIND_SMALL = 1;
  }
  string name = 1;
  string title = 2;
  int64 size = 3;
  Kind kind = 4;
}
`;

describe('breaking changes of a proto contract', () => {
  it('an unchanged contract, and an added field, have none', async () => {
    expect(await breaking(PROTO, PROTO, 'proto')).toEqual([]);
    expect(await breaking(PROTO, edit(PROTO, '  Kind kind = 4;\n', '  Kind kind = 4;\n  string note = 5;\n'), 'proto')).toEqual([]);
  });

  it('a field number changed', async () => {
    expect(await breaking(PROTO, edit(PROTO, 'int64 size = 3;', 'int64 size = 7;'), 'proto')).toEqual(['api.proto:23: field item.v1.Item.size changed number from 3 to 7']);
  });

  it('a field number reused by another field, and a field renamed under its number', async () => {
    expect(await breaking(PROTO, edit(PROTO, 'int64 size = 3;', 'bool archived = 3;'), 'proto')).toEqual([
      'api.proto:23: field number 3 of item.v1.Item reused: was size (int64), now archived (bool)',
    ]);
    expect(await breaking(PROTO, edit(PROTO, 'string title = 2;', 'string headline = 2;'), 'proto')).toEqual([
      'api.proto:22: field item.v1.Item.title renamed to headline (number 2)',
    ]);
  });

  it('a changed field type, a removed enum value, a removed rpc', async () => {
    expect(await breaking(PROTO, edit(PROTO, 'int64 size = 3;', 'int32 size = 3;'), 'proto')).toEqual(['api.proto:23: field item.v1.Item.size changed type from int64 to int32']);
    expect(await breaking(PROTO, edit(PROTO, '    KIND_SMALL = 1;\n', ''), 'proto')).toEqual(['api.proto:17: enum item.v1.Item.Kind: value KIND_SMALL removed']);
    expect(await breaking(PROTO, edit(PROTO, '  rpc DeleteItem(GetItemRequest) returns (Item);\n', ''), 'proto')).toEqual(['api.proto: rpc item.v1.ItemService/DeleteItem removed']);
  });
});

describe('the recorded API, .svc/api.yaml', () => {
  it('is the same text for the same contract, a generated file the service target declares', async () => {
    const a = renderApiSnapshot((await build(OPENAPI, 'openapi')).model);
    const b = renderApiSnapshot((await build(OPENAPI, 'openapi')).model);
    expect(a.content).toBe(b.content);
    expect(a.owner).toBe('generated');
    expect(ruleOf(goServiceTarget.files, a.path)?.pattern).toBe('.svc/api.yaml');
    expect(parseApiSnapshot(a.content)).toEqual(apiSnapshotOf((await build(OPENAPI, 'openapi')).model));
  });

  it('a file that is not one is a one-line error naming it', () => {
    expect(() => parseApiSnapshot('version: 7\n')).toThrow(UserError);
    expect(() => parseApiSnapshot('version: 7\n')).toThrow(/^\.svc\/api\.yaml: not an API record of svc/);
    expect(() => parseApiSnapshot('a: [\n')).toThrow(/^\.svc\/api\.yaml: not valid YAML/);
  });
});

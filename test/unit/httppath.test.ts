import { describe, expect, it } from 'vitest';
import { formatTemplate, parsePathTemplate, type PathTemplate } from '../../src/model/httppath.js';
import { muxRoute, type MuxRoute } from '../../src/render/go/muxroute.js';

describe('parsePathTemplate', () => {
  it.each<[string, PathTemplate]>([
    ['/', { segments: [] }],
    ['/v1/products/{id}', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'products' }, { kind: 'variable', field: 'id', segments: ['*'] }] }],
    ['/v1/products/{product.id}', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'products' }, { kind: 'variable', field: 'product.id', segments: ['*'] }] }],
    [
      '/v1/{name=projects/*/topics/*}',
      { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'variable', field: 'name', segments: [{ literal: 'projects' }, '*', { literal: 'topics' }, '*'] }] },
    ],
    ['/v1/{name=projects/**}', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'variable', field: 'name', segments: [{ literal: 'projects' }, '**'] }] }],
    [
      '/v1/{topic=projects/*/topics/*}:publish',
      {
        segments: [{ kind: 'literal', value: 'v1' }, { kind: 'variable', field: 'topic', segments: [{ literal: 'projects' }, '*', { literal: 'topics' }, '*'] }],
        verb: 'publish',
      },
    ],
    // A last literal keeps its ":" (grpc-gateway allows ":" in literals; ServeMux matches it whole).
    ['/v1/projects:search', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'projects:search' }] }],
    ['/v1/*/files/**', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'wildcard', multi: false }, { kind: 'literal', value: 'files' }, { kind: 'wildcard', multi: true }] }],
    ['/v1/*:undelete', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'wildcard', multi: false }], verb: 'undelete' }],
    ['/v1/a:b/{x}', { segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'a:b' }, { kind: 'variable', field: 'x', segments: ['*'] }] }],
  ])('%s', (path, expected) => {
    expect(parsePathTemplate(path)).toEqual(expected);
    expect(formatTemplate(parsePathTemplate(path))).toBe(path);
  });

  it.each([
    ['v1/products', 'a path template must start with "/" in "v1/products"'],
    ['', 'a path template must start with "/" in ""'],
    ['/v1/{id', 'an unclosed "{" in "/v1/{id"'],
    ['/v1/{name=projects/*/x', 'an unclosed "{" in "/v1/{name=projects/*/x"'],
    ['/v1/{}', 'an empty field path in "{}" in "/v1/{}"'],
    ['/v1/{=projects/*}', 'an empty field path in "{=projects/*}" in "/v1/{=projects/*}"'],
    ['/v1/{a..b}', 'an invalid field path "a..b" in "/v1/{a..b}"'],
    ['/v1/{name=}', 'no segments after "=" in "{name=}" in "/v1/{name=}"'],
    ['/v1/{name=a//b}', 'an empty segment in "{name=a//b}" in "/v1/{name=a//b}"'],
    ['/v1//x', 'an empty segment in "/v1//x"'],
    ['/v1/', 'a trailing "/" in "/v1/"'],
    ['/v1/id}', 'a "}" without "{" in "/v1/id}"'],
    ['/v1/a{id}', 'a "{" inside a literal segment in "/v1/a{id}"'],
    ['/v1/{id}x', 'unexpected "x" after a variable in "/v1/{id}x"'],
    ['/v1/{id}:', 'an empty verb after ":" in "/v1/{id}:"'],
    ['/v1/{id}/{id}', 'the field "id" bound twice in "/v1/{id}/{id}"'],
    ['/v1/a*b', 'a "*" inside the literal segment "a*b" in "/v1/a*b"'],
  ])('rejects %j', (path, message) => {
    expect(() => parsePathTemplate(path)).toThrow(new Error(message));
  });
});

describe('muxRoute', () => {
  it.each<[string, MuxRoute]>([
    ['/', { pattern: '/{$}', wildcards: [], bindings: [] }],
    ['/v1/products/{id}', { pattern: '/v1/products/{id}', wildcards: ['id'], bindings: [{ field: 'id', parts: [{ wildcard: 'id' }] }] }],
    ['/v1/products/{product.id}', { pattern: '/v1/products/{id}', wildcards: ['id'], bindings: [{ field: 'product.id', parts: [{ wildcard: 'id' }] }] }],
    [
      '/v1/{name=projects/*/topics/*}',
      {
        pattern: '/v1/projects/{project}/topics/{topic}',
        wildcards: ['project', 'topic'],
        bindings: [{ field: 'name', parts: [{ literal: 'projects' }, { wildcard: 'project' }, { literal: 'topics' }, { wildcard: 'topic' }] }],
      },
    ],
    ['/v1/{name=projects/**}', { pattern: '/v1/projects/{name...}', wildcards: ['name'], bindings: [{ field: 'name', parts: [{ literal: 'projects' }, { wildcard: 'name' }] }] }],
    [
      '/v1/{topic=projects/*/topics/*}:publish',
      {
        pattern: '/v1/projects/{project}/topics/{topic}',
        verb: 'publish',
        wildcards: ['project', 'topic'],
        bindings: [{ field: 'topic', parts: [{ literal: 'projects' }, { wildcard: 'project' }, { literal: 'topics' }, { wildcard: 'topic' }] }],
      },
    ],
    ['/v1/projects:search', { pattern: '/v1/projects:search', wildcards: [], bindings: [] }],
    ['/v1/*/files/**', { pattern: '/v1/{p1}/files/{p2...}', wildcards: ['p1', 'p2'], bindings: [] }],
    ['/v1/*:undelete', { pattern: '/v1/{p1}', verb: 'undelete', wildcards: ['p1'], bindings: [] }],
    // Unique names: the second `name` gets a suffix; a name ending in a digit gets "_n".
    [
      '/v1/{name=*/*}/{parent.name}',
      {
        pattern: '/v1/{name}/{name2}/{name3}',
        wildcards: ['name', 'name2', 'name3'],
        bindings: [
          { field: 'name', parts: [{ wildcard: 'name' }, { wildcard: 'name2' }] },
          { field: 'parent.name', parts: [{ wildcard: 'name3' }] },
        ],
      },
    ],
    [
      '/v1/{parent=projects/*}/{name=projects/*/locations/*}',
      {
        pattern: '/v1/projects/{project}/projects/{project2}/locations/{location}',
        wildcards: ['project', 'project2', 'location'],
        bindings: [
          { field: 'parent', parts: [{ literal: 'projects' }, { wildcard: 'project' }] },
          { field: 'name', parts: [{ literal: 'projects' }, { wildcard: 'project2' }, { literal: 'locations' }, { wildcard: 'location' }] },
        ],
      },
    ],
    ['/{p1}/*', { pattern: '/{p1}/{p1_2}', wildcards: ['p1', 'p1_2'], bindings: [{ field: 'p1', parts: [{ wildcard: 'p1' }] }] }],
    // Literal-named wildcards are sanitized into Go identifiers; a literal that is no plural names nothing.
    [
      '/v1/{name=location-ids/*/v2/*}',
      {
        pattern: '/v1/location-ids/{locationId}/v2/{name}',
        wildcards: ['locationId', 'name'],
        bindings: [{ field: 'name', parts: [{ literal: 'location-ids' }, { wildcard: 'locationId' }, { literal: 'v2' }, { wildcard: 'name' }] }],
      },
    ],
    [
      '/v1/{name=shelves/*/books/*}:borrow',
      {
        pattern: '/v1/shelves/{shelf}/books/{book}',
        verb: 'borrow',
        wildcards: ['shelf', 'book'],
        bindings: [{ field: 'name', parts: [{ literal: 'shelves' }, { wildcard: 'shelf' }, { literal: 'books' }, { wildcard: 'book' }] }],
      },
    ],
  ])('%s', (path, expected) => {
    expect(muxRoute(parsePathTemplate(path))).toEqual(expected);
  });

  it('keeps a verb after a literal inside the literal', () => {
    // A hand-built template may carry the verb separately.
    expect(muxRoute({ segments: [{ kind: 'literal', value: 'v1' }, { kind: 'literal', value: 'things' }], verb: 'batchGet' })).toEqual({
      pattern: '/v1/things:batchGet',
      wildcards: [],
      bindings: [],
    });
  });

  it('escapes "{" in literals', () => {
    expect(muxRoute({ segments: [{ kind: 'literal', value: 'a{b}' }] }).pattern).toBe('/a%7Bb}');
  });

  it.each([
    ['/v1/{name=projects/**}/topics', '"**" must be the last segment of the path "/v1/{name=projects/**}/topics"'],
    ['/v1/**/x', '"**" must be the last segment of the path "/v1/**/x"'],
    ['/v1/{name=**/x}', '"**" must be the last segment of the path "/v1/{name=**/x}"'],
  ])('rejects %s', (path, message) => {
    expect(() => muxRoute(parsePathTemplate(path))).toThrow(new Error(message));
  });
});

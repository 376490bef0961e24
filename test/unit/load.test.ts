import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { SourceFile } from '../../src/load/source.js';

async function errorOf(text: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'svc-load-'));
  const file = join(dir, 'api.yaml');
  writeFileSync(file, text);
  try {
    const loaded = await loadContract(file, 'openapi', undefined, 'api.yaml');
    buildModel(loaded, 'x');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).format();
  }
  throw new Error('expected an error');
}

const head = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

describe('contract errors name the file, line and what is wrong', () => {
  it.each([
    ['a YAML syntax error', `${head}paths:\n  /a:\n    get: [\n`, /^api\.yaml:6:1: invalid YAML\/JSON: /],
    ['a broken $ref', `${head}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n`, /^api\.yaml:8:11 \(#\/paths\/~1a\/get\/responses\/200\/\$ref\): broken \$ref "#\/components\/responses\/Nope"/],
    ['a schema violation', `${head}paths:\n  /a:\n    get:\n      responsez: {}\n`, /^api\.yaml:\d+:\d+ \(#\/paths\/~1a\/get.*\): invalid OpenAPI document: /],
    ['no version field', 'info: {title: t}\npaths: {}\n', /^api\.yaml:1: not an OpenAPI document/],
    [
      'a path parameter missing from the path',
      `${head}paths:\n  /a:\n    get:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n`,
      /^api\.yaml:5:5 \(#\/paths\/~1a\/get\): .*path parameter/,
    ],
  ])('%s', async (_name, text, want) => {
    expect(await errorOf(text)).toMatch(want);
  });

  it('says when the contract file does not exist', async () => {
    await expect(loadContract('/no/such/file.yaml', 'openapi')).rejects.toThrow(/contract file not found/);
  });
});

describe('SourceFile.locateMany', () => {
  const json = JSON.stringify(
    { openapi: '3.0.3', paths: { '/a/{id}': { get: { parameters: [{ name: 'id' }, { name: 'q', schema: { type: 'string' } }], responses: { '200': {} } } } }, tags: ['x', 'y'] },
    null,
    2,
  );
  const pointers = [
    '#/paths/~1a~1{id}/get',
    '#/paths/~1a~1{id}/get/parameters/1',
    '#/paths/~1a~1{id}/get/parameters/1/schema/type',
    '#/paths/~1a~1{id}/get/responses/200',
    '#/paths/~1a~1{id}/get/nope/deeper',
    '#/tags/1',
    '#/missing',
  ];
  it('finds what locate finds, one pointer at a time, in one scan', () => {
    const batch = SourceFile.parse('c.json', json).locateMany(pointers);
    const single = SourceFile.parse('c.json', json);
    expect(batch).toEqual(pointers.map((p) => single.locate(p)));
    expect(batch.map((l) => l.line)).toEqual([5, 10, 13, 18, 5, 25, 1]);
  });

  it('agrees with locate on escaped names, CR LF breaks, minified text, literals in arrays and skipped strings', () => {
    const doc = {
      // Off every pointer's way, skipped whole: brackets and escaped quotes in strings, a string ending in a backslash.
      skip: ['x\\', '}]', { q: '\\"[', r: [[{ '{': '"' }]] }],
      'a"b': { '\u00e9t\u00e9': [1, -2.5e3, true, null, { 'x/y': 'v"w', z: [[], {}] }] },
      'c~d': ['s', 'é', { deep: { er: 1 } }],
      n: { '': 0 },
    };
    const texts = [JSON.stringify(doc), JSON.stringify(doc, null, 2).replace(/\n/g, '\r\n'), JSON.stringify(doc, null, '\t'), JSON.stringify(doc, null, 1).replace(/"a\\"b"/, '"a\\u0022b"')];
    const ptrs = ['#/a"b', '#/a"b/été/1', '#/a"b/été/3', '#/a"b/été/4/x~1y', '#/a"b/été/4/z/1', '#/c~0d/1', '#/c~0d/2/deep/er', '#/n/', '#/a"b/été/9', '#/nope'];
    for (const text of texts) {
      const batch = SourceFile.parse('d.json', text).locateMany(ptrs);
      const single = SourceFile.parse('d.json', text);
      expect(batch, text).toEqual(ptrs.map((p) => single.locate(p)));
    }
  });
});

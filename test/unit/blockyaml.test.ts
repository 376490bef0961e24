import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stringifyBlockYaml, writeBlockYaml } from '../../src/render/blockyaml.js';

/** What the library itself writes: stringifyBlockYaml must give exactly this. */
const library = (data: Record<string, unknown>, aliasDuplicateObjects = true) => stringify(data, { lineWidth: 0, sortMapEntries: false, aliasDuplicateObjects });

// Strings that a YAML writer must quote, escape or may write plainly, in every position.
const TRICKY = [
  '',
  ' ',
  'a',
  'A',
  '_',
  '/',
  'Product',
  '[]Product',
  'map[string]int64',
  'map[string][]Tag',
  '/orgs/{org}/repos',
  'path:org',
  'query:per_page',
  'header:X-GitHub-Api-Version',
  'ends:',
  'a: b',
  'a #b',
  'a#b',
  '#a',
  '#/components/schemas/google.cloud.compute.v1.Address',
  '#/components/schemas/a-b_c/d',
  '#/',
  '#/a:b',
  '#/{a}',
  "#/a'b",
  '-',
  '-a',
  '- a',
  '?',
  '? a',
  ':a',
  ',a',
  'a,b',
  '{a}',
  '}a',
  '&a',
  '*a',
  '!a',
  '|',
  '>',
  "'a'",
  '"a"',
  "won't fix",
  'say "hi"',
  'it\'s "both"',
  '%a',
  '@a',
  '`a`',
  'null',
  'Null',
  'NULL',
  '~',
  'true',
  'True',
  'TRUE',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '0',
  '1',
  '-1',
  '+1',
  '1.5',
  '1e3',
  '0x1F',
  '0o17',
  '.5',
  '.inf',
  '-.inf',
  '.nan',
  '.NaN',
  'a ',
  ' a',
  'a\tb',
  'a\nb',
  'a\n',
  '\n',
  'a\\b',
  'tab\there',
  'é',
  'naïve',
  '日本',
  '😀',
  'a\u0085b',
  'a\u2028b',
  'a\u0000b',
  'a\u0007b',
  'a\u007fb',
  '\ufeffa',
  'x'.repeat(1025),
  `a${'-'.repeat(2000)}`,
  '<<',
  '=',
  'a/b.c-d_e{f}:g',
  'a..b',
  '---',
  '...',
  'two\nlines',
  'trailing newline\n',
  'two trailing\n\n',
  '\nleading newline',
  'blank\n\nline',
  '  indented\nblock',
  'line\n  indented',
  'tab\n\tline',
  'a: b\nc # d',
  '- item\n- item',
  'space at end \nx',
  'x\r\ny',
  'a b',
  'Gets a product.',
  'Gets a product, by ID (see [docs](https://example.com/a#b)).',
  'x: y',
  'x:y z',
  'a (b)',
  '(a) b',
  'a, b',
  'a [b] {c}',
  'trailing colon:',
  'trailing space ',
  'null value',
  'true story',
  'a "q" b',
  "it's here",
  'a # b',
  'a #b',
  'a# b',
  'a - b',
  'a -- b --- c',
  'a ... b',
  'a % b @ c ` d',
  'a | b > c',
  'a & b * c ! d',
  'a ~ b',
  'a\tb c',
  'a  b',
  '(',
  '()',
  'Null value',
  'TRUE',
  'a b:',
  'a: ',
]

const NUMBERS = [0, 1, -1, 1.5, -0, 1e21, 1e-7, 123456789012, 0.1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, -(2 ** 63), 1e16];

describe('stringifyBlockYaml', () => {
  it('writes every tricky string as the library does, as a key, a value and an item', () => {
    for (const s of TRICKY) {
      const data = { [s]: s, nested: { [s]: { type: s, required: true } }, list: [s, s], values: [s] };
      expect(stringifyBlockYaml(data), JSON.stringify(s)).toBe(library(data));
      // Written by stringifyBlockYaml itself, not handed to the library, but for a key over several lines or 1,024 characters.
      if (!s.includes('\n') && s.length <= 1024) expect(writeBlockYaml(data), JSON.stringify(s)).toBe(library(data));
    }
  });

  it('writes numbers, booleans, empty maps and arrays, and undefined entries as the library does', () => {
    const data = {
      version: 1,
      kind: 'openapi',
      numbers: NUMBERS,
      flags: { on: true, off: false },
      empty: {},
      none: [],
      gone: undefined,
      onlyGone: { a: undefined },
      deep: { a: { b: { c: { d: 'e', n: -0, f: 1e21 } } } },
    };
    expect(writeBlockYaml(data)).toBe(library(data));
    expect(writeBlockYaml({})).toBe(library({}));
  });

  it('writes bigints (a proto integer\'s bounds) as the library does, beside numbers of the same value', () => {
    const data = {
      uint32: { type: 'integer', format: 'uint32', minimum: 0n, maximum: 2n ** 32n - 1n },
      int64: { minimum: -(2n ** 63n), maximum: 2n ** 63n - 1n },
      same: { n: 1, b: 1n, items: [0n, 0, -1n, 2n ** 64n] },
    };
    expect(writeBlockYaml(data)).toBe(library(data));
  });

  it('leaves to the library what it does not write itself: shared objects, arrays of maps, nulls, non-finite numbers', () => {
    const shared = { type: 'string', required: true };
    const cases: Record<string, unknown>[] = [
      { a: shared, b: shared },
      { a: { x: shared }, b: { y: shared } },
      { a: [[1]] },
      { a: [{ b: [[1]] }] },
      { a: null },
      { a: [null] },
      { a: Number.NaN, b: Number.POSITIVE_INFINITY },
      { a: new Date(0) },
      { a: [undefined] },
      // eslint-disable-next-line no-sparse-arrays
      { a: [1, , 2] },
    ];
    for (const data of cases) {
      expect(stringifyBlockYaml(data), JSON.stringify(data)).toBe(library(data));
      expect(writeBlockYaml(data), JSON.stringify(data)).toBeUndefined();
    }
  });

  it('writes arrays of maps, nested arrays and block scalars as the library does, at every depth', () => {
    for (const s of TRICKY) {
      const item = { name: s, in: 'query', schema: { type: 'string', enum: [s, 'x'] }, description: s };
      const data = {
        [s]: [item, { [s]: s }, {}, s],
        paths: { '/a': { get: { parameters: [item, item], tags: [s], responses: { '200': { description: s } } } } },
        list: [{ first: { nested: s }, second: [s, { deep: [s, { deeper: s }] }] }],
      };
      expect(stringifyBlockYaml(data, { aliasDuplicateObjects: false }), JSON.stringify(s)).toBe(library(data, false));
      expect(stringifyBlockYaml(data), JSON.stringify(s)).toBe(library(data));
      if (!s.includes('\n') && s.length <= 1024) expect(writeBlockYaml(data, { aliasDuplicateObjects: false }), JSON.stringify(s)).toBe(library(data, false));
    }
  });

  it('writes an object met twice in full when told not to alias', () => {
    const shared = { type: 'string', values: ['a', 'b'] };
    const data = { a: shared, b: [shared, shared], c: { d: shared } };
    expect(stringifyBlockYaml(data, { aliasDuplicateObjects: false })).toBe(library(data, false));
    expect(writeBlockYaml(data, { aliasDuplicateObjects: false })).toBe(library(data, false));
    expect(writeBlockYaml(data)).toBeUndefined();
  });

  it('writes a large snapshot-shaped document as the library does', () => {
    const operations: Record<string, unknown> = {};
    // Keys over one line or 1,024 characters are left to the library.
    const single = TRICKY.filter((t) => !t.includes('\n') && t.length <= 1024);
    for (let i = 0; i < 300; i++) {
      const s = single[i % single.length]!;
      operations[`op${i}${s}`] = {
        method: 'GET',
        path: `/items/{id}/${s}`,
        params: i % 3 === 0 ? {} : { [`query:${s}`]: { type: `[]${s}`, required: i % 2 === 0 } },
        ...(i % 5 === 0 ? { body: { type: s, required: false } } : {}),
        response: i % 7 === 0 ? undefined : `map[string]${s}`,
      };
    }
    const types = { Enum: { kind: 'enum', values: [...TRICKY, ...NUMBERS] }, Union: { kind: 'union', variants: ['A', '[]B'] } };
    const data = { version: 1, kind: 'openapi', operations, types };
    expect(writeBlockYaml(data)).toBe(library(data));
  });
});

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stringifyBlockYaml } from '../../src/render/blockyaml.js';

/** What the library itself writes: stringifyBlockYaml must give exactly this. */
const library = (data: Record<string, unknown>) => stringify(data, { lineWidth: 0, sortMapEntries: false });

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
];

const NUMBERS = [0, 1, -1, 1.5, -0, 1e21, 1e-7, 123456789012, 0.1, Number.MAX_SAFE_INTEGER];

describe('stringifyBlockYaml', () => {
  it('writes every tricky string as the library does, as a key, a value and an item', () => {
    for (const s of TRICKY) {
      const data = { [s]: s, nested: { [s]: { type: s, required: true } }, list: [s, s], values: [s] };
      expect(stringifyBlockYaml(data), JSON.stringify(s)).toBe(library(data));
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
    expect(stringifyBlockYaml(data)).toBe(library(data));
    expect(stringifyBlockYaml({})).toBe(library({}));
  });

  it('leaves to the library what it does not write itself: shared objects, arrays of maps, nulls, non-finite numbers', () => {
    const shared = { type: 'string', required: true };
    const cases: Record<string, unknown>[] = [
      { a: shared, b: shared },
      { a: { x: shared }, b: { y: shared } },
      { a: [{ b: 1 }] },
      { a: [[1]] },
      { a: null },
      { a: [null] },
      { a: Number.NaN, b: Number.POSITIVE_INFINITY },
      { a: new Date(0) },
      { a: 'multi\nline', b: ['x\ny'] },
    ];
    for (const data of cases) expect(stringifyBlockYaml(data), JSON.stringify(data)).toBe(library(data));
  });

  it('writes a large snapshot-shaped document as the library does', () => {
    const operations: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) {
      const s = TRICKY[i % TRICKY.length]!;
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
    expect(stringifyBlockYaml(data)).toBe(library(data));
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { UserError } from '../../src/errors.js';
import { alignColumns, formatDocComments, keyedElements } from '../../src/render/go/format.js';
import { GoFile, comment, docComment } from '../../src/render/go/gofile.js';
import { renderService } from '../../src/render/index.js';

/**
 * Property: whatever text a contract carries in its descriptions and
 * comments, the Go files svc writes are the ones gofmt prints. Fuzzed texts
 * (quotes, '' and ``, backquote runs, list markers, headings, indented
 * lines, URLs, link definitions, doc links, tabs, CR/LF mixes, non-ASCII,
 * very long words, comment markers, control characters) go through the real
 * emitters (OpenAPI and proto contracts rendered by renderService, and
 * GoFile/comment/docComment placed as the emitters place them); every file
 * is written to one folder and real `gofmt -l` checks them all in one run.
 * The cases come from fast-check with a fixed seed, so a failure reproduces;
 * SVC_FUZZ_RUNS, SVC_FUZZ_CONTRACTS and SVC_FUZZ_SEED change the numbers and the seed.
 */
const RUNS = Number(process.env.SVC_FUZZ_RUNS ?? 1000); // comments placed in Go files (fast)
const CONTRACT_RUNS = Number(process.env.SVC_FUZZ_CONTRACTS ?? Math.ceil(RUNS / 40)); // contracts rendered whole (about 0.3 s each)
const SEED = Number(process.env.SVC_FUZZ_SEED ?? 20261205);
const hasGofmt = spawnSync('gofmt', ['-h']).error === undefined;

const FRAGMENTS = [
  "''", '``', '```', '````', "'", '`', '"', "it''s", '``quoted\'\'', "'''", '*/', '/*', '//', '//go:generate x', 'line 1',
  '- ', '* ', '+ ', '• ', '1. ', '2) ', '10.', '3.', '-', '#', '# ', '#\t', '## Heading', 'Title Case', "The Service's API v1.2", 'Example 1:',
  '\t', '    ', '  ', '\n', '\n\n', '\r\n', '\r', '\n\t', '\n    ', '\n- ', '\n1. ', '\n# ', '\n\n  indented code\n\n', '\n}\n', '{', '}', '\\',
  'http://example.com/a', "https://example.com/x''y", 'https://a.b/c_(d)', 'mailto://me@x.org.', 'ftp://h', 'file://', 'xhttp://y.z', '(http://p.q/r)',
  '[x]: http://example.com/x', '[x]', '[a b]', '[os]', '[os.File]', '[net/http.Client]', '[*bytes.Buffer]', '[Name]', '[x]:', '[', ']',
  'é', 'e\u0301', '日本語', '😀', 'Ünïcödé', '\u00a0', '\u2028', '\u3000', '\x85', '\x00', '\x07', '\x7f', '\ufeff', '\u200b',
  'x'.repeat(90), 'Word', 'word', 'a', ':', ';', '.', ',', '!', '?',
];
const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const text = fc.array(fc.tuple(token, fc.constantFrom(' ', '', '\n', ' ', '  ')), { maxLength: 40 }).map((ts) => ts.map(([t, sep]) => t + sep).join(''));

const settings = (kind: 'openapi' | 'proto') => ({
  name: 'fuzz',
  module: 'example.com/fuzz',
  contract: kind === 'openapi' ? 'openapi.json' : 'fuzz.proto',
  contractKind: kind,
  database: 'memory' as const,
  transports: kind === 'openapi' ? ['http'] : ['grpc'],
});

/**
 * Property names and enum values: they end up in struct tags, constant names and values, aligned in columns.
 * (No backquote: a property named x`y ends the raw-string struct tag early, a models.ts bug reported apart.)
 */
const NAMES = ['名前', 'é', 'e\u0301', '😀', 'a"b', 'a\\b', 'ﾊﾝｶｸ', '日本語テキスト', 'Ünï', 'a b', 'id', 'ID', '_', '0x', 'type', 'func', 'x'.repeat(40), '\t'];
const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }).map((x) => x.replaceAll('`', "'")) });
const names = fc.array(name, { minLength: 4, maxLength: 4 });

function openapi(d: string[], n: string[] = []): string {
  const item = { $ref: '#/components/schemas/Item' };
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Fuzz', version: '1.0.0', description: d[0] },
    tags: [{ name: 'items', description: d[1] }],
    paths: {
      '/items': {
        get: {
          operationId: 'listItems',
          tags: ['items'],
          summary: d[2],
          description: d[3],
          parameters: [{ name: 'q', in: 'query', description: d[4], schema: { type: 'string', description: d[5] } }],
          responses: { '200': { description: d[6], content: { 'application/json': { schema: { type: 'array', items: item } } } } },
        },
        post: {
          operationId: 'createItem',
          description: d[7],
          requestBody: { description: d[8], required: true, content: { 'application/json': { schema: item } } },
          responses: { '201': { description: d[9], content: { 'application/json': { schema: item } } } },
        },
      },
      '/items/{id}': {
        get: {
          operationId: 'getItem',
          summary: d[10],
          parameters: [{ name: 'id', in: 'path', required: true, description: d[11], schema: { type: 'string' } }],
          responses: { '200': { description: d[12], content: { 'application/json': { schema: item } } } },
        },
      },
    },
    components: {
      schemas: {
        Item: {
          type: 'object',
          description: d[13],
          required: ['name'],
          properties: {
            id: { type: 'string', readOnly: true, description: d[14] },
            name: { type: 'string', description: d[15] },
            kind: { $ref: '#/components/schemas/Kind' },
            size: { type: 'integer', format: 'int32', minimum: 0, description: d[16] },
            shape: { oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }], description: d[17] },
            ...Object.fromEntries(n.slice(0, 2).map((p, k) => [p, { type: k ? 'integer' : 'string', description: d[k] }])),
          },
        },
        Kind: { type: 'string', enum: [...new Set(['small', 'large', ...n.slice(2)])], description: d[18] },
        Circle: { type: 'object', description: d[19], required: ['r'], properties: { r: { type: 'number', description: d[20] } } },
        Square: { type: 'object', description: d[21], required: ['side'], properties: { side: { type: 'number' } } },
      },
    },
  });
}

/** A proto comment block: each line of the text as a `//` line. */
const protoComment = (t: string, indent = ''): string =>
  t
    .split(/\r\n|\r|\n/)
    .map((l) => `${indent}// ${l}\n`)
    .join('');

function proto(d: string[]): string {
  return [
    'syntax = "proto3";\n\npackage fuzz.v1;\n\n',
    protoComment(d[0]!),
    'service ItemService {\n',
    protoComment(d[1]!, '  '),
    '  rpc GetItem(GetItemRequest) returns (Item);\n',
    protoComment(d[2]!, '  '),
    '  rpc ListItems(ListItemsRequest) returns (ListItemsResponse);\n}\n\n',
    protoComment(d[3]!),
    'message Item {\n',
    protoComment(d[4]!, '  '),
    '  string name = 1;\n',
    protoComment(d[5]!, '  '),
    '  Kind kind = 2;\n',
    protoComment(d[6]!, '  '),
    '  oneof shape {\n',
    protoComment(d[7]!, '    '),
    '    double radius = 3;\n    double side = 4;\n  }\n}\n\n',
    protoComment(d[8]!),
    'enum Kind {\n',
    protoComment(d[9]!, '  '),
    '  KIND_UNSPECIFIED = 0;\n',
    protoComment(d[10]!, '  '),
    '  KIND_SMALL = 1;\n}\n\n',
    protoComment(d[11]!),
    'message GetItemRequest {\n',
    protoComment(d[12]!, '  '),
    '  string name = 1;\n}\n\n',
    'message ListItemsRequest {\n  int32 page_size = 1;\n  string page_token = 2;\n}\n\n',
    protoComment(d[13]!),
    'message ListItemsResponse {\n  repeated Item items = 1;\n  string next_page_token = 2;\n}\n',
  ].join('');
}

/** The ways emitters put comments in a file: top-level docs, docs with a note after them, field and statement comments. */
function goFile(d: string[]): string {
  const f = new GoFile('x.go', 'x', { generated: true, doc: `Package x ${d[0]}` });
  f.add(...docComment('Thing', d[1], 'is a thing.'), 'type Thing struct {', ...comment(d[2]!, '\t'), '\tName\vstring\v`json:"name"`', '\tN\vint', '}');
  f.add(...docComment('Other', d[3], 'is another thing.'), '//', '// Deprecated: use Thing.', 'type Other int');
  f.add(...comment(d[4]!), ...comment(d[5]!), 'func F() {', ...comment(d[6]!, '\t'), '}');
  f.add('const (', ...comment(d[7]!, '\t'), '\tA\v= 1', ')');
  f.add(...comment(d[8]!), '//', '//nolint:revive', 'var V = 1');
  return f.render('example.com/x');
}

const root = mkdtempSync(join(tmpdir(), 'svc-gofmt-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes files to one folder for one gofmt run, skipping repeats (the runtime templates are the same in every case). */
class Batch {
  readonly inputs = new Map<string, string>(); // written file → the case that made it
  private readonly seen = new Set<string>();
  files = 0;
  constructor(readonly dir: string) {}
  write(rel: string, content: string, input: string): void {
    if (this.seen.has(content)) return;
    this.seen.add(content);
    const path = join(this.dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    this.inputs.set(path, input);
    this.files++;
  }
  /** Runs gofmt -l once over every file; returns the files gofmt would change, each with its diff and input. */
  gofmt(): { differing: string[]; report: string; ms: number } {
    const started = Date.now();
    const r = spawnSync('gofmt', ['-l', this.dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = Date.now() - started;
    expect(r.stderr).toBe('');
    const differing = r.stdout.split('\n').filter(Boolean);
    const report = differing
      .slice(0, 3)
      .map((file) => `${file}\n${spawnSync('gofmt', ['-d', file], { encoding: 'utf8' }).stdout}\ninput: ${this.inputs.get(file)?.slice(0, 4000)}`)
      .join('\n\n');
    return { differing, report, ms };
  }
}

describe.skipIf(!hasGofmt)('generated Go under fuzzed descriptions and comments', () => {
  it(`is what gofmt prints: comments as GoFile places them (${RUNS} cases, seed ${SEED})`, { timeout: 600_000 }, () => {
    const batch = new Batch(join(root, 'gofile'));
    const texts = fc.sample(fc.array(text, { minLength: 9, maxLength: 9 }), { numRuns: RUNS, seed: SEED });
    for (const [n, d] of texts.entries()) batch.write(`c${n}/x.go`, goFile(d), JSON.stringify(d));
    const { differing, report, ms } = batch.gofmt();
    console.log(`gofmt fuzz (GoFile): ${texts.length} cases, ${batch.files} distinct Go files, gofmt -l ${ms} ms, ${differing.length} differ`);
    expect(differing.length, report).toBe(0);
    expect(batch.files).toBeGreaterThan(texts.length / 2);
  });

  // Emitters also write comment lines of their own (lists, indented code): the
  // port of go/doc/comment must print any comment as gofmt does, not only the
  // flowed text comment() makes. Lines here keep their indentation and markers.
  it(`is what gofmt prints: raw comment lines (${RUNS} cases, seed ${SEED})`, { timeout: 600_000 }, () => {
    const batch = new Batch(join(root, 'raw'));
    // eslint-disable-next-line no-control-regex
    const line = fc.tuple(fc.constantFrom('', ' ', ' ', ' ', '  ', '\t', ' \t', '    ', '   '), text).map(([indent, t]) => `//${indent}${t.replace(/[\x00-\x08\n\v\f\r\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/g, ' ')}`);
    // (A `//line ` comment is a line directive the Go scanner parses, not text: left out.)
    const group = fc.array(fc.oneof({ weight: 5, arbitrary: line.filter((l) => !l.startsWith('//line ')) }, { weight: 1, arbitrary: fc.constant('//') }), { minLength: 1, maxLength: 12 });
    const cases = fc.sample(fc.array(group, { minLength: 1, maxLength: 4 }), { numRuns: RUNS, seed: SEED });
    for (const [n, groups] of cases.entries()) {
      const src = `package x\n\n${groups.map((g, k) => `${g.join('\n')}\n${k % 2 ? `var V${k} = 1` : `func F${k}() {}`}\n`).join('\n')}`;
      batch.write(`c${n}/x.go`, formatDocComments(src), JSON.stringify(groups));
    }
    const { differing, report, ms } = batch.gofmt();
    console.log(`gofmt fuzz (raw comment lines): ${cases.length} cases, ${batch.files} distinct Go files, gofmt -l ${ms} ms, ${differing.length} differ`);
    expect(differing.length, report).toBe(0);
    expect(batch.files).toBeGreaterThan(cases.length / 2);
  });

  // alignColumns pads cells by their width in code points, as text/tabwriter
  // counts runes: wide (CJK), combining, astral and other non-ASCII text in
  // field names, types, tags and trailing comments, in runs gofmt aligns.
  it(`is what gofmt prints: aligned columns with non-ASCII cells (${RUNS} cases, seed ${SEED})`, { timeout: 600_000 }, () => {
    const batch = new Batch(join(root, 'align'));
    const letter = fc.constantFrom('a', 'Z', '_', 'é', 'ß', 'Ω', '名', '前', 'ｶ', '𝒜', 'Ж', 'ٴ', 'x');
    const ident = fc.array(letter, { minLength: 1, maxLength: 8 }).map((ls) => `F${ls.join('')}`);
    const type = fc.constantFrom('int', 'string', '*T', '[]名前', 'map[string]any', 'func(é int) error', 'struct{}');
    const free = fc.array(fc.oneof(fc.constantFrom('e\u0301', '日本', '😀', '👍🏽', 'a\u200bb', '\u00a0', 'ﾊﾝ', '"'), fc.string({ maxLength: 4 })), { maxLength: 5 })
      .map((ps) => ps.join('').replace(/[`\\\x00-\x1f\x7f\x85\u2028\u2029\ufeff]/g, ''));
    const field = fc.tuple(ident, type, fc.option(free), fc.option(free)).map(([n, t, tag, c]) => {
      const cells = [n, t];
      if (tag !== null) cells.push(`\`json:"${tag.replaceAll('"', "'")}"\``);
      if (c !== null) cells.push(`// ${c}`.trimEnd());
      return `\t${cells.join('\v')}`;
    });
    const cases = fc.sample(fc.array(fc.oneof({ weight: 6, arbitrary: field }, { weight: 1, arbitrary: fc.constant('\t// a comment line') }, { weight: 1, arbitrary: fc.constant('') }), { minLength: 1, maxLength: 12 }), { numRuns: RUNS, seed: SEED });
    for (const [n, fields] of cases.entries()) {
      const seen = new Set<string>();
      const unique = fields.filter((f) => {
        const name = f.split('\v')[0]!;
        if (!f.includes('\v') || !seen.has(name)) {
          seen.add(name);
          return true;
        }
        return false;
      });
      const body = unique.join('\n').replace(/^\n+|\n+$/g, '').replace(/\n{2,}/g, '\n\n');
      if (body === '') continue; // gofmt writes an empty struct on one line: not a column case
      batch.write(`c${n}/x.go`, `package x\n\ntype T struct {\n${alignColumns(body)}\n}\n`, JSON.stringify(fields));
    }
    const { differing, report, ms } = batch.gofmt();
    console.log(`gofmt fuzz (aligned columns): ${cases.length} cases, ${batch.files} distinct Go files, gofmt -l ${ms} ms, ${differing.length} differ`);
    expect(differing.length, report).toBe(0);
    expect(batch.files).toBeGreaterThan(cases.length / 2);
  });

  // Map literals (auth requirements, limits): gofmt aligns the values of keyed
  // elements, but starts a new section where key lengths jump (go/printer's
  // exprList: a key over 40 characters and 2.5 times off the running
  // geometric mean). Keys of every length in every order.
  it(`is what gofmt prints: keyed elements of map literals (${RUNS} cases, seed ${SEED})`, { timeout: 600_000 }, () => {
    const batch = new Batch(join(root, 'keyed'));
    const key = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 30, max: 50 }), fc.integer({ min: 60, max: 140 })).map((n) => 'k'.repeat(n));
    const value = fc.constantFrom('1', '{{{Scheme: "a"}}}', 'nil', 'f()', '{Timeout: 5 * time.Second}');
    const cases = fc.sample(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 14 }), { numRuns: RUNS, seed: SEED });
    for (const [n, entries] of cases.entries()) {
      const seen = new Set<string>();
      const unique = entries.filter(([k]) => !seen.has(k) && seen.add(k)).map(([k, v], i) => [`"${k}${i}"`, v] as [string, string]);
      batch.write(`c${n}/x.go`, `package x

var m = map[string]any{
${alignColumns(keyedElements(unique, '\t').join('\n'))}
}
`, JSON.stringify(unique));
    }
    const { differing, report, ms } = batch.gofmt();
    console.log(`gofmt fuzz (keyed elements): ${cases.length} cases, ${batch.files} distinct Go files, gofmt -l ${ms} ms, ${differing.length} differ`);
    expect(differing.length, report).toBe(0);
    expect(batch.files).toBeGreaterThan(cases.length / 2);
  });

  it(`is what gofmt prints: OpenAPI and proto contracts through renderService (${CONTRACT_RUNS} cases each, seed ${SEED})`, { timeout: 600_000 }, async () => {
    const batch = new Batch(join(root, 'contracts'));
    const texts = fc.sample(fc.tuple(fc.array(text, { minLength: 22, maxLength: 22 }), names), { numRuns: CONTRACT_RUNS, seed: SEED });
    let refused = 0;
    for (const [n, [d, ns]] of texts.entries()) {
      for (const kind of ['openapi', 'proto'] as const) {
        const source = kind === 'openapi' ? openapi(d, ns) : proto(d);
        let artifacts;
        try {
          const loaded = await loadContract(`/virtual/${settings(kind).contract}`, kind, source, settings(kind).contract);
          artifacts = renderService(buildModel(loaded, 'fuzz'), { ...settings(kind), database: n % 2 ? 'memory' : 'sql' });
        } catch (err) {
          if (!(err instanceof UserError)) throw new Error(`case ${n} (${kind}): ${String(err)}\n${source}`);
          refused++;
          continue;
        }
        for (const a of artifacts) if (a.path.endsWith('.go')) batch.write(`${kind}/c${n}/${a.path}`, a.content, source);
      }
    }
    const { differing, report, ms } = batch.gofmt();
    console.log(`gofmt fuzz (contracts): ${texts.length} cases × (OpenAPI, proto), ${refused} refused by the loader, ${batch.files} distinct Go files, gofmt -l ${ms} ms, ${differing.length} differ`);
    expect(differing.length, report).toBe(0);
    expect(batch.files).toBeGreaterThan(texts.length * 2);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { FIXTURES_DIR } from '../src/devtools/fixtures.js';
import { starterContract, starterProto } from '../src/pipeline/new.js';

/**
 * Property: whatever a contract holds, `svc new` either generates a service
 * or refuses it with a UserError whose message is one located line, and on
 * refusal writes nothing. Never another exception, never a hang.
 *
 * Valid contracts (the OpenAPI fixtures as YAML and as JSON, a Swagger 2.0
 * contract, the proto fixtures) are mutated: truncated, random bytes put in,
 * lines and keys deleted or duplicated, values of the wrong type, nesting
 * thousands of levels deep, huge numbers, `$ref`s to themselves and in
 * cycles, to missing and broken files, YAML alias bombs, proto import
 * cycles. Each case runs in-process (memory file system) in a worker thread
 * that is terminated when a case outlives CASE_TIMEOUT.
 *
 * FUZZ_SEED and FUZZ_RUNS (cases per loader) override the defaults; a
 * failing case is kept on disk, its folder named in the failure.
 * FUZZ_SHOW_REFUSED=1 prints every refusal, FUZZ_SLOWEST=n the n slowest cases.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const CASE_TIMEOUT = Number(process.env.FUZZ_CASE_TIMEOUT ?? 30_000);

type Kind = 'openapi' | 'proto';
interface Case {
  kind: Kind;
  /** The contract file, relative to the case folder. */
  main: string;
  files: Record<string, string | Buffer>;
  includes?: string[];
  /** What was done to the seed. */
  what: string[];
}
interface Outcome {
  outcome: 'generated' | 'refused' | 'crashed' | 'hung';
  message?: string;
  located?: boolean;
  exitCode?: number;
  writes?: number;
}

// ---------------------------------------------------------------- seeds

const openapiSeeds: { name: string; text: string }[] = [
  ...['petstore', 'orders', 'inventory', 'registry'].map((f) => ({ name: f, text: readFileSync(join(FIXTURES_DIR, f, 'openapi.yaml'), 'utf8') })),
  { name: 'starter', text: starterContract('fuzz') },
];
const swaggerSeed = readFileSync(join(import.meta.dirname, 'fuzz', 'swagger2.yaml'), 'utf8');
const LIBRARY = join(FIXTURES_DIR, 'library', 'proto', 'library', 'v1');
const protoSeeds: { name: string; main: string; files: Record<string, string>; includes?: string[] }[] = [
  {
    name: 'library',
    main: 'proto/library/v1/library.proto',
    includes: ['proto'],
    files: {
      'proto/library/v1/library.proto': readFileSync(join(LIBRARY, 'library.proto'), 'utf8'),
      'proto/library/v1/common.proto': readFileSync(join(LIBRARY, 'common.proto'), 'utf8'),
    },
  },
  { name: 'starter', main: 'fuzz.proto', files: { 'fuzz.proto': starterProto('fuzz', 'example.com/fuzz') } },
];

// ---------------------------------------------------------------- mutations

const HUGE = ['1' + '0'.repeat(400), '1e999', '-1e999', '99999999999999999999999', '9007199254740993', '-9223372036854775809', '1.7976931348623157e309', '0.' + '0'.repeat(400) + '1', '4294967296', '536870912'];
const WRONG: unknown[] = [0, -1, 1.5, 1e308, '', 'x', true, false, null, [], {}, [1, 'a'], { a: 1 }, { $ref: 5 }, { type: 'nonsense' }];
const DEPTHS = [2, 50, 199, 200, 201, 1000, 10_000];

/** Every path to a value in the data, found without recursion. */
function paths(data: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: { v: unknown; p: (string | number)[] }[] = [{ v: data, p: [] }];
  while (stack.length > 0 && out.length < 20_000) {
    const { v, p } = stack.pop()!;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, p: [...p, i] }));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push({ v: x, p: [...p, k] });
  }
  return out;
}

function pointer(p: (string | number)[]): string {
  return `#/${p.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function setAt(data: unknown, p: (string | number)[], value: unknown): unknown {
  if (p.length === 0) return value;
  let node = data as Record<string | number, unknown>;
  for (const seg of p.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[p[p.length - 1]!] = value;
  return data;
}

function getAt(data: unknown, p: (string | number)[]): unknown {
  let node = data as Record<string | number, unknown> | undefined;
  for (const seg of p) node = node?.[seg] as Record<string | number, unknown> | undefined;
  return node;
}

/** Deeply nested values of the case being made, as text, in place of their NESTED_<n>_ placeholder. */
const nested: string[] = [];

function unplace(text: string): string {
  return text.replace(/"?NESTED_(\d+)_"?/g, (_m, n: string) => nested[Number(n)]!);
}

/** One change to parsed data; `pick` chooses among the data's own paths. */
const dataMutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('wrong-type' as const), pick: fc.nat(), value: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('nest' as const), pick: fc.nat(), depth: fc.constantFrom(...DEPTHS), asArray: fc.boolean() }),
  fc.record({ op: fc.constant('huge' as const), pick: fc.nat(), value: fc.constantFrom(2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, 2 ** 31, -(2 ** 63)) }),
  fc.record({ op: fc.constant('self-ref' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('ref-to' as const), pick: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('ref-cycle' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('external-ref' as const), pick: fc.nat(), target: fc.constantFrom('missing.yaml', 'missing.yaml#/X', 'sub', 'shared.yaml#/Thing', 'shared.yaml#/Nope', 'loop.yaml#/A', 'bad.yaml', 'contract.yaml#/info') }),
  fc.record({ op: fc.constant('copy' as const), pick: fc.nat(), to: fc.nat() }),
);
type DataMutation = typeof dataMutation extends fc.Arbitrary<infer T> ? T : never;

function applyData(data: unknown, m: DataMutation, what: string[]): unknown {
  const all = paths(data);
  const at = (n: number) => all[n % all.length]!;
  switch (m.op) {
    case 'delete': {
      const p = at(m.pick);
      if (p.length === 0) return data;
      const parent = getAt(data, p.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(Number(p[p.length - 1]), 1);
      else delete (parent as Record<string, unknown>)[p[p.length - 1]!];
      what.push(`delete ${pointer(p)}`);
      return data;
    }
    case 'wrong-type':
      what.push(`${pointer(at(m.pick))} = ${JSON.stringify(m.value)}`);
      return setAt(data, at(m.pick), structuredClone(m.value));
    case 'nest': {
      // Too deep for the serializers: a placeholder, replaced by flow-style text once serialized.
      const p = at(m.pick);
      what.push(`nest ${pointer(p)} ${m.depth} levels in ${m.asArray ? 'arrays' : 'objects'}`);
      const value = JSON.stringify(getAt(data, p) ?? null);
      const text = m.asArray ? `${'['.repeat(m.depth)}${value}${']'.repeat(m.depth)}` : `${'{"a": '.repeat(m.depth)}${value}${'}'.repeat(m.depth)}`;
      nested.push(text);
      return setAt(data, p, `NESTED_${nested.length - 1}_`);
    }
    case 'huge':
      what.push(`${pointer(at(m.pick))} = ${m.value}`);
      return setAt(data, at(m.pick), m.value);
    case 'self-ref': {
      const p = at(m.pick);
      what.push(`${pointer(p)} = {$ref: itself}`);
      return setAt(data, p, { $ref: pointer(p) });
    }
    case 'ref-to': {
      const p = at(m.pick);
      const to = at(m.to);
      what.push(`${pointer(p)} = {$ref: ${pointer(to)}}`);
      return setAt(data, p, { $ref: pointer(to) });
    }
    case 'ref-cycle': {
      const schemas = getAt(data, ['components', 'schemas']) ?? getAt(data, ['definitions']);
      const base = getAt(data, ['components', 'schemas']) !== undefined ? ['components', 'schemas'] : ['definitions'];
      const names = schemas && typeof schemas === 'object' ? Object.keys(schemas) : [];
      if (names.length === 0) return data;
      const a = names[m.a % names.length]!;
      const b = names[m.b % names.length]!;
      what.push(`ref cycle ${a} -> ${b} -> ${a}`);
      setAt(data, [...base, a], { $ref: pointer([...base, b]) });
      if (a !== b) setAt(data, [...base, b], { allOf: [{ $ref: pointer([...base, a]) }] });
      return data;
    }
    case 'external-ref': {
      const p = at(m.pick);
      what.push(`${pointer(p)} = {$ref: ${m.target}}`);
      return setAt(data, p, { $ref: `./${m.target}` });
    }
    case 'copy': {
      const p = at(m.pick);
      const to = at(m.to);
      if (to.length === 0 || p.slice(0, to.length).join('\u0000') === to.join('\u0000')) return data;
      what.push(`${pointer(p)} = copy of ${pointer(to)}`);
      return setAt(data, p, structuredClone(getAt(data, to)));
    }
  }
}

/** Files an external `$ref` may name: one fine, one with a cycle, one broken, a folder. */
const REFERENCED: Record<string, string> = {
  'shared.yaml': 'Thing:\n  type: object\n  properties:\n    name: {type: string}\n    again: {$ref: "#/Thing"}\n',
  'loop.yaml': 'A:\n  $ref: "./loop2.yaml#/B"\n',
  'loop2.yaml': 'B:\n  $ref: "./loop.yaml#/A"\n',
  'bad.yaml': 'X: [\n',
  'sub/keep.txt': '',
};

/** One change to the text, byte by byte. */
const textMutation = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('bytes' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('huge-number' as const), nth: fc.nat(), value: fc.constantFrom(...HUGE) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom('[', '{', '}', ']', ':', '"', "'", '&a', '*a', '<<: *a', '\t', '\u0000', '\uFEFF', '#', '- ', '%YAML 1.1\n', '---\n', '...\n', '!!binary', '\\', '/*', '//', ';', '=', 'message M {', 'import "x.proto";', 'repeated', 'oneof o {', 'map<string, M>', 'stream') }),
  fc.record({ op: fc.constant('bom' as const) }),
);
type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function applyText(buf: Buffer, m: TextMutation, what: string[]): Buffer {
  const pos = (f: number) => Math.floor(f * buf.length);
  const lines = () => buf.toString('latin1').split('\n');
  switch (m.op) {
    case 'truncate':
      what.push(`truncate at ${pos(m.at)}`);
      return buf.subarray(0, pos(m.at));
    case 'bytes':
      what.push(`bytes ${Buffer.from(m.bytes).toString('hex')} at ${pos(m.at)}`);
      return Buffer.concat([buf.subarray(0, pos(m.at)), Buffer.from(m.bytes), buf.subarray(pos(m.at))]);
    case 'cut':
      what.push(`cut ${m.length} at ${pos(m.at)}`);
      return Buffer.concat([buf.subarray(0, pos(m.at)), buf.subarray(pos(m.at) + m.length)]);
    case 'duplicate-line': {
      const l = lines();
      const n = m.line % l.length;
      what.push(`duplicate line ${n + 1}`);
      l.splice(n, 0, l[n]!);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 'delete-line': {
      const l = lines();
      const n = m.line % l.length;
      what.push(`delete line ${n + 1}`);
      l.splice(n, 1);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 'huge-number': {
      const text = buf.toString('latin1');
      const numbers = [...text.matchAll(/\b\d+(\.\d+)?\b/g)];
      if (numbers.length === 0) return buf;
      const hit = numbers[m.nth % numbers.length]!;
      what.push(`number at ${hit.index} = ${m.value.length > 30 ? `${m.value.slice(0, 12)}... (${m.value.length} chars)` : m.value}`);
      return Buffer.from(text.slice(0, hit.index) + m.value + text.slice(hit.index! + hit[0].length), 'latin1');
    }
    case 'insert':
      what.push(`insert ${JSON.stringify(m.text)} at ${pos(m.at)}`);
      return Buffer.concat([buf.subarray(0, pos(m.at)), Buffer.from(m.text), buf.subarray(pos(m.at))]);
    case 'bom':
      what.push('BOM');
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]);
  }
}

/** Extra YAML put at the top level, after the version line. */
const yamlExtra = fc.constantFrom(
  { what: 'alias bomb', text: 'x-a: &a ["l","l","l","l","l","l","l","l","l"]\nx-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nx-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nx-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nx-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nx-f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n' },
  { what: 'an alias before its anchor', text: 'x-b: *later\nx-a: &later 1\n' },
  { what: 'a harmless alias', text: 'x-a: &one {k: v}\nx-b: *one\n' },
  { what: 'deep flow nesting', text: `x-deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` },
  { what: 'deep block nesting', text: `x-deep:\n${Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n` },
  { what: 'a merge key bomb', text: 'x-a: &a {a: 1}\nx-b: &b {<<: [*a, *a, *a, *a]}\nx-c: &c {<<: [*b, *b, *b, *b]}\nx-d: {<<: [*c, *c, *c, *c]}\n' },
);

/** An OpenAPI (or Swagger) case: structural changes, serialized as YAML or JSON, then text changes. */
function openapiCase(seeds: { name: string; text: string }[], format: 'yaml' | 'json') {
  return fc
    .record({
      seed: fc.nat(),
      data: fc.array(dataMutation, { maxLength: 3 }),
      extra: fc.option(yamlExtra, { freq: 6 }),
      // Most cases keep the text as serialized, so that many reach the model builder and the renderers.
      text: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }) }),
    })
    .map(({ seed, data, extra, text }): Case => {
      const s = seeds[seed % seeds.length]!;
      const what = [`seed ${s.name} as ${format}`];
      let doc: unknown = parseYaml(s.text);
      nested.length = 0;
      for (const m of data) doc = applyData(doc, m, what);
      let out = unplace(format === 'json' ? JSON.stringify(doc, null, 2) : stringifyYaml(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
      if (extra && format === 'yaml') {
        what.push(extra.what);
        out = out.replace(/\n/, `\n${extra.text}`);
      }
      let buf: Buffer = Buffer.from(out, 'utf8');
      for (const m of text) buf = applyText(buf, m, what);
      const main = format === 'json' ? 'contract.json' : 'contract.yaml';
      return { kind: 'openapi', main, files: { ...REFERENCED, [main]: buf }, what };
    });
}

/** A proto case: text changes, import cycles, deep nesting, huge field numbers. */
const protoExtra = fc.constantFrom(
  { what: 'an import cycle', cycle: true },
  { what: 'a file importing itself', self: true },
  { what: 'messages nested 10000 deep', text: `${'message N { '.repeat(10_000)}${'} '.repeat(10_000)}\n` },
  { what: 'messages nested 150 deep', text: `${'message N { '.repeat(150)}${'} '.repeat(150)}\n` },
  { what: 'an option value nested 10000 deep', text: `message O { string s = 1 [(google.api.field_behavior) = ${'{ a: '.repeat(10_000)}1${' }'.repeat(10_000)}]; }\n` },
  { what: 'a huge field number', text: 'message H { string s = 99999999999999999999; }\n' },
  { what: 'field number out of range', text: 'message H { string s = 536870912; }\n' },
  { what: 'a self-referencing message', text: 'message R { R r = 1; repeated R rs = 2; map<string, R> m = 3; }\n' },
  { what: 'an import of a missing file', text: 'import "nowhere/missing.proto";\n' },
  { what: 'a reserved field number', text: 'message H { string s = 19000; }\n' },
);

const protoCase = fc
  .record({ seed: fc.nat(), extra: fc.option(protoExtra, { freq: 3 }), text: fc.array(textMutation, { maxLength: 3 }), other: fc.boolean() })
  .map(({ seed, extra, text, other }): Case => {
    const s = protoSeeds[seed % protoSeeds.length]!;
    const what = [`seed ${s.name}`];
    const files: Record<string, string | Buffer> = { ...s.files };
    // The text changes go to the main file, or to the file it imports.
    const names = Object.keys(s.files);
    const target = other && names.length > 1 ? names.find((n) => n !== s.main)! : s.main;
    let buf: Buffer = Buffer.from(files[target] as string, 'utf8');
    if (extra) {
      what.push(extra.what);
      const importPath = s.includes ? s.main.slice(s.includes[0]!.length + 1) : s.main;
      const dir = s.includes ? `${s.includes[0]!}/` : '';
      let addition = '';
      if ('cycle' in extra) {
        files[`${dir}cycle.proto`] = `syntax = "proto3";\npackage cyc;\nimport "${importPath}";\nmessage C { string c = 1; }\n`;
        addition = 'import "cycle.proto";\n';
      } else if ('self' in extra) addition = `import "${importPath}";\n`;
      else addition = extra.text;
      const text = buf.toString('utf8');
      // After the package line, where imports and messages may go.
      const at = text.search(/^package .*;$/m);
      const eol = at < 0 ? 0 : text.indexOf('\n', at) + 1;
      buf = Buffer.from(text.slice(0, eol) + addition + text.slice(eol), 'utf8');
    }
    if (target !== s.main) what.push(`changes in ${target}`);
    for (const m of text) buf = applyText(buf, m, what);
    files[target] = buf;
    return { kind: 'proto', main: s.main, files, ...(s.includes ? { includes: s.includes } : {}), what };
  });

// ---------------------------------------------------------------- runner

class Runner {
  private worker?: Worker;
  private ready?: Promise<void>;
  private next = 0;

  private start(): Promise<void> {
    const worker = new Worker(new URL('./fuzz/worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 1024 }, stdout: true, stderr: true });
    this.worker = worker;
    this.ready = new Promise((ok, fail) => {
      worker.once('message', () => ok());
      worker.once('error', fail);
    });
    return this.ready;
  }

  async run(c: Case, cwd: string): Promise<Outcome> {
    if (!this.worker) await this.start();
    else await this.ready;
    const worker = this.worker!;
    const id = ++this.next;
    return new Promise<Outcome>((resolve) => {
      const done = (o: Outcome) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(o);
      };
      const restart = () => {
        this.worker = undefined;
        void worker.terminate();
      };
      const timer = setTimeout(() => {
        restart();
        done({ outcome: 'hung', message: `no answer in ${CASE_TIMEOUT} ms` });
      }, CASE_TIMEOUT);
      const onMessage = (m: Outcome & { id: number }) => {
        if (m.id === id) done(m);
      };
      const onError = (err: Error) => {
        restart();
        done({ outcome: 'crashed', message: `worker died: ${err.message}` });
      };
      const onExit = (code: number) => {
        this.worker = undefined;
        done({ outcome: 'crashed', message: `worker exited with ${code}` });
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, kind: c.kind, main: c.main, includes: c.includes, cwd });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

function writeCase(c: Case, dir: string): void {
  for (const [name, content] of Object.entries(c.files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** What is wrong with an outcome, or undefined when it keeps the property. */
function violation(o: Outcome, c: Case): string | undefined {
  if (o.outcome === 'generated') return undefined;
  if (o.outcome !== 'refused') return `${o.outcome}: ${o.message}`;
  if (o.writes !== 0) return `refused, but ${o.writes} file(s) written: ${o.message}`;
  if (o.exitCode !== 1) return `exit code ${o.exitCode}: ${o.message}`;
  if (/\n/.test(o.message!)) return `more than one line: ${JSON.stringify(o.message)}`;
  if (/internal error|Maximum call stack|\bat .*\.js:\d+|ENOENT|EISDIR|ENOTDIR|undefined is not|Cannot read propert|is not a function|\[object Object\]/.test(o.message!)) return `not a user's message: ${o.message}`;
  // Located: a file of the case and a line, or a file of the case named in the message.
  const files = Object.keys(c.files).map((f) => f.split('/').pop()!);
  const named = files.some((f) => o.message!.includes(f));
  if (!named) return `names no contract file: ${o.message}`;
  if (!/^[^\s:]+:\d+[:\s]/.test(o.message!)) return `no line: ${o.message}`;
  return undefined;
}

const KEEP = mkdtempSync(join(tmpdir(), 'svc-fuzz-'));
const runner = new Runner();
const summary: string[] = [];

afterAll(async () => {
  await runner.close();
  // Failing cases stay for a look; an empty folder goes.
  if (readdirSync(KEEP).length === 0) rmSync(KEEP, { recursive: true, force: true });
  if (summary.length > 0) console.log(`loader fuzz (seed ${SEED}, FUZZ_SEED/FUZZ_RUNS to change):\n${summary.join('\n')}`);
});

const loaders: { name: string; arb: fc.Arbitrary<Case> }[] = [
  { name: 'OpenAPI YAML', arb: openapiCase(openapiSeeds, 'yaml') },
  { name: 'OpenAPI JSON', arb: openapiCase(openapiSeeds, 'json') },
  { name: 'Swagger 2.0', arb: fc.oneof(openapiCase([{ name: 'swagger2', text: swaggerSeed }], 'yaml'), openapiCase([{ name: 'swagger2', text: swaggerSeed }], 'json')) },
  { name: 'proto', arb: protoCase },
];

describe('loader fuzz: svc new generates a service or refuses it in one located line, never crashes or hangs, writes nothing on refusal', () => {
  for (const [index, loader] of loaders.entries()) {
    it(`${loader.name}: ${RUNS} mutated contracts`, { timeout: 600_000 }, async () => {
      const cases = fc.sample(loader.arb, { seed: SEED + index, numRuns: RUNS });
      const counts = { generated: 0, refused: 0, failed: 0 };
      const failures: string[] = [];
      const times: { ms: number; what: string }[] = [];
      const started = Date.now();
      for (const [n, c] of cases.entries()) {
        const dir = mkdtempSync(join(tmpdir(), 'svc-fuzz-case-'));
        writeCase(c, dir);
        const t0 = Date.now();
        const o = await runner.run(c, dir);
        const ms = Date.now() - t0;
        times.push({ ms, what: `${o.outcome}: ${c.what.join('; ')}` });
        const wrong = violation(o, c);
        if (wrong) {
          counts.failed++;
          const kept = join(KEEP, `${loader.name.replace(/\W+/g, '-')}-${n}`);
          writeCase(c, kept);
          failures.push(`case ${n} (${c.what.join('; ')}) in ${kept}: ${wrong.slice(0, 600)}`);
        } else {
          counts[o.outcome as 'generated' | 'refused']++;
          if (process.env.FUZZ_SHOW_REFUSED && o.outcome === 'refused') summary.push(`    refused (${c.what.join('; ').slice(0, 160)}): ${o.message!.slice(0, 240)}`);
        }
        rmSync(dir, { recursive: true, force: true });
      }
      summary.push(`  ${loader.name}: ${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.generated} generated, ${counts.refused} refused in one located line, ${counts.failed} failed`);
      if (process.env.FUZZ_SLOWEST) for (const t of times.sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.FUZZ_SLOWEST))) summary.push(`    ${t.ms} ms ${t.what.slice(0, 200)}`);
      expect(failures).toEqual([]);
      // The mutations must reach both outcomes, or the property tests little.
      expect(counts.generated).toBeGreaterThan(0);
      expect(counts.refused).toBeGreaterThan(0);
    });
  }
});

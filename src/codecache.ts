import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from './project/root.js';

/**
 * A cache of generated JavaScript, kept between runs: svc's Handlebars
 * templates precompiled, the validators ajv compiles from the OpenAPI
 * schemas. Compiling them is most of a small generation's cost.
 *
 * Each entry is keyed by a name and checked against a hash of everything its
 * code is compiled from (`codeKey`: the template's text, the compiler's
 * version, the options): an input changed since misses and is compiled again,
 * so the cache can never serve old code. A cache that cannot be read or
 * written (a read-only install) only costs the compilation it would have saved.
 *
 * A cache is two files: `<name>.cjs`, a CommonJS module of every entry's code,
 * which a run loads, and `<name>.json`, the same code as text, which only a run
 * that learnt something reads, to write both again. Loaded as a module, the
 * code goes through Node's compile cache (`enableCompileCache`) and V8
 * compiles a function only when it is first called, where evaluating each
 * entry's text (`new Function`) parsed and compiled all of it on every run.
 */
export interface CodeCache {
  /**
   * The value of `name`'s code compiled for `key`: the cached one, or the
   * source `compile` returns, evaluated, and kept for the next run.
   */
  load(name: string, key: string, compile: () => string): unknown;
  /** Writes the cache when it learnt something; never throws. */
  flush(): void;
}

/**
 * How an entry's source becomes one JavaScript expression: templates are an
 * object literal already; a validator is a CommonJS module's body, which
 * becomes a function of `require`, `module` and `exports`.
 */
export type Expression = (source: string) => string;

interface Entry {
  key: string;
  /** The generated JavaScript. */
  source: string;
}

/** The key of an input (a template's text, a schema) compiled by a given compiler version with given options. */
export function codeKey(input: string, version: string, options: object): string {
  return createHash('sha256').update(version).update('\0').update(JSON.stringify(options)).update('\0').update(input).digest('hex').slice(0, 32);
}

/** The folder of the caches: `dist/.cache` in svc's package, which a build or a pack recreates. */
export const CODE_CACHE_DIR = join(PACKAGE_ROOT, 'dist', '.cache');

const open = new Map<string, CodeCache>();

/**
 * The cache named `name` (files in `CODE_CACHE_DIR`), opened once per
 * process and written when the process exits.
 */
export function codeCache(name: string, expression: Expression): CodeCache {
  let c = open.get(name);
  if (!c) {
    const opened = openCodeCache(join(CODE_CACHE_DIR, name), expression);
    process.once('exit', () => opened.flush());
    open.set(name, opened);
    c = opened;
  }
  return c;
}

const require = createRequire(import.meta.url);

/**
 * Opens the cache whose files are `<base>.cjs` and `<base>.json` (created at
 * the first `flush` that has something to write). `SVC_CODE_CACHE=off`
 * disables it: everything is compiled, as with no cache at all.
 */
export function openCodeCache(base: string, expression: Expression): CodeCache {
  const evaluate = (source: string): unknown => new Function(`return (${expression(source)});`)();
  if (process.env.SVC_CODE_CACHE === 'off') return { load: (_name, _key, compile) => evaluate(compile()), flush: () => {} };
  const loaded = loadModule(`${base}.cjs`);
  const learnt = new Map<string, Entry>();
  return {
    load(name, key, compile) {
      const hit = loaded.get(name);
      if (hit !== undefined && hit.key === key) return hit.value;
      const source = compile();
      learnt.set(name, { key, source });
      return evaluate(source);
    },
    flush() {
      if (learnt.size === 0) return;
      const entries = readSources(`${base}.json`);
      for (const [name, e] of learnt) entries.set(name, e);
      learnt.clear();
      write(base, entries, expression);
    },
  };
}

/** The entries of a cache module, or none when it is missing or cannot be loaded. */
function loadModule(file: string): Map<string, { key: string; value: unknown }> {
  const out = new Map<string, { key: string; value: unknown }>();
  try {
    const exported = require(file) as Record<string, { key?: unknown; value?: unknown }>;
    // Out of require's cache, so that a cache opened again reads the file again.
    delete require.cache[file];
    for (const [name, e] of Object.entries(exported)) {
      if (typeof e?.key === 'string' && e.value !== undefined) out.set(name, { key: e.key, value: e.value });
    }
  } catch {
    // No cache yet, or one this version cannot load: start afresh.
  }
  return out;
}

/** The sources of a cache, or none when its file is missing or unreadable. */
function readSources(file: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  try {
    const loaded = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { key?: unknown; source?: unknown }>;
    for (const [name, e] of Object.entries(loaded)) {
      if (typeof e?.key === 'string' && typeof e.source === 'string') out.set(name, { key: e.key, source: e.source });
    }
  } catch {
    // No cache yet, or one this version cannot read: start afresh.
  }
  return out;
}

/**
 * Writes the sources as one JSON object and the module of their code (each a
 * temporary file then a rename, so that a concurrent run reads an old file or
 * a new one, never half of one). Failures are ignored: the cache is an
 * optimisation.
 */
function write(base: string, entries: Map<string, Entry>, expression: Expression): void {
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  const module = sorted.map(([name, e]) => `${JSON.stringify(name)}: { key: ${JSON.stringify(e.key)}, value: (${expression(e.source)}) },\n`);
  writeAtomically(`${base}.json`, JSON.stringify(Object.fromEntries(sorted)));
  writeAtomically(`${base}.cjs`, latin1Only(`module.exports = {\n${module.join('')}};\n`));
}

/**
 * JavaScript with every character beyond Latin-1 written as a \\u escape, the
 * same in a string, a regular expression, an identifier or a comment: V8
 * holds a text of Latin-1 characters alone in a byte a character, and reads it
 * from UTF-8 at a fraction of the cost (the templates' cache: 5.5 → 0.8 ms).
 */
export function latin1Only(js: string): string {
  // A character already escaped (`\\…`, an odd run of backslashes before it) loses that backslash.
  return js.replace(/(\\*)([^\x00-\xff])/g, (_, slashes: string, c: string) => `${slashes.slice(slashes.length % 2)}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A folder we cannot write to holds no temporary file.
    }
  }
}

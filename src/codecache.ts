import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A cache of generated JavaScript, kept between runs in one JSON file:
 * svc's Handlebars templates precompiled, the validators ajv compiles from
 * the OpenAPI schemas. Compiling them is most of a small generation's cost;
 * loading their JavaScript is a fraction of it.
 *
 * Each entry is keyed by a name and checked against a hash of everything its
 * code is compiled from (`codeKey`: the template's text, the compiler's
 * version, the options): an input changed since misses and is compiled again,
 * so the cache can never serve old code. A cache that cannot be read or
 * written (a read-only install) only costs the compilation it would have saved.
 */
export interface CodeCache {
  /** The cached source of `name`, when the cache holds it for exactly this `key`. */
  get(name: string, key: string): string | undefined;
  /** Records the source of `name` for `key`, written by `flush`. */
  set(name: string, key: string, source: string): void;
  /** Writes the cache when it learnt something; never throws. */
  flush(): void;
}

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
export const CODE_CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', '.cache');

const open = new Map<string, CodeCache>();

/**
 * The cache named `name` (a file in `CODE_CACHE_DIR`), opened once per
 * process and written when the process exits.
 */
export function codeCache(name: string): CodeCache {
  let c = open.get(name);
  if (!c) {
    const opened = openCodeCache(join(CODE_CACHE_DIR, `${name}.json`));
    process.once('exit', () => opened.flush());
    open.set(name, opened);
    c = opened;
  }
  return c;
}

/**
 * Opens the cache file `file` (created at the first `flush` that has
 * something to write). `SVC_CODE_CACHE=off` disables it: everything is
 * compiled, as with no cache at all.
 */
export function openCodeCache(file: string): CodeCache {
  if (process.env.SVC_CODE_CACHE === 'off') return { get: () => undefined, set: () => {}, flush: () => {} };
  const entries = read(file);
  let dirty = false;
  return {
    get(name, key) {
      const e = entries.get(name);
      return e && e.key === key ? e.source : undefined;
    },
    set(name, key, source) {
      entries.set(name, { key, source });
      dirty = true;
    },
    flush() {
      if (!dirty) return;
      dirty = false;
      write(file, entries);
    },
  };
}

/** The entries of a cache file, or none when it is missing or unreadable. */
function read(file: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  try {
    // JSON: parsing it is several times faster than compiling the same strings as a module.
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
 * Writes the entries as one JSON object (a temporary file then a rename, so
 * that a concurrent run reads the old cache or the new one, never half of
 * one). Failures are ignored: the cache is an optimisation.
 */
function write(file: string, entries: Map<string, Entry>): void {
  const sorted = Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(tmp, JSON.stringify(sorted));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A folder we cannot write to holds no temporary file.
    }
  }
}

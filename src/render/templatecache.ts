import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A cache of precompiled Handlebars templates, kept between runs in one
 * CommonJS file. Compiling svc's templates (parsing them and generating their
 * JavaScript) is most of a small generation's cost; loading the precompiled
 * JavaScript is a fraction of it.
 *
 * Each entry is keyed by the template's name and checked against a hash of
 * its text, the Handlebars version and the compile options: a template edited
 * since (or a new Handlebars) misses and is compiled again, so the cache can
 * never render an old template. A cache that cannot be read or written (a
 * read-only install) only costs the compilation it would have saved.
 */
export interface TemplateCache {
  /** The precompiled source of `name`, when the cache holds it for exactly this `key`. */
  get(name: string, key: string): string | undefined;
  /** Records the precompiled source of `name` for `key`, written by `flush`. */
  set(name: string, key: string, source: string): void;
  /** Writes the cache when it learnt something; never throws. */
  flush(): void;
}

interface Entry {
  key: string;
  /** The precompiled template: `Handlebars.precompile`'s JavaScript. */
  source: string;
}

/** The key of a template's text compiled by a given Handlebars version with given options. */
export function templateKey(text: string, version: string, options: object): string {
  return createHash('sha256').update(version).update('\0').update(JSON.stringify(options)).update('\0').update(text).digest('hex').slice(0, 32);
}

/**
 * Opens the cache file `file` (created at the first `flush` that has
 * something to write). `SVC_TEMPLATE_CACHE=off` disables it: every template
 * is compiled, as with no cache at all.
 */
export function openTemplateCache(file: string): TemplateCache {
  if (process.env.SVC_TEMPLATE_CACHE === 'off') return { get: () => undefined, set: () => {}, flush: () => {} };
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
    const require = createRequire(import.meta.url);
    const loaded = require(file) as Record<string, { key?: unknown; source?: unknown }>;
    for (const [name, e] of Object.entries(loaded)) {
      if (typeof e?.key === 'string' && typeof e.source === 'string') out.set(name, { key: e.key, source: e.source });
    }
    // Read once: a later open (a test, another service in one process) sees the file as it is then.
    delete require.cache[file];
  } catch {
    // No cache yet, or one this version cannot read: start afresh.
  }
  return out;
}

/**
 * Writes the entries as one CommonJS module of strings (a temporary file then
 * a rename, so that a concurrent run reads the old cache or the new one,
 * never half of one). Failures are ignored: the cache is an optimisation.
 */
function write(file: string, entries: Map<string, Entry>): void {
  const lines = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([name, e]) => `${JSON.stringify(name)}:{key:${JSON.stringify(e.key)},source:${JSON.stringify(e.source)}}`);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(tmp, `// Precompiled Handlebars templates of svc: a cache, rebuilt when a template changes.\nmodule.exports = {\n${lines.join(',\n')}\n};\n`);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // A folder we cannot write to holds no temporary file.
    }
  }
}

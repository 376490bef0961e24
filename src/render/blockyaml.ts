import { stringify } from 'yaml';

/**
 * The YAML text `stringify(data, { lineWidth: 0, sortMapEntries: false })`
 * of the `yaml` library gives, written directly for plain data: maps with
 * string keys, arrays of scalars, strings, finite numbers and booleans. The
 * library builds a node tree and asks its schema about every scalar, which
 * costs seconds on a large snapshot (GitHub's API is 168,000 lines); here each
 * line is written as it is reached, a scalar that is plainly a word or a path
 * is written as is, and any other scalar is rendered once by the library and
 * remembered. Data of another shape (an array of maps, a null, a string over
 * several lines, a key the library would write as an explicit `? key`) is
 * handed to the library whole, so the text is always the library's.
 */
export function stringifyBlockYaml(data: Record<string, unknown>): string {
  const out: string[] = [];
  const scalars = new ScalarCache();
  if (isMap(data) && writeMap(data, '', out, scalars)) return out.length === 0 ? '{}\n' : `${out.join('\n')}\n`;
  return stringify(data, OPTIONS);
}

const OPTIONS = { lineWidth: 0, sortMapEntries: false } as const;

/**
 * A string the library writes as a plain scalar in every block context: a
 * word, a path or a `kind:name` made of letters, digits and `_ . / { } - :`,
 * starting with a letter, `_` or `/` and not ending with `:`, that no schema
 * tag (null, booleans; numbers start with a digit, a sign or a dot) claims.
 */
const PLAIN = /^[A-Za-z_/](?:[A-Za-z0-9_./{}:-]*[A-Za-z0-9_./{}-])?$/;
const RESERVED = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/** Scalars rendered by the library, by the context they stand in. */
class ScalarCache {
  private readonly topKeys = new Map<string, string | undefined>();
  private readonly keys = new Map<string, string | undefined>();
  private readonly values = new Map<string, string | undefined>();
  private readonly items = new Map<string, string | undefined>();

  /**
   * A map key as `key: value` writes it, or undefined when it needs more than
   * one line. At the margin a key like `---` is quoted (it would read as a
   * document marker), so keys there and keys further in are told apart.
   */
  key(k: string, top: boolean): string | undefined {
    // The library writes a key over 1,024 characters as an explicit `? key`.
    if (k.length <= 1024 && PLAIN.test(k) && !RESERVED.has(k)) return k;
    if (top) return remember(this.topKeys, k, () => single(stringify({ [k]: 0 }, OPTIONS), '', ': 0'));
    return remember(this.keys, k, () => single(stringify({ a: { [k]: 0 } }, OPTIONS), 'a:\n  ', ': 0'));
  }

  /** A scalar after `key: `. */
  value(v: unknown): string | undefined {
    if (typeof v === 'string' && PLAIN.test(v) && !RESERVED.has(v)) return v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return remember(this.values, cacheKey(v), () => single(stringify({ a: v }, OPTIONS), 'a: ', ''));
  }

  /** A scalar after `- `. */
  item(v: unknown): string | undefined {
    if (typeof v === 'string' && PLAIN.test(v) && !RESERVED.has(v)) return v;
    return remember(this.items, cacheKey(v), () => single(stringify([v], OPTIONS), '- ', ''));
  }
}

/** A string or a number as a cache key: `s:text`, `n:1.5` (and `n:-0`, which a Map would take for 0). */
function cacheKey(v: unknown): string {
  return typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : String(v)}` : `s:${String(v)}`;
}

function remember(cache: Map<string, string | undefined>, k: string, render: () => string | undefined): string | undefined {
  if (cache.has(k)) return cache.get(k);
  const text = render();
  cache.set(k, text);
  return text;
}

/** The one line `prefix X suffix\n` of text, as X; undefined when the text is not that. */
function single(text: string, prefix: string, suffix: string): string | undefined {
  const tail = `${suffix}\n`;
  if (!text.startsWith(prefix) || !text.endsWith(tail)) return undefined;
  const x = text.slice(prefix.length, text.length - tail.length);
  return x.length === 0 || x.includes('\n') ? undefined : x;
}

function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Appends the lines of a map's entries at indent; false when some entry is of a shape left to the library. */
function writeMap(map: Record<string, unknown>, indent: string, out: string[], scalars: ScalarCache, seen = new Set<object>()): boolean {
  // The library writes an object met twice as an anchor and an alias.
  if (seen.has(map)) return false;
  seen.add(map);
  for (const k of Object.keys(map)) {
    const v = map[k];
    // The library leaves out an entry whose value is undefined.
    if (v === undefined) continue;
    const key = scalars.key(k, indent === '');
    if (key === undefined) return false;
    if (isScalar(v)) {
      const text = scalars.value(v);
      if (text === undefined) return false;
      out.push(`${indent}${key}: ${text}`);
    } else if (Array.isArray(v)) {
      if (seen.has(v)) return false;
      seen.add(v);
      if (v.length === 0) {
        out.push(`${indent}${key}: []`);
        continue;
      }
      out.push(`${indent}${key}:`);
      for (const item of v) {
        if (!isScalar(item)) return false;
        const text = scalars.item(item);
        if (text === undefined) return false;
        out.push(`${indent}  - ${text}`);
      }
    } else if (isMap(v)) {
      if (seen.has(v)) return false;
      if (Object.values(v).every((x) => x === undefined)) {
        seen.add(v);
        out.push(`${indent}${key}: {}`);
        continue;
      }
      out.push(`${indent}${key}:`);
      if (!writeMap(v, `${indent}  `, out, scalars, seen)) return false;
    } else {
      return false;
    }
  }
  return true;
}

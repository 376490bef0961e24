import { stringify } from 'yaml';

/**
 * The YAML text `stringify(data, { lineWidth: 0, sortMapEntries: false,
 * aliasDuplicateObjects })` of the `yaml` library gives, written directly for
 * plain data: maps with string keys, arrays, strings, finite numbers,
 * bigints (a proto integer's bounds) and booleans. The library builds a node
 * tree and asks its schema about every scalar, which costs seconds on a large
 * document (GitHub's API snapshot is 168,000 lines, Compute Engine's derived
 * OpenAPI document more); here each line is written as it is reached, a
 * scalar that is plainly a word or a path, a safe integer or a local `$ref`
 * is written directly, and any other scalar is rendered once by the library
 * and remembered (a block scalar's lines indented to where it stands). Data
 * of another shape (an array directly in an array, a null, a key the library
 * would write as an explicit `? key`, an object met twice when the library
 * would write an alias) is handed to the library whole, so the text is always
 * the library's.
 */
export function stringifyBlockYaml(data: Record<string, unknown>, options: BlockYamlOptions = {}): string {
  return writeBlockYaml(data, options) ?? stringify(data, { ...OPTIONS, aliasDuplicateObjects: options.aliasDuplicateObjects ?? true });
}

export interface BlockYamlOptions {
  /** As the library's option: an object met twice is written as an anchor and an alias (the default), or in full. */
  aliasDuplicateObjects?: boolean;
}

/** stringifyBlockYaml's own writing: undefined when the data has a shape it leaves to the library. */
export function writeBlockYaml(data: Record<string, unknown>, options: BlockYamlOptions = {}): string | undefined {
  const out: string[] = [];
  const writer = new Writer(out, new ScalarCache(), options.aliasDuplicateObjects ?? true);
  if (!isMap(data) || !writer.map(data, '')) return undefined;
  return out.length === 0 ? '{}\n' : `${out.join('\n')}\n`;
}

const OPTIONS = { lineWidth: 0, sortMapEntries: false } as const;

/**
 * A string the library writes as a plain scalar in every block context: a
 * word, a path or a `kind:name` made of letters, digits and `_ . / { } - :`,
 * starting with a letter, `_` or `/` and not ending with `:`, that no schema
 * tag (null, booleans; numbers start with a digit, a sign or a dot) claims.
 */
const PLAIN = /^[A-Za-z_/](?:[A-Za-z0-9_./{}:-]*[A-Za-z0-9_./{}-])?$/;
/**
 * A string the library writes as a plain scalar after `key: ` or `- `:
 * printable ASCII, starting with a letter, `_`, `/` or `(`, with no `: ` or
 * ` #` in it, not ending with a space or `:`, and not a reserved word (prose:
 * descriptions, summaries).
 */
const PLAIN_VALUE = /^[A-Za-z_/(][ -~]*$/;
const NOT_PLAIN_VALUE = /: | #|[ :]$/;

function plainValue(v: string): boolean {
  return PLAIN_VALUE.test(v) && !NOT_PLAIN_VALUE.test(v) && !RESERVED.has(v);
}

/** A local `$ref` (`#/components/schemas/Name`): the library double-quotes it (`#` would start a comment), with nothing to escape. */
const LOCAL_REF = /^#\/[A-Za-z0-9_./-]*$/;

/**
 * A value the library writes one way wherever it stands, or undefined: a
 * plain string, a boolean, a safe integer (as JSON writes it; -0 is a
 * float to the library) or a local `$ref`.
 */
function direct(v: unknown): string | undefined {
  if (typeof v === 'string') {
    if (plainValue(v)) return v;
    if (LOCAL_REF.test(v)) return `"${v}"`;
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
  } else if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

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

  /** A scalar after `key: `: a block scalar's lines are indented as if the key were at the margin. */
  value(v: unknown): string | undefined {
    const text = direct(v);
    if (text !== undefined) return text;
    return remember(this.values, cacheKey(v), () => single(stringify({ a: v }, OPTIONS), 'a: ', '', true));
  }

  /** A scalar after `- `. */
  item(v: unknown): string | undefined {
    const text = direct(v);
    if (text !== undefined) return text;
    return remember(this.items, cacheKey(v), () => single(stringify([v], OPTIONS), '- ', '', true));
  }
}

/** A string or a number as a cache key: `s:text`, `n:1.5` (and `n:-0`, which a Map would take for 0), `b:4294967295` for a bigint. */
function cacheKey(v: unknown): string {
  if (typeof v === 'bigint') return `b:${v}`;
  return typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : String(v)}` : `s:${String(v)}`;
}

function remember(cache: Map<string, string | undefined>, k: string, render: () => string | undefined): string | undefined {
  if (cache.has(k)) return cache.get(k);
  const text = render();
  cache.set(k, text);
  return text;
}

/**
 * X in the text `prefix X suffix\n`, undefined when the text is not that (or
 * when X is more than one line and lines are not allowed).
 */
function single(text: string, prefix: string, suffix: string, lines = false): string | undefined {
  const tail = `${suffix}\n`;
  if (!text.startsWith(prefix) || !text.endsWith(tail)) return undefined;
  const x = text.slice(prefix.length, text.length - tail.length);
  return x.length === 0 || (!lines && x.includes('\n')) ? undefined : x;
}

function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || (typeof v === 'number' && Number.isFinite(v));
}

/** Appends lines to out; each method returns false when it meets a shape left to the library. */
class Writer {
  private readonly seen = new Set<object>();

  constructor(
    private readonly out: string[],
    private readonly scalars: ScalarCache,
    private readonly aliases: boolean,
  ) {}

  /** The library writes an object met twice as an anchor and an alias (unless told not to). */
  private once(v: object): boolean {
    if (!this.aliases) return true;
    if (this.seen.has(v)) return false;
    this.seen.add(v);
    return true;
  }

  /** A map's entries, each line at indent. */
  map(map: Record<string, unknown>, indent: string): boolean {
    if (!this.once(map)) return false;
    for (const k of Object.keys(map)) {
      const v = map[k];
      // The library leaves out an entry whose value is undefined.
      if (v === undefined) continue;
      const key = this.scalars.key(k, indent === '');
      if (key === undefined) return false;
      if (isScalar(v)) {
        const text = this.scalars.value(v);
        if (text === undefined) return false;
        this.out.push(`${indent}${key}: ${reindent(text, indent)}`);
      } else if (Array.isArray(v)) {
        if (v.length === 0) {
          if (!this.once(v)) return false;
          this.out.push(`${indent}${key}: []`);
          continue;
        }
        this.out.push(`${indent}${key}:`);
        if (!this.seq(v, `${indent}  `)) return false;
      } else if (isMap(v)) {
        if (isEmpty(v)) {
          if (!this.once(v)) return false;
          this.out.push(`${indent}${key}: {}`);
          continue;
        }
        this.out.push(`${indent}${key}:`);
        if (!this.map(v, `${indent}  `)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  /** An array's items, each `- ` at indent. */
  private seq(items: unknown[], indent: string): boolean {
    if (!this.once(items)) return false;
    for (let i = 0; i < items.length; i++) {
      // A hole or an undefined item is null to the library.
      if (!(i in items)) return false;
      const item = items[i];
      if (isScalar(item)) {
        const text = this.scalars.item(item);
        if (text === undefined) return false;
        this.out.push(`${indent}- ${reindent(text, indent)}`);
      } else if (isMap(item)) {
        if (isEmpty(item)) {
          if (!this.once(item)) return false;
          this.out.push(`${indent}- {}`);
          continue;
        }
        // The map's first line takes the dash: `- key: value`, the others line up with it.
        const first = this.out.length;
        if (!this.map(item, `${indent}  `)) return false;
        this.out[first] = `${indent}- ${this.out[first]!.slice(indent.length + 2)}`;
      } else {
        return false;
      }
    }
    return true;
  }
}

function isEmpty(map: Record<string, unknown>): boolean {
  for (const k in map) if (Object.hasOwn(map, k) && map[k] !== undefined) return false;
  return true;
}

/** A scalar's later lines (a block scalar's), indented to where the scalar stands; empty lines stay empty. */
function reindent(text: string, indent: string): string {
  if (indent === '' || !text.includes('\n')) return text;
  return text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : indent + line))
    .join('\n');
}

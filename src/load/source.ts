import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit as visitYaml, type Alias, type Document, type Node } from 'yaml';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { UserError, type SourceLocation } from '../errors.js';

/**
 * A contract file parsed as YAML (JSON is valid YAML) that can tell the line
 * and column of any JSON pointer, so errors point into the user's file.
 */
export class SourceFile {
  private parsed?: { doc: Document; lines: LineCounter };

  private constructor(
    readonly path: string,
    readonly displayPath: string,
    readonly text: string,
    readonly data: unknown,
    parsed?: { doc: Document; lines: LineCounter },
  ) {
    if (parsed) this.parsed = parsed;
  }

  static async read(path: string, displayAs?: string, cwd = process.cwd()): Promise<SourceFile> {
    const displayPath = displayAs ?? (isAbsolute(path) ? relativeIfInside(path, cwd) : path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw readError(err, displayPath);
    }
    return SourceFile.parse(path, text, displayPath);
  }

  /**
   * Parses JSON with the fast native parser and keeps the position-tracking
   * YAML parse for when a location is asked for; YAML is parsed once, with
   * positions, straight away.
   */
  static parse(path: string, text: string, displayPath = path): SourceFile {
    checkText(text, displayPath);
    if (/^\s*[{[]/.test(text)) {
      let data: unknown;
      let json = true;
      try {
        data = JSON.parse(text);
      } catch {
        // Not strict JSON (comments, trailing commas, or YAML flow style): the YAML parser says where.
        json = false;
      }
      if (json) {
        const source = new SourceFile(path, displayPath, text, data);
        source.checkDepth();
        return source;
      }
    }
    const parsed = parseWithPositions(text, displayPath);
    let data: unknown;
    try {
      data = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw yamlValueError(err, parsed, displayPath);
    }
    const source = new SourceFile(path, displayPath, text, data, parsed);
    source.checkDepth();
    return source;
  }

  /**
   * Refuses data nested deeper than MAX_DEPTH: every later step walks the
   * document recursively, and no contract needs that many levels.
   */
  private checkDepth(): void {
    const path = tooDeep(this.data);
    if (!path) return this.checkNumbers();
    let loc: SourceLocation = { file: this.displayPath, line: 1 };
    if (this.parsed) {
      const { pointer: _long, ...at } = this.locate(toPointer(path));
      loc = at;
    } else {
      const offset = deepOffset(this.text, MAX_DEPTH);
      if (offset !== undefined) {
        const before = this.text.slice(0, offset);
        loc = { file: this.displayPath, line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
      }
    }
    throw new UserError(`nested more than ${MAX_DEPTH} levels deep: no contract needs that many; flatten it with named schemas and $ref`, loc);
  }

  /** Numbers JSON cannot hold, which would reach the generated code as Infinity or NaN. */
  private checkNumbers(): void {
    const infinite = nonFinite(this.data);
    if (infinite) {
      const { path, value } = infinite;
      const what = Number.isNaN(value) ? 'not a number (.nan): a contract holds JSON numbers' : `a number too large for a 64-bit float (it would be ${value > 0 ? '' : '-'}infinite): write at most 1.7976931348623157e308`;
      throw new UserError(what, this.locate(toPointer(path)));
    }
  }


  private json?: { tree: JsonNode | undefined; lineStarts: number[] };

  /** JSON is located with a fast position-tracking JSON parser instead of the YAML one. */
  private locateJSON(pointer: string, segments: string[]): SourceLocation {
    if (!this.json) {
      const lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) lineStarts.push(i + 1);
      this.json = { tree: parseTree(this.text), lineStarts };
    }
    let node = this.json.tree;
    let found = node;
    for (const seg of segments) {
      if (!node) break;
      const child: JsonNode | undefined =
        node.type === 'object'
          ? node.children?.find((p) => p.children?.[0]?.value === seg)
          : node.type === 'array'
            ? node.children?.[Number(seg)]
            : undefined;
      if (!child) break;
      // For an object member, point at the key; descend into its value.
      found = child.type === 'property' ? child.children?.[0] : child;
      node = child.type === 'property' ? child.children?.[1] : child;
    }
    const loc: SourceLocation = { file: this.displayPath, pointer: normalizePointer(pointer) };
    if (found) {
      const starts = this.json.lineStarts;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= found.offset) lo = mid;
        else hi = mid - 1;
      }
      loc.line = lo + 1;
      loc.column = found.offset - starts[lo]! + 1;
    }
    return loc;
  }

  private positions(): { doc: Document; lines: LineCounter } {
    this.parsed ??= parseWithPositions(this.text, this.displayPath);
    return this.parsed;
  }

  /**
   * locate for many pointers at once. For a large JSON file (GitHub's is
   * 13 MB) one scan that only descends along the pointers costs half of the
   * parse tree locate builds.
   */
  locateMany(pointers: string[]): SourceLocation[] {
    if (pointers.length === 0) return [];
    if (this.parsed || this.json || !/^\s*[{[]/.test(this.text)) return pointers.map((p) => this.locate(p));
    // A path is keyed as its segments, each after a NUL: the root is ''.
    const targets = pointers.map((p) => {
      const keys = [''];
      for (const seg of parsePointer(p)) keys.push(`${keys[keys.length - 1]!}\u0000${seg}`);
      return keys;
    });
    // Each node on some pointer's way, by key: the pointers it is on.
    const onWay = new Map<string, number[]>();
    targets.forEach((t, i) => {
      for (const key of t) {
        const list = onWay.get(key);
        if (list) list.push(i);
        else onWay.set(key, [i]);
      }
    });
    // The deepest node found on each pointer's way: its depth and the offset where it starts (-1: the root).
    const found = targets.map(() => ({ depth: 0, offset: -1 }));
    const record = (key: string, depth: number, offset: number) => {
      for (const i of onWay.get(key)!) if (depth > found[i]!.depth) found[i] = { depth, offset };
    };
    // The containers open around the scan, each on some pointer's way (the
    // others are skipped whole, see skipContainer).
    const stack: { key: string; depth: number; array: boolean; index: number; member: string | null; expectKey: boolean }[] = [];
    /** The key of the value starting at i when it is on some pointer's way: an object member (located at its key) or an array item (located here); else null. */
    const valueKey = (i: number): string | null => {
      const top = stack[stack.length - 1];
      if (!top) return '';
      if (!top.array) return top.member;
      const key = `${top.key}\u0000${top.index}`;
      if (!onWay.has(key)) return null;
      record(key, top.depth + 1, i);
      return key;
    };
    // One pass over the text (JSON that parsed), descending only along the
    // pointers; a property's name unescaped only when it has an escape. Lines
    // and columns are counted afterwards, for the offsets found alone.
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 123 /* { */ || c === 91 /* [ */) {
        const key = valueKey(i);
        if (key === null) i = skipContainer(text, i);
        else stack.push({ key, depth: stack.length, array: c === 91, index: 0, member: null, expectKey: c === 123 });
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        stack.pop();
      } else if (c === 44 /* , */) {
        const top = stack[stack.length - 1];
        if (top?.array) top.index++;
        else if (top) top.expectKey = true;
      } else if (c === 58 /* : */) {
        stack[stack.length - 1]!.expectKey = false;
      } else if (c === 34 /* " */) {
        const end = stringEnd(text, i);
        const top = stack[stack.length - 1];
        if (top && !top.array && top.expectKey) {
          const raw = text.slice(i + 1, end);
          const property = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          const key = `${top.key}\u0000${property}`;
          top.member = onWay.has(key) ? key : null;
          if (top.member !== null) record(top.member, top.depth + 1, i);
        } else {
          valueKey(i);
        }
        i = end;
      } else if (c === 45 /* - */ || (c >= 48 && c <= 57) || c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
        valueKey(i);
        while (i + 1 < text.length && isLiteralChar(text.charCodeAt(i + 1))) i++;
      }
    }
    const places = lineColumns(text, found.map((f) => f.offset));
    return pointers.map((p, i) => ({ file: this.displayPath, pointer: normalizePointer(p), line: places[i]!.line, column: places[i]!.column }));
  }

  /** Location of the node a JSON pointer (`#/a/b` or `/a/b`) names, as close as it exists. */
  locate(pointer: string): SourceLocation {
    const segments = parsePointer(pointer);
    if (!this.parsed && /^\s*[{[]/.test(this.text)) return this.locateJSON(pointer, segments);
    const { doc, lines } = this.positions();
    let node: unknown = doc.contents;
    let found = node;
    for (const seg of segments) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
        if (!pair) break;
        // Point at the key: that is the line a reader looks for.
        found = pair.key;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) break;
        node = item;
        found = item;
      } else {
        break;
      }
    }
    const range = (found as { range?: [number, number, number] } | null)?.range;
    const loc: SourceLocation = { file: this.displayPath, pointer: normalizePointer(pointer) };
    if (range) {
      const pos = lines.linePos(range[0]);
      loc.line = pos.line;
      loc.column = pos.col;
    }
    return loc;
  }

  /** A user error located at a JSON pointer of this file. */
  error(pointer: string, message: string): UserError {
    return new UserError(message, this.locate(pointer));
  }
}

/** How deep objects and arrays may nest in a contract. */
export const MAX_DEPTH = 200;

/** How many times YAML aliases may be expanded (times the aliases each expansion holds): the yaml library's guard against alias bombs. */
const MAX_ALIAS_COUNT = 1000;

/** A character of a JSON number or of true, false and null after their first. */
function isLiteralChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 46 /* . */ || c === 43 /* + */ || c === 45 /* - */ || c === 69 /* E */;
}

/** The offset of the quote that closes the JSON string opening at `i`. */
function stringEnd(text: string, i: number): number {
  for (let j = text.indexOf('"', i + 1); j !== -1; j = text.indexOf('"', j + 1)) {
    // Escaped when an odd number of backslashes runs up to it.
    let k = j - 1;
    while (text.charCodeAt(k) === 92 /* \\ */) k--;
    if ((j - 1 - k) % 2 === 0) return j;
  }
  return text.length;
}

/** The offset of the bracket that closes the JSON object or array opening at `i`. */
function skipContainer(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) i = stringEnd(text, i);
    else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if ((c === 125 /* } */ || c === 93 /* ] */) && --depth === 0) return i;
  }
  return i;
}

/**
 * 1-based lines and columns of offsets in a text (-1: the start), as an
 * editor counts them: a CR LF is one break, a column is in UTF-16 units.
 */
function lineColumns(text: string, offsets: number[]): { line: number; column: number }[] {
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a]! - offsets[b]!);
  const out: { line: number; column: number }[] = offsets.map(() => ({ line: 1, column: 1 }));
  let line = 0;
  let lineStart = 0;
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  for (const i of order) {
    const offset = offsets[i]!;
    if (offset < 0) continue;
    // Every break before the offset: a LF, or a CR but one a LF follows.
    for (;;) {
      const next = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (next === -1 || next >= offset) break;
      if (next === cr) {
        cr = text.indexOf('\r', cr + 1);
        if (text.charCodeAt(next + 1) === 10) continue;
      } else {
        lf = text.indexOf('\n', lf + 1);
      }
      line++;
      lineStart = next + 1;
    }
    out[i] = { line: line + 1, column: offset - lineStart + 1 };
  }
  return out;
}

/**
 * A value met in a walk of a document, linked to its parent: its path is
 * built only when it is the one reported, not copied for every value.
 */
interface Visit {
  value: unknown;
  key: string;
  up: Visit | undefined;
  depth: number;
}

/** The keys from the document's root to a visited value. */
function pathOf(v: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = v; at?.up !== undefined; at = at.up) path.push(at.key);
  return path.reverse();
}

/**
 * The first value, in document order, that `picked` chooses, found without
 * recursion; the walk does not go below MAX_DEPTH levels.
 */
function firstValue(data: unknown, picked: (value: unknown, depth: number) => boolean): Visit | undefined {
  const stack: Visit[] = [{ value: data, key: '', up: undefined, depth: 0 }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const { value, depth } = at;
    if (picked(value, depth)) return at;
    if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) continue;
    // Pushed last to first, so that the first in the document is met first.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: String(i), up: at, depth: depth + 1 });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (value as Record<string, unknown>)[keys[i]!], key: keys[i]!, up: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The path to the first value nested deeper than MAX_DEPTH. */
export function tooDeep(data: unknown): string[] | undefined {
  const at = firstValue(data, (value, depth) => depth >= MAX_DEPTH && typeof value === 'object' && value !== null);
  return at && pathOf(at);
}

/** The offset of the JSON bracket that opens level `depth + 1`, strings skipped. */
function deepOffset(text: string, depth: number): number | undefined {
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \\ */) i++;
    } else if (c === 123 || c === 91) {
      if (++level > depth) return i;
    } else if (c === 125 || c === 93) level--;
  }
  return undefined;
}

/** The first number that is infinite or NaN (1e999 in JSON or YAML, .inf, .nan), not below MAX_DEPTH. */
function nonFinite(data: unknown): { path: string[]; value: number } | undefined {
  const at = firstValue(data, (value) => typeof value === 'number' && !Number.isFinite(value));
  return at && { path: pathOf(at), value: at.value as number };
}

/** A file svc cannot read, said in a line naming it. */
export function readError(err: unknown, displayPath: string, what = 'contract file'): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${what} not found: ${displayPath}`);
  if (code === 'EISDIR') return new UserError(`${what} is a folder, not a file: ${displayPath}`);
  if (code === 'ENOTDIR') return new UserError(`${what} not found: ${displayPath} (a part of the path is a file, not a folder)`);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`cannot read ${what} ${displayPath}: permission denied`);
  return new UserError(`cannot read ${what} ${displayPath}: ${describeErrno(err)}`);
}

/** An operating-system error in words, without node's `CODE: ..., syscall 'path'` wrapping. */
export function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /^[A-Z]+: ([^,]+)/.exec(e?.message ?? '');
  return m ? `${m[1]!} (${e.code})` : String(e?.message ?? err);
}

/** Text that is no contract at all: empty, or binary. */
function checkText(text: string, displayPath: string): void {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new UserError('the file is empty', { file: displayPath, line: 1 });
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = before.split('\n').length;
    throw new UserError('not a text file: it holds a NUL byte (is it a binary file?)', { file: displayPath, line, column: nul - before.lastIndexOf('\n') });
  }
}

function parseWithPositions(text: string, displayPath: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: true });
  } catch (err) {
    // The yaml library recurses per level of nesting.
    if (err instanceof RangeError) throw new UserError(`nested too deeply to parse (more than ${MAX_DEPTH} levels is refused)`, { file: displayPath, line: 1 });
    throw err;
  }
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    throw new UserError(syntaxMessage(first.message), { file: displayPath, line: pos.line, column: pos.col });
  }
  return { doc, lines };
}

function syntaxMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (/Maximum call stack size exceeded/.test(first)) return `invalid YAML/JSON: nested too deeply to parse (more than ${MAX_DEPTH} levels is refused)`;
  return `invalid YAML/JSON: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/**
 * A YAML document that parses but cannot be turned into data: an alias bomb
 * (aliases of aliases, expanding exponentially), an alias whose anchor
 * comes after it, or nesting too deep.
 */
function yamlValueError(err: unknown, parsed: { doc: Document; lines: LineCounter }, displayPath: string): UserError {
  const message = (err as Error)?.message ?? String(err);
  const at = (node: { range?: [number, number, number] | null } | undefined): SourceLocation => {
    if (!node?.range) return { file: displayPath, line: 1 };
    const pos = parsed.lines.linePos(node.range[0]);
    return { file: displayPath, line: pos.line, column: pos.col };
  };
  if (err instanceof RangeError) return new UserError(`nested too deeply (more than ${MAX_DEPTH} levels is refused)`, { file: displayPath, line: 1 });
  const aliases: Alias[] = [];
  const anchored = new Map<string, Node>();
  const nested = new Set<string>();
  visitYaml(parsed.doc, {
    Alias: (_k, node) => {
      aliases.push(node);
    },
    Node: (_k, node) => {
      if (node.anchor) {
        anchored.set(node.anchor, node);
        let hasAlias = false;
        visitYaml(node, { Alias: () => ((hasAlias = true), visitYaml.BREAK) });
        if (hasAlias) nested.add(node.anchor);
      }
    },
  });
  if (/Excessive alias count/.test(message)) {
    // The culprit: the first alias of an anchor that itself holds aliases (each use multiplies), else the first alias.
    const culprit = aliases.find((a) => nested.has(a.source)) ?? aliases[0];
    return new UserError(
      `YAML aliases expand too far (an "alias bomb": more than ${MAX_ALIAS_COUNT} expansions${culprit ? `, here through *${culprit.source}` : ''}); write the repeated part out once, or refer to it with $ref`,
      at(culprit),
    );
  }
  const unresolved = /Unresolved alias[^:]*: (.*)$/.exec(message);
  if (unresolved) {
    const alias = aliases.find((a) => a.source === unresolved[1]);
    return new UserError(`YAML alias *${unresolved[1]!} has no anchor &${unresolved[1]!} before it`, at(alias));
  }
  return new UserError(`invalid YAML: ${message.split('\n')[0]}`, { file: displayPath, line: 1 });
}

function relativeIfInside(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function parsePointer(pointer: string): string[] {
  const body = pointer.replace(/^#/, '');
  if (body === '' || body === '/') return [];
  return body
    .replace(/^\//, '')
    .split('/')
    .map((s) => decodeURIComponent(s).replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function toPointer(segments: readonly (string | number)[]): string {
  return `#/${segments.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function normalizePointer(pointer: string): string {
  return toPointer(parsePointer(pointer));
}

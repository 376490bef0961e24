import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { UserError } from '../errors.js';

/**
 * Inserting into a YAML document without rewriting it: the new entries are
 * spliced into the text at the end of the block they belong to, so every byte
 * outside them (comments, key order, quoting, blank lines) stays as it was.
 * Where the document is not in block style (a flow `paths: {}`, a JSON
 * contract) the edit goes through the yaml library's Document API instead.
 */

/** A document parsed with the positions its errors and lines are reported by. */
export interface ParsedYaml {
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** How errors name the file. */
  file: string;
}

/** Parses a contract; a syntax error is one line naming file:line:col. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false });
  const err = doc.errors[0];
  if (err) {
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [undefined, undefined];
    throw new UserError(err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), { file, ...(line !== undefined ? { line } : {}), ...(col !== undefined ? { column: col } : {}) });
  }
  if (!isMap(doc.contents)) throw new UserError('the contract is not a YAML mapping', { file });
  return { text, doc, lines, file };
}

/** The 1-based line a node starts on. */
export function lineOf(p: ParsedYaml, node: Node | undefined | null): number | undefined {
  return node?.range ? p.lines.linePos(node.range[0]).line : undefined;
}

/** The pair of `key` in a map node, when there is one. */
export function pairOf(map: unknown, key: string): Pair<Node, Node> | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap<Node, Node>).items.find((it) => isScalar(it.key) && String(it.key.value) === key);
}

/** The node at a path of keys, when every step is a map that has it. */
export function nodeAt(doc: Document, path: readonly string[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    const pair = pairOf(node, key);
    if (!pair) return undefined;
    node = pair.value;
  }
  return (node ?? undefined) as Node | undefined;
}

/** An entry to add: the pair `key` of the fragment's map at `path`, to the target's map at the same path. */
export interface Insertion {
  path: readonly string[];
  key: string;
}

/**
 * Adds the fragment's entries (and, for `tags`, its sequence items named in
 * `tags`) to the target. The result is checked to parse and to hold every
 * entry; a splice that would not is done through the Document API instead.
 */
export function insertEntries(target: ParsedYaml, fragment: ParsedYaml, insertions: readonly Insertion[], tags: readonly string[] = []): string {
  if (!looksLikeJson(target.text)) {
    const spliced = splice(target, fragment, insertions, tags);
    if (spliced !== undefined && holds(spliced, insertions)) return spliced;
  }
  return viaDocument(target, fragment, insertions, tags);
}

function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/** Whether a text parses and has every inserted entry. */
function holds(text: string, insertions: readonly Insertion[]): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  return insertions.every((i) => pairOf(nodeAt(doc, i.path), i.key) !== undefined);
}

interface Splice {
  offset: number;
  /** Deeper blocks come first at the same offset: they end inside the shallower one. */
  depth: number;
  text: string;
}

/** A missing block and what goes in it, keyed by its name. */
interface Pending {
  entries: string[];
  children: Map<string, Pending>;
}

function splice(target: ParsedYaml, fragment: ParsedYaml, insertions: readonly Insertion[], tags: readonly string[]): string | undefined {
  const step = indentStep(target);
  const splices: Splice[] = [];
  // Entries grouped by the deepest block of their path the target has.
  const byBlock = new Map<string, { path: readonly string[]; pending: Pending }>();
  for (const ins of insertions) {
    const pair = pairOf(nodeAt(fragment.doc, ins.path), ins.key);
    if (!pair) throw new Error(`internal: the fragment has no ${[...ins.path, ins.key].join('.')}`);
    const text = sliceBlock(fragment, pair.key.range![0], endOf(pair));
    let depth = ins.path.length;
    while (depth > 0 && nodeAt(target.doc, ins.path.slice(0, depth)) === undefined) depth--;
    const existing = ins.path.slice(0, depth);
    const id = existing.join('\u0000');
    const group: { path: readonly string[]; pending: Pending } = byBlock.get(id) ?? { path: existing, pending: { entries: [], children: new Map<string, Pending>() } };
    byBlock.set(id, group);
    let pending = group.pending;
    for (const key of ins.path.slice(depth)) {
      const next: Pending = pending.children.get(key) ?? { entries: [], children: new Map<string, Pending>() };
      pending.children.set(key, next);
      pending = next;
    }
    pending.entries.push(text);
  }
  for (const { path, pending } of byBlock.values()) {
    const block = path.length === 0 ? target.doc.contents : nodeAt(target.doc, path);
    if (!isMap(block) || block.flow || block.items.length === 0 || !block.range) return undefined;
    const col = columnOf(target, block.items[0]!.key as Node);
    splices.push({ offset: block.range[1], depth: path.length, text: indent(render(pending, step), col) });
  }
  for (const name of tags) {
    const text = tagItem(target, fragment, name);
    if (text === undefined) continue;
    splices.push(text);
  }
  splices.sort((a, b) => a.offset - b.offset || b.depth - a.depth);
  let out = '';
  let at = 0;
  for (const s of splices) {
    out += target.text.slice(at, s.offset);
    if (out.length > 0 && !out.endsWith('\n')) out += '\n';
    out += s.text;
    at = s.offset;
  }
  return out + target.text.slice(at);
}

/** A block's text at column 0: its entries, then each missing child block with its entries one step in. */
function render(p: Pending, step: number): string {
  let out = p.entries.join('');
  for (const [key, child] of p.children) out += `${key}:\n${indent(render(child, step), step)}`;
  return out;
}

/** The top-level `tags` gets the fragment's tag, when it is a block list without it. */
function tagItem(target: ParsedYaml, fragment: ParsedYaml, name: string): Splice | undefined {
  const seq = nodeAt(target.doc, ['tags']);
  const from = nodeAt(fragment.doc, ['tags']);
  if (!isSeq(seq) || seq.flow || seq.items.length === 0 || !seq.range || !isSeq(from)) return undefined;
  if (tagNames(seq).includes(name)) return undefined;
  const item = (from as YAMLSeq<Node>).items.find((it) => isMap(it) && String((it as YAMLMap).get('name')) === name);
  if (!item?.range) return undefined;
  const first = seq.items[0] as Node;
  const dash = (n: ParsedYaml, node: Node) => {
    const start = lineStart(n.text, node.range![0]);
    return n.text.indexOf('-', start) - start;
  };
  const text = sliceBlock(fragment, item.range[0], item.range[1], dash(fragment, item));
  return { offset: seq.range[1], depth: 1, text: indent(text, dash(target, first)) };
}

/** The names of a `tags` list's items. */
export function tagNames(seq: unknown): string[] {
  if (!isSeq(seq)) return [];
  return seq.items.filter((it) => isMap(it)).map((it) => String((it as YAMLMap).get('name')));
}

/** Where a pair's text ends (its value's end, or the key's for an empty value). */
function endOf(pair: Pair<Node, Node>): number {
  return (pair.value as Node | null)?.range?.[1] ?? pair.key.range![1];
}

/**
 * The text from the line `start` is on to `end`, moved left to column 0 (or
 * by `from` columns), ending in one newline.
 */
function sliceBlock(p: ParsedYaml, start: number, end: number, from?: number): string {
  const first = lineStart(p.text, start);
  const shift = from ?? start - first;
  const lines = p.text.slice(first, end).replace(/\n+$/, '').split('\n');
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(Math.min(shift, l.length - l.trimStart().length)))).join('\n') + '\n';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(p: ParsedYaml, node: Node): number {
  return node.range![0] - lineStart(p.text, node.range![0]);
}

function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : pad + l))
    .join('\n');
}

/** The document's indentation step: how far its first nested block map is in (2 when there is none). */
function indentStep(p: ParsedYaml): number {
  for (const pair of (p.doc.contents as YAMLMap<Node, Node>).items) {
    const value = pair.value;
    if (isMap(value) && !value.flow && value.items.length > 0) {
      const step = columnOf(p, value.items[0]!.key as Node) - columnOf(p, pair.key);
      if (step > 0) return step;
    }
  }
  return 2;
}

/** The same edit through the Document API (comments kept; formatting the library's), or JSON for a JSON contract. */
function viaDocument(target: ParsedYaml, fragment: ParsedYaml, insertions: readonly Insertion[], tags: readonly string[]): string {
  if (looksLikeJson(target.text)) {
    const json = target.doc.toJS() as Record<string, unknown>;
    const from = fragment.doc.toJS() as Record<string, unknown>;
    for (const ins of insertions) {
      let to = json;
      let src = from;
      for (const key of ins.path) {
        to = (to[key] ??= {}) as Record<string, unknown>;
        src = src[key] as Record<string, unknown>;
      }
      to[ins.key] = src[ins.key];
    }
    addTagsJs(json, from, tags);
    const step = /\n( +)"/.exec(target.text)?.[1]?.length ?? 2;
    return JSON.stringify(json, null, step) + (target.text.endsWith('\n') ? '\n' : '');
  }
  for (const ins of insertions) {
    const node = pairOf(nodeAt(fragment.doc, ins.path), ins.key)!.value as Node;
    target.doc.setIn([...ins.path, ins.key], node.clone());
  }
  const seq = nodeAt(target.doc, ['tags']);
  if (isSeq(seq)) {
    const from = nodeAt(fragment.doc, ['tags']) as YAMLSeq<Node> | undefined;
    for (const name of tags) {
      if (tagNames(seq).includes(name)) continue;
      const item = from?.items.find((it) => isMap(it) && String((it as YAMLMap).get('name')) === name);
      if (item) seq.items.push(item.clone());
    }
  }
  return target.doc.toString();
}

function addTagsJs(json: Record<string, unknown>, from: Record<string, unknown>, tags: readonly string[]): void {
  if (!Array.isArray(json.tags) || !Array.isArray(from.tags)) return;
  const have = json.tags as { name?: string }[];
  for (const name of tags) {
    if (have.some((t) => t.name === name)) continue;
    const item = (from.tags as { name?: string }[]).find((t) => t.name === name);
    if (item) have.push(item);
  }
}

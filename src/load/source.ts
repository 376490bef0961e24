import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UserError, type SourceLocation } from '../errors.js';

/**
 * A contract file parsed as YAML (JSON is valid YAML) that can tell the line
 * and column of any JSON pointer, so errors point into the user's file.
 */
export class SourceFile {
  private constructor(
    readonly path: string,
    readonly displayPath: string,
    readonly text: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static async read(path: string, displayAs?: string, cwd = process.cwd()): Promise<SourceFile> {
    const displayPath = displayAs ?? (isAbsolute(path) ? relativeIfInside(path, cwd) : path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(`contract file not found: ${displayPath}`);
      if (code === 'EISDIR') throw new UserError(`contract path is a folder, not a file: ${displayPath}`);
      throw new UserError(`cannot read contract file ${displayPath}: ${(err as Error).message}`);
    }
    return SourceFile.parse(path, text, displayPath);
  }

  static parse(path: string, text: string, displayPath = path): SourceFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: true });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      throw new UserError(syntaxMessage(first.message), { file: displayPath, line: pos.line, column: pos.col });
    }
    const data: unknown = doc.toJS({ maxAliasCount: 1000 });
    return new SourceFile(path, displayPath, text, data, doc, lines);
  }

  /** Location of the node a JSON pointer (`#/a/b` or `/a/b`) names, as close as it exists. */
  locate(pointer: string): SourceLocation {
    const segments = parsePointer(pointer);
    let node: unknown = this.doc.contents;
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
      const pos = this.lines.linePos(range[0]);
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

function syntaxMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return `invalid YAML/JSON: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
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

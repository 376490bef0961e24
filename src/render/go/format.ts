/**
 * Column alignment as gofmt does it. Emitters write `\v` between the cells
 * gofmt aligns (field name, type, tag, trailing comment; constant name, type,
 * value); this pass pads them like go/printer's tabwriter: within a run of
 * consecutive lines of the same indentation, each column is as wide as its
 * widest cell plus one space, a column's run ending at the first line that has
 * no cell in it (the last cell of a line never counts as in a column).
 */
export function alignColumns(text: string): string {
  // Most files of a large contract (one operation's stub) have nothing to align.
  if (!text.includes('\v') && !text.includes('\f')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.includes('\v')) {
      out.push(line.includes('\f') ? line.replace(SECTION, '$1') : line);
      i++;
      continue;
    }
    const depth = tabs(line);
    const block: string[][] = [];
    // A line that starts a section (\f after its indentation) ends the block before it.
    while (i < lines.length && lines[i]!.includes('\v') && tabs(lines[i]!) === depth && (block.length === 0 || lines[i]!.charCodeAt(depth) !== FF)) {
      const row = lines[i]!;
      block.push((row.charCodeAt(depth) === FF ? row.slice(depth + 1) : row.slice(depth)).split('\v'));
      i++;
    }
    const indent = line.slice(0, depth);
    for (const cells of formatBlock(block)) out.push(indent + cells);
  }
  return out.join('\n');
}

const TAB = 9;
const FF = 12;

/** The number of tabs a line starts with. */
function tabs(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === TAB) n++;
  return n;
}

/** The width of a cell in characters (code points), as tabwriter counts it. */
function cellWidth(cell: string): number {
  let n = cell.length;
  for (let k = 0; k < cell.length; k++) {
    const c = cell.charCodeAt(k);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < cell.length) {
      const d = cell.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        k++;
      }
    }
  }
  return n;
}

/** A line marked as the start of a new alignment section: `\f` right after its indentation. */
const SECTION = /^(\t*)\f/;

/**
 * The lines of keyed elements of a composite literal (`key:\vvalue,`, one per
 * line) with gofmt's section breaks: go/printer's exprList aligns the values
 * of consecutive single-line elements, but starts a new section (no common
 * column) before an element whose key is over 40 characters long, or whose
 * previous one was, when its key length is at least 2.5 times, or at most
 * 0.4 times, the geometric mean of the key lengths since the section began.
 */
export function keyedElements(elements: [key: string, value: string][], indent: string): string[] {
  let lnsum = 0;
  let count = 0;
  let prevSize = 0;
  return elements.map(([key, value]) => {
    const size = [...key].length;
    let section = false;
    if (count > 0 && (prevSize > 40 || size > 40)) {
      const ratio = size / Math.exp(lnsum / count);
      section = ratio <= 0.4 || ratio >= 2.5;
    }
    // A new section starts the mean afresh.
    if (section) {
      lnsum = 0;
      count = 0;
    }
    lnsum += Math.log(size);
    count++;
    prevSize = size;
    return `${indent}${section ? '\f' : ''}${key}:\v${value},`;
  });
}

function formatBlock(rows: string[][]): string[] {
  const widths = rows.map((r) => r.map(() => 0));
  fill(rows, widths, 0, 0, rows.length);
  return rows.map((cells, r) =>
    cells
      .map((cell, c) => (c < cells.length - 1 ? cell + ' '.repeat(Math.max(0, widths[r]![c]! - cellWidth(cell))) : cell))
      .join('')
      .trimEnd(),
  );
}

/** text/tabwriter's recursive column-block algorithm. */
function fill(rows: string[][], widths: number[][], column: number, from: number, to: number): void {
  let r = from;
  while (r < to) {
    if (column >= rows[r]!.length - 1) {
      r++;
      continue;
    }
    const start = r;
    let width = 0;
    while (r < to && column < rows[r]!.length - 1) {
      width = Math.max(width, cellWidth(rows[r]![column]!) + 1);
      r++;
    }
    for (let k = start; k < r; k++) widths[k]![column] = width;
    fill(rows, widths, column + 1, start, r);
  }
}

/**
 * gofmt's rewriting of doc comments (go/printer's formatDocComment): every
 * group of `//` lines that starts in column 1 and directly precedes a token in
 * column 1 is parsed as a Go doc comment and printed in its canonical form, as
 * go/doc/comment does it: `` and '' become “ and ”, lists, code blocks and
 * headings get their canonical markers and spacing, link definitions move to
 * the end. Applying it to generated code makes the output equal to what gofmt
 * prints (test/unit/gofmt-fuzz.test.ts compares the two with real gofmt).
 */
export function formatDocComments(src: string): string {
  // Fast path: every run of `//` lines in column 1 is one gofmt leaves alone.
  if (allCanonical(src)) return src;
  const lines = src.split('\n');
  const inCode = lineStartsInCode(lines);
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!inCode[i] || !lines[i]!.startsWith('//')) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.startsWith('//')) j++;
    const next = lines[j];
    const group = lines.slice(i, j);
    const abuts = next !== undefined && next !== '' && !/^[ \t]/.test(next) && !next.startsWith('/*') && !next.startsWith('//');
    out.push(...(abuts ? formatDocComment(group) : group));
    i = j;
  }
  return out.join('\n');
}

function allCanonical(src: string): boolean {
  let at = src.startsWith('//') ? 0 : src.indexOf('\n//') + 1;
  while (at > 0 || (at === 0 && src.startsWith('//'))) {
    const group: string[] = [];
    let p = at;
    while (p < src.length && src.startsWith('//', p)) {
      const e = src.indexOf('\n', p);
      group.push(src.slice(p, e < 0 ? src.length : e));
      p = e < 0 ? src.length + 1 : e + 1;
    }
    if (!isCanonical(group)) return false;
    // A run may start in a raw string or block comment that one of its lines
    // closes (nothing opens in a line comment): what follows that line is the
    // comment group then, and it must be one gofmt leaves alone too.
    for (let k = 0; k < group.length - 1; k++) {
      if ((group[k]!.includes('`') || group[k]!.includes('*/')) && !isCanonical(group.slice(k + 1))) return false;
    }
    if (p > src.length) return true;
    at = src.indexOf('\n//', p) + 1;
    if (at === 0) return true;
  }
  return true;
}

/** For each line, whether it starts outside a raw string and a block comment. */
function lineStartsInCode(lines: string[]): boolean[] {
  let state: 'code' | 'raw' | 'block' = 'code';
  return lines.map((line) => {
    const starts = state === 'code';
    // Most lines open nothing that runs on to the next line: no need to scan them.
    if (starts && !line.includes('`') && !line.includes('/*')) return true;
    let k = 0;
    while (k < line.length) {
      if (state !== 'code') {
        const end = line.indexOf(state === 'raw' ? '`' : '*/', k);
        if (end < 0) break;
        k = end + (state === 'raw' ? 1 : 2);
        state = 'code';
        continue;
      }
      const c = line[k]!;
      if (c === '/' && line[k + 1] === '/') break;
      if (c === '/' && line[k + 1] === '*') {
        state = 'block';
        k += 2;
      } else if (c === '`') {
        state = 'raw';
        k++;
      } else if (c === '"' || c === "'") {
        k++;
        while (k < line.length && line[k] !== c) k += line[k] === '\\' ? 2 : 1;
        k++;
      } else {
        k++;
      }
    }
    return starts;
  });
}

/**
 * A group of `//` lines as gofmt leaves it: go/printer's formatDocComment,
 * repeated until nothing changes, since one run of gofmt is not always a fixed
 * point of the next (a link definition moved to the end leaves a one-line
 * paragraph between blank lines that the next run makes a heading; a ``` run
 * skipped from a wrong offset leaves `` the next run converts).
 */
export function formatDocComment(group: string[]): string[] {
  if (isCanonical(group)) return group;
  let current = group;
  for (let i = 0; i < 10; i++) {
    // go/printer writes every `//` comment without its trailing white space.
    const next = formatDocCommentOnce(current).map(trimRight);
    if (next.length === current.length && next.every((line, k) => line === current[k])) return next;
    current = next;
  }
  return current;
}

// eslint-disable-next-line no-control-regex
const PLAIN_LINE = /^\/\/ [^\s\x85#\x00-\x1f](?:[^\x00-\x1f]*[^\s\x85\x00-\x1f])?$/;

/**
 * A quick, conservative test that gofmt leaves a group as it is: paragraphs
 * of `// text` lines, one `//` between them, nothing gofmt rewrites in them
 * ('' or ``, a leading # or link definition, white space at either end,
 * control characters), no one-line paragraph between two others (it might be
 * a heading). Most comments svc writes pass; the others take the full parse.
 */
function isCanonical(group: string[]): boolean {
  if (group[0] === '//' || group[group.length - 1] === '//') return false;
  for (let k = 0; k < group.length; k++) {
    const line = group[k]!;
    if (line === '//') {
      if (group[k - 1] === '//') return false;
      continue;
    }
    if (!PLAIN_LINE.test(line) || line.includes("''") || line.includes('``') || (line.startsWith('// [') && line.includes(']:'))) return false;
    if (group[k - 1] === '//' && group[k + 1] === '//') return false;
  }
  return true;
}

function formatDocCommentOnce(group: string[]): string[] {
  const directives: string[] = [];
  let text = '';
  for (const c of group) {
    const after = c.slice(2);
    if (isDirective(after)) {
      directives.push(c);
      continue;
    }
    text += `${after.startsWith(' ') ? after.slice(1) : after}\n`;
  }
  if (text === '') return group;
  const printed = printDoc(parseDoc(text));
  const out: string[] = [];
  for (const line of printed.split('\n').slice(0, -1)) out.push(line === '' ? '//' : line.startsWith('\t') ? `//${line}` : `// ${line}`);
  if (directives.length > 0) out.push('//', ...directives);
  return out;
}

function isDirective(c: string): boolean {
  if (c.startsWith('line ') || c.startsWith('extern ') || c.startsWith('export ')) return true;
  const colon = c.indexOf(':');
  if (colon <= 0 || colon + 1 >= c.length) return false;
  for (let i = 0; i <= colon + 1; i++) {
    if (i !== colon && !/[a-z0-9]/.test(c[i]!)) return false;
  }
  return true;
}

// ---- A port of go/doc/comment (Go 1.19+): Parser.Parse and Printer.Comment ----

type Item = { number: string; content: string[][] };
type Block =
  | { kind: 'para'; lines: string[] }
  | { kind: 'heading'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; forceBlankBefore: boolean; forceBlankBetween: boolean; items: Item[] };
type LinkDef = { text: string; url: string; used: boolean };
type Doc = { content: Block[]; links: LinkDef[]; byText: Map<string, LinkDef> };

/** unicode.IsSpace */
const GO_SPACE = /[\t\n\v\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/;
function trimRight(s: string): string {
  let b = s.length;
  while (b > 0 && GO_SPACE.test(s[b - 1]!)) b--;
  return s.slice(0, b);
}
function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && GO_SPACE.test(s[a]!)) a++;
  while (b > a && GO_SPACE.test(s[b - 1]!)) b--;
  return s.slice(a, b);
}
const indented = (line: string): boolean => line !== '' && (line[0] === ' ' || line[0] === '\t');
const leadingSpace = (s: string): string => /^[ \t]*/.exec(s)![0];

function unindent(input: string[]): string[] {
  let lines = input;
  while (lines.length > 0 && lines[0] === '') lines = lines.slice(1);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines = lines.slice(0, -1);
  if (lines.length === 0) return [];
  let prefix = leadingSpace(lines[0]!);
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const lead = leadingSpace(line);
    let k = 0;
    while (k < prefix.length && k < lead.length && prefix[k] === lead[k]) k++;
    prefix = prefix.slice(0, k);
  }
  let out = lines.map((line) => {
    const l = line.startsWith(prefix) ? line.slice(prefix.length) : line;
    return goTrimSpace(l) === '' ? '' : l;
  });
  while (out.length > 0 && out[0] === '') out = out.slice(1);
  while (out.length > 0 && out[out.length - 1] === '') out = out.slice(0, -1);
  return out;
}

function listMarker(input: string): { num: string; rest: string } | undefined {
  const line = goTrimSpace(input);
  if (line === '') return undefined;
  let num = '';
  let rest: string;
  if ('•*+-'.includes(line[0]!)) {
    rest = line.slice(1);
  } else if (line[0]! >= '0' && line[0]! <= '9') {
    let n = 1;
    while (n < line.length && line[n]! >= '0' && line[n]! <= '9') n++;
    if (n >= line.length || (line[n] !== '.' && line[n] !== ')')) return undefined;
    num = line.slice(0, n);
    rest = line.slice(n + 1);
  } else {
    return undefined;
  }
  if (!indented(rest) || goTrimSpace(rest) === '') return undefined;
  return { num, rest };
}
const isList = (line: string): boolean => listMarker(line) !== undefined;

function isHeading(line: string): boolean {
  return line.length >= 2 && line[0] === '#' && (line[1] === ' ' || line[1] === '\t') && goTrimSpace(line) !== '#';
}

/** go/doc/comment's rule for an old-style (implicit) heading: all[off] between blank lines, followed by text. */
export function isOldHeading(input: string, all: string[], off: number): boolean {
  if (off <= 0 || all[off - 1] !== '' || off + 2 >= all.length || all[off + 1] !== '' || leadingSpace(all[off + 2]!) !== '') return false;
  const line = goTrimSpace(input);
  if (!/^\p{Lu}/u.test(line) || !/[\p{L}\p{Nd}]$/u.test(line)) return false;
  if (/[;:!?+*/=[\]{}_^°&§~%#@<">\\]/.test(line)) return false;
  // "'" only in a possessive "'s"; "." only when followed by a non-space.
  if (line.split("'").slice(1).some((rest) => rest !== 's' && !rest.startsWith('s '))) return false;
  if (line.split('.').slice(1).some((rest) => rest === '' || rest.startsWith(' '))) return false;
  return true;
}

const SCHEMES = new Set(['file', 'ftp', 'gopher', 'http', 'https', 'mailto', 'nntp']);

function parseLink(line: string): LinkDef | undefined {
  if (line === '' || line[0] !== '[') return undefined;
  const i = line.indexOf(']:');
  if (i < 0 || i + 3 >= line.length || (line[i + 2] !== ' ' && line[i + 2] !== '\t')) return undefined;
  const url = goTrimSpace(line.slice(i + 3));
  const j = url.indexOf('://');
  if (j < 0 || !SCHEMES.has(url.slice(0, j))) return undefined;
  return { text: line.slice(1, i), url, used: false };
}

function parseDoc(text: string): Doc {
  const lines = unindent(text.split('\n'));
  const doc: Doc = { content: [], links: [], byText: new Map() };
  /** A paragraph, or undefined when all its lines are link definitions (recorded instead). */
  const paragraph = (ls: string[]): string[] | undefined => {
    const defs = ls.map(parseLink);
    if (defs.some((d) => d === undefined)) return ls;
    for (const def of defs as LinkDef[]) {
      doc.links.push(def);
      if (!doc.byText.has(def.text)) doc.byText.set(def.text, def);
    }
    return undefined;
  };
  let prevEnd = 0;
  for (const s of parseSpans(lines)) {
    const span = lines.slice(s.start, s.end);
    if (s.kind === 'list') {
      const num = listMarker(span[0]!)!.num;
      const list: Block & { kind: 'list' } = { kind: 'list', forceBlankBefore: prevEnd < s.start, forceBlankBetween: false, items: [] };
      let item: Item | undefined;
      let textLines: string[] = [];
      const flush = (): void => {
        if (item) {
          const para = paragraph(textLines);
          if (para) item.content.push(para);
        }
        textLines = [];
      };
      for (let line of span) {
        const m = listMarker(line);
        if (m && (m.num !== '') === (num !== '')) {
          flush();
          item = { number: m.num, content: [] };
          list.items.push(item);
          line = m.rest;
        }
        line = goTrimSpace(line);
        if (line === '') {
          list.forceBlankBetween = true;
          flush();
          continue;
        }
        textLines.push(line);
      }
      flush();
      doc.content.push(list);
    } else if (s.kind === 'code') {
      doc.content.push({ kind: 'code', text: [...unindent(span), ''].join('\n') });
    } else if (s.kind === 'oldHeading') {
      doc.content.push({ kind: 'heading', text: goTrimSpace(span[0]!) });
    } else if (s.kind === 'heading') {
      doc.content.push({ kind: 'heading', text: goTrimSpace(span[0]!.slice(1)) });
    } else {
      const para = paragraph(span);
      if (para) doc.content.push({ kind: 'para', lines: para });
    }
    prevEnd = s.end;
  }
  return doc;
}

type SpanKind = 'code' | 'heading' | 'list' | 'oldHeading' | 'para';

function parseSpans(lines: string[]): { start: number; end: number; kind: SpanKind }[] {
  const spans: { start: number; end: number; kind: SpanKind }[] = [];
  let i = 0;
  let forceIndent = 0;
  for (;;) {
    while (i < lines.length && lines[i] === '') i++;
    if (i >= lines.length) break;
    let kind: SpanKind;
    const start = i;
    let end = i;
    if (i < forceIndent || indented(lines[i]!)) {
      let unindentedListOK = isList(lines[i]!) && i < forceIndent;
      i++;
      while (i < lines.length && (lines[i] === '' || i < forceIndent || indented(lines[i]!) || (unindentedListOK && isList(lines[i]!)))) {
        if (lines[i] === '') unindentedListOK = false;
        i++;
      }
      end = i;
      while (end > start && lines[end - 1] === '') end--;
      if (end < lines.length && lines[end]!.startsWith('}')) end++;
      kind = isList(lines[start]!) ? 'list' : 'code';
    } else {
      i++;
      while (i < lines.length && lines[i] !== '' && !indented(lines[i]!)) i++;
      end = i;
      if (i < lines.length && lines[i] !== '' && !isList(lines[i]!)) {
        if (isList(lines[i - 1]!)) {
          forceIndent = end;
          end--;
          while (end > start && isList(lines[end - 1]!)) end--;
        } else if (lines[i - 1]!.endsWith('{') || lines[i - 1]!.endsWith('\\')) {
          forceIndent = end;
          end--;
        }
        if (start === end && forceIndent > start) {
          i = start;
          continue;
        }
      }
      if (end - start === 1 && isHeading(lines[start]!)) kind = 'heading';
      else if (end - start === 1 && isOldHeading(lines[start]!, lines, start)) kind = 'oldHeading';
      else kind = 'para';
    }
    spans.push({ start, end, kind });
    i = end;
  }
  return spans;
}

function printDoc(doc: Doc): string {
  // Second pass of the parser: the text of paragraphs, with the link definitions known.
  const texts = new Map<string[], string>();
  for (const b of doc.content) {
    if (b.kind === 'para') texts.set(b.lines, linkedText(doc, b.lines.join('\n')));
    if (b.kind === 'list') for (const item of b.items) for (const p of item.content) texts.set(p, linkedText(doc, p.join('\n')));
  }
  let out = '';
  doc.content.forEach((b, i) => {
    if (i > 0 && (b.kind !== 'list' || b.forceBlankBefore || blankBetween(b))) out += '\n';
    switch (b.kind) {
      case 'para':
        out += `${texts.get(b.lines)!}\n`;
        break;
      case 'heading':
        out += `# ${b.text}\n`;
        break;
      case 'code':
        for (const line of b.text.split('\n').slice(0, -1)) out += line === '' ? '\n' : `\t${line}\n`;
        break;
      case 'list': {
        const loose = blankBetween(b);
        b.items.forEach((item, k) => {
          if (k > 0 && loose) out += '\n';
          out += item.number === '' ? '  - ' : ` ${item.number}. `;
          item.content.forEach((p, n) => {
            if (n > 0) out += '\n    ';
            out += `${texts.get(p)!.replaceAll('\n', '\n    ')}\n`;
          });
        });
        break;
      }
    }
  });
  for (const used of [true, false]) {
    const defs = doc.links.filter((d) => d.used === used);
    if (defs.length > 0) out += '\n';
    for (const d of defs) out += `[${d.text}]: ${d.url}\n`;
  }
  return out;
}

function blankBetween(list: { forceBlankBetween: boolean; items: Item[] }): boolean {
  return list.forceBlankBetween || list.items.some((item) => item.content.length !== 1);
}

/** parseLinkedText, printed: explicit links and doc links keep their brackets, the text between gets parseText. */
function linkedText(doc: Doc, text: string): string {
  let out = '';
  let wrote = 0;
  const flush = (i: number): void => {
    if (wrote < i) {
      out += plainText(text.slice(wrote, i), true);
      wrote = i;
    }
  };
  let start = -1;
  let buf = '';
  for (let i = 0; i < text.length; i++) {
    let c = text[i]!;
    if (c === '\n' || c === '\t') c = ' ';
    if (c === '[') {
      start = i;
    } else if (c === ']') {
      if (start >= 0) {
        const def = doc.byText.get(buf);
        if (def || isDocLink(text.slice(start + 1, i), text.slice(0, start), text.slice(i + 1))) {
          if (def) def.used = true;
          flush(start);
          out += `[${plainText(text.slice(start + 1, i), false)}]`;
          wrote = i + 1;
        }
      }
      start = -1;
      buf = '';
    }
    if (start >= 0 && i !== start) buf += c;
  }
  flush(text.length);
  return out;
}

const STD_PACKAGES = new Set(
  'bufio bytes cmp context crypto embed encoding errors expvar flag fmt hash html image io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing time unicode unique unsafe weak'.split(' '),
);

function isDocLink(inner: string, before: string, after: string): boolean {
  const edge = (r: string | undefined): boolean => r === undefined || /^[\p{P} \t\n]$/u.test(r);
  if (!edge([...before].pop()) || !edge([...after][0])) return false;
  const text = inner.startsWith('*') ? inner.slice(1) : inner;
  let [pkg, , ok] = splitDocName(text);
  if (ok) [pkg] = splitDocName(pkg);
  if (pkg === '') return false; // a symbol of this package: gofmt knows none
  if (pkg.includes('/')) return validImportPath(pkg);
  return STD_PACKAGES.has(pkg);
}

function splitDocName(text: string): [string, string, boolean] {
  const i = text.lastIndexOf('.');
  const name = text.slice(i + 1);
  if (!isName(name)) return [text, '', false];
  return [i >= 0 ? text.slice(0, i) : '', name, true];
}

function isName(s: string): boolean {
  return s !== '' && identLength(Buffer.from(s, 'utf8'), 0) === Buffer.byteLength(s, 'utf8') && /^\p{Lu}/u.test(s);
}

function validImportPath(path: string): boolean {
  if (path === '' || path[0] === '-' || path.includes('//') || path.endsWith('/')) return false;
  return path.split('/').every((elem) => elem !== '' && elem[0] !== '.' && !elem.endsWith('.') && /^[A-Za-z0-9\-.~_+]+$/.test(elem));
}

// The text functions below work on UTF-8 bytes, as Go's do: go/doc/comment
// steps through text a byte at a time, and one of its loops (the ``` run in
// parseText) indexes with an offset that is only right by accident, so
// UTF-16 offsets would not land where Go's land.

/** Length in bytes of the Go identifier ([\pL_][\pL_0-9]*) at b[i:], 0 if none. */
function identLength(b: Buffer, i: number): number {
  let n = i;
  while (n < b.length) {
    const c = b[n]!;
    if (c < 0x80) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (n > i && c >= 0x30 && c <= 0x39)) {
        n++;
        continue;
      }
      break;
    }
    const width = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (width > 1 && n + width <= b.length && /^\p{L}$/u.test(b.toString('utf8', n, n + width))) {
      n += width;
      continue;
    }
    break;
  }
  return n - i;
}

const BACKQUOTE = 0x60;
const QUOTE = 0x27;
const OPEN = Buffer.from('“', 'utf8');
const CLOSE = Buffer.from('”', 'utf8');

/** parseText, printed: `` and '' become “ and ” outside URLs (and ``` runs stay). */
function plainText(s: string, autoLink: boolean): string {
  const b = Buffer.from(s, 'utf8');
  const out: Buffer[] = [];
  let wrote = 0;
  for (let i = 0; i < b.length; ) {
    if (autoLink) {
      const url = autoURL(b, i);
      if (url > 0) {
        i += url;
        continue;
      }
      const id = identLength(b, i);
      if (id > 0) {
        i += id;
        continue;
      }
    }
    if (b[i] === BACKQUOTE && b[i + 1] === BACKQUOTE) {
      if (b[i + 2] === BACKQUOTE) {
        // Go skips the run with `for i < len(t) && t[i] == '`'`, t being s[i:]
        // and i still the index in s: gofmt does it, so svc does it too.
        const t = i;
        i += 3;
        while (i < b.length - t && b[t + i] === BACKQUOTE) i++;
        continue;
      }
      out.push(b.subarray(wrote, i), OPEN);
      i += 2;
      wrote = i;
    } else if (b[i] === QUOTE && b[i + 1] === QUOTE) {
      out.push(b.subarray(wrote, i), CLOSE);
      i += 2;
      wrote = i;
    } else {
      i++;
    }
  }
  out.push(b.subarray(wrote));
  return Buffer.concat(out).toString('utf8');
}

const mask = (chars: string, ranges: [string, string][] = []): Set<number> => {
  const set = new Set<number>([...chars].map((c) => c.charCodeAt(0)));
  for (const [from, to] of ranges) for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) set.add(c);
  return set;
};
const ALNUM: [string, string][] = [['A', 'Z'], ['a', 'z'], ['0', '9']];
const HOST = mask('_@-.[]:', ALNUM);
const PUNCT = mask('.,:;?!');
const PATH = mask("$'()*+&#=@~_/-[]{}%", ALNUM);

/** Length in bytes of the URL go/doc/comment links automatically at b[at:], 0 if none. */
function autoURL(b: Buffer, at: number): number {
  let i: number;
  if (b.length - at < 7) return 0;
  if (b[at + 3] === 0x3a) i = 3;
  else if (b[at + 4] === 0x3a) i = 4;
  else if (b[at + 5] === 0x3a) i = 5;
  else if (b[at + 6] === 0x3a) i = 6;
  else return 0;
  if (at + i + 3 > b.length || b.toString('latin1', at + i, at + i + 3) !== '://' || !SCHEMES.has(b.toString('latin1', at, at + i))) return 0;
  i += 3;
  if (at + i >= b.length || !HOST.has(b[at + i]!) || PUNCT.has(b[at + i]!)) return 0;
  i++;
  let end = i;
  while (at + i < b.length && HOST.has(b[at + i]!)) {
    if (!PUNCT.has(b[at + i]!)) end = i + 1;
    i++;
  }
  i = end;
  const stack: number[] = [];
  end = i;
  for (; at + i < b.length; i++) {
    const c = b[at + i]!;
    if (PUNCT.has(c)) continue;
    if (!PATH.has(c)) break;
    if (c === 0x28) stack.push(0x29);
    else if (c === 0x7b) stack.push(0x7d);
    else if (c === 0x5b) stack.push(0x5d);
    else if (c === 0x29 || c === 0x7d || c === 0x5d) {
      if (stack.length === 0 || stack[stack.length - 1] !== c) break;
      stack.pop();
    }
    if (stack.length === 0) end = i + 1;
  }
  return end;
}

import { UsageError, UserError } from '../errors.js';
import { pascal } from '../model/names.js';
import type { FieldSpec } from './fields.js';
import type { OperationSpec } from './openapi.js';

/**
 * Edits a .proto contract as text: RPCs go at the end of the service block,
 * messages at the end of the file, missing imports after the last import.
 * Every other byte stays as it was. Comments and string literals are masked
 * before anything is searched, so a `}` in a comment misleads nothing.
 */

/** The resource name and timestamps the starter's resource message sets itself. */
export const PROTO_RESERVED_FIELDS = ['name', 'create_time', 'update_time'];

interface Block {
  keyword: 'service' | 'message' | 'enum';
  name: string;
  /** Offset of the line the block starts on, its leading comment lines included. */
  start: number;
  /** Offset of the keyword. */
  at: number;
  /** Offset of the closing brace. */
  close: number;
}

/** A proto file, with comments and strings blanked out for searching. */
class ProtoText {
  readonly masked: string;
  readonly blocks: Block[];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.masked = mask(text);
    this.blocks = topLevelBlocks(text, this.masked);
  }

  line(offset: number): number {
    return this.text.slice(0, offset).split('\n').length;
  }

  block(keyword: Block['keyword'], name: string): Block | undefined {
    return this.blocks.find((b) => b.keyword === keyword && b.name === name);
  }

  /** The text of a block with its leading comments, ending in a newline. */
  source(b: Block): string {
    const end = this.text.indexOf('\n', b.close);
    return this.text.slice(b.start, end < 0 ? this.text.length : end + 1);
  }

  /** The RPCs in a service block: name, and the text with leading comments. */
  rpcs(service: Block): { name: string; at: number; text: string }[] {
    const out: { name: string; at: number; text: string }[] = [];
    const body = this.masked.slice(0, service.close);
    const re = /\brpc\s+(\w+)\s*\(/g;
    re.lastIndex = service.at;
    for (let m = re.exec(body); m; m = re.exec(body)) {
      const end = rpcEnd(this.masked, m.index);
      const start = withLeadingComments(this.text, lineStart(this.text, m.index));
      const lineEnd = this.text.indexOf('\n', end);
      out.push({ name: m[1]!, at: m.index, text: this.text.slice(start, lineEnd < 0 ? this.text.length : lineEnd + 1) });
      re.lastIndex = end;
    }
    return out;
  }

  /** Every RPC name in the file, with where it is declared. */
  allRpcs(): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of this.masked.matchAll(/\brpc\s+(\w+)\s*\(/g)) out.set(m[1]!, m.index);
    return out;
  }

  imports(): { path: string; end: number }[] {
    return [...this.masked.matchAll(/\bimport\s+(?:public\s+|weak\s+)?"[^"\n]*"\s*;/g)].map((m) => {
      const quote = m.index + m[0].indexOf('"');
      const close = this.text.indexOf('"', quote + 1);
      const lineEnd = this.text.indexOf('\n', m.index);
      return { path: this.text.slice(quote + 1, close), end: lineEnd < 0 ? this.text.length : lineEnd + 1 };
    });
  }
}

/**
 * Adds the starter's resource (rendered for the new name, entity message
 * `entity`) to a proto contract: its RPCs to the first service (the
 * starter's service block when the file has none), its messages at the end,
 * its imports. An RPC or top-level message of the same name is a user error
 * naming its line.
 */
export function addProtoResource(text: string, file: string, starter: string, entity: string, fields?: readonly FieldSpec[]): string {
  const target = new ProtoText(text, file);
  const from = new ProtoText(fields ? withProtoFields(starter, entity, fields) : starter, 'the starter proto');
  const service = from.blocks.find((b) => b.keyword === 'service')!;
  const messages = from.blocks.filter((b) => b.keyword !== 'service');
  for (const m of messages) refuseTakenName(target, m.name);
  const rpcs = from.rpcs(service);
  const taken = target.allRpcs();
  for (const r of rpcs) {
    const at = taken.get(r.name);
    if (at !== undefined) throw new UserError(`the RPC ${r.name} already exists`, { file, line: target.line(at) });
  }
  const into = target.blocks.find((b) => b.keyword === 'service');
  const edits: Edit[] = [...importEdits(target, from)];
  if (into) edits.push({ offset: lineStart(text, into.close), text: rpcs.map((r) => `\n${r.text}`).join('') });
  const tail = [...(into ? [] : [from.source(service)]), ...messages.map((m) => from.source(m))];
  edits.push({ offset: text.length, text: tail.map((t) => `\n${t}`).join('') });
  return applyEdits(text, edits);
}

/**
 * Adds an RPC with a google.api.http binding (`body: "*"` for post, put and
 * patch) and its two messages; the request has a string field per path
 * variable, the response none yet. `resource` picks the service
 * (`<Resource>Service`, or the one with `Get<Resource>`); the first otherwise.
 */
export function addProtoOperation(text: string, file: string, spec: OperationSpec): string {
  const target = new ProtoText(text, file);
  const name = pascal(spec.operationId);
  const at = target.allRpcs().get(name);
  if (at !== undefined) throw new UserError(`the RPC ${name} already exists`, { file, line: target.line(at) });
  for (const m of [`${name}Request`, `${name}Response`]) refuseTakenName(target, m);
  const service = serviceFor(target, spec.resource);
  const vars = [...spec.path.matchAll(/\{([^}=]+)(=[^}]*)?\}/g)].map((m) => m[1]!.trim());
  for (const v of vars) {
    if (!/^[a-z][a-z0-9_]*$/.test(v)) throw new UsageError(`--path ${spec.path}: the path variable "${v}" is not a field name svc can add (lower-case letters, digits and underscores); add the RPC to the contract by hand`);
  }
  const body = spec.method === 'post' || spec.method === 'put' || spec.method === 'patch';
  const binding = body ? `{\n      ${spec.method}: "${spec.path}"\n      body: "*"\n    }` : `{${spec.method}: "${spec.path}"}`;
  const rpc = [`  // TODO: say what ${name} does.`, `  rpc ${name}(${name}Request) returns (${name}Response) {`, `    option (google.api.http) = ${binding};`, '  }', ''].join('\n');
  const request = [`// The request of ${name}.`, `message ${name}Request {`, ...vars.map((v, i) => `  string ${v} = ${i + 1};`), ...(vars.length === 0 ? ['  // TODO: add its fields.'] : []), '}', ''].join('\n');
  const response = [`// The response of ${name}.`, `message ${name}Response {`, '  // TODO: add its fields.', '}', ''].join('\n');
  const edits: Edit[] = [
    ...importEdits(target, new ProtoText('import "google/api/annotations.proto";\n', '')),
    { offset: lineStart(text, service.close), text: `\n${rpc}` },
    { offset: text.length, text: `\n${request}\n${response}` },
  ];
  return applyEdits(text, edits);
}

/**
 * The starter's entity message with the user's fields: the resource name
 * (IDENTIFIER) and the timestamps (OUTPUT_ONLY) are kept around them, the
 * rest (and the status enum) goes; field numbers follow in order.
 */
export function withProtoFields(starter: string, entity: string, fields: readonly FieldSpec[]): string {
  const p = new ProtoText(starter, 'the starter proto');
  const message = p.block('message', entity)!;
  const open = p.masked.indexOf('{', message.at);
  const units = fieldUnits(starter, p.masked, open + 1, message.close);
  const kept = units.filter((u) => /IDENTIFIER|OUTPUT_ONLY/.test(u.text));
  const leading = kept.filter((u) => /IDENTIFIER/.test(u.text));
  const trailing = kept.filter((u) => !/IDENTIFIER/.test(u.text));
  const lines = [...leading.map((u) => u.text), ...fields.map(protoField), ...trailing.map((u) => u.text)];
  const numbered = lines.map((l, i) => l.replace(/=\s*\d+(?=\s*[;[])/, `= ${i + 1}`));
  const body = `\n${numbered.join('')}`;
  return starter.slice(0, open + 1) + body + starter.slice(lineStart(starter, message.close));
}

function protoField(f: FieldSpec): string {
  const type = { string: 'string', integer: 'int64', number: 'double', boolean: 'bool', 'date-time': 'google.protobuf.Timestamp' }[f.type];
  return `  ${f.list ? 'repeated ' : ''}${type} ${f.name} = 0${f.required ? ' [(google.api.field_behavior) = REQUIRED]' : ''};\n`;
}

/** The field declarations of a message body (nested messages and enums left out), each with its comment lines. */
function fieldUnits(text: string, masked: string, from: number, to: number): { text: string }[] {
  const units: { text: string }[] = [];
  let depth = 0;
  let pending = '';
  let lineAt = lineStart(text, from) === from ? from : text.indexOf('\n', from) + 1;
  while (lineAt < to) {
    const end = text.indexOf('\n', lineAt) + 1 || text.length;
    const line = text.slice(lineAt, end);
    const code = masked.slice(lineAt, end);
    const wasNested = depth > 0;
    depth += (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
    if (wasNested || depth > 0) pending = '';
    else if (code.trim() === '') pending = line.trim() === '' ? '' : pending + line;
    else {
      units.push({ text: pending + line });
      pending = '';
    }
    lineAt = end;
  }
  return units;
}

function serviceFor(target: ProtoText, resource: string | undefined): Block {
  const services = target.blocks.filter((b) => b.keyword === 'service');
  if (resource === undefined) {
    if (!services[0]) throw new UserError('the contract has no service block to add the RPC to', { file: target.file });
    return services[0];
  }
  const entity = pascal(resource);
  const found = services.find((s) => s.name === `${entity}Service`) ?? services.find((s) => target.rpcs(s).some((r) => r.name === `Get${entity}`));
  if (!found) throw new UserError(`--resource ${resource}: the contract has no ${entity}Service nor an RPC Get${entity}`, { file: target.file });
  return found;
}

function refuseTakenName(target: ProtoText, name: string): void {
  const b = target.blocks.find((x) => x.name === name && x.keyword !== 'service');
  if (b) throw new UserError(`the ${b.keyword} ${name} already exists`, { file: target.file, line: target.line(b.at) });
}

interface Edit {
  offset: number;
  text: string;
}

/** The starter's imports the target lacks, after the target's last import (or its package line). */
function importEdits(target: ProtoText, from: ProtoText): Edit[] {
  const have = new Set(target.imports().map((i) => i.path));
  const missing = from.imports().filter((i) => !have.has(i.path));
  if (missing.length === 0) return [];
  const last = target.imports().at(-1);
  const pkg = /\bpackage\s+[\w.]+\s*;[^\n]*\n?/.exec(target.masked);
  const offset = last?.end ?? (pkg ? pkg.index + pkg[0].length : 0);
  return [{ offset, text: missing.map((i) => `import "${i.path}";\n`).join('') }];
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) {
    const before = out.slice(0, e.offset);
    const sep = before.length > 0 && !before.endsWith('\n') ? '\n' : '';
    out = before + sep + e.text + out.slice(e.offset);
  }
  return out;
}

/** The text with comments and string literals replaced by spaces (newlines kept), so offsets stay the same. */
function mask(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    let end = i + 1;
    if (c === '/' && next === '/') end = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (c === '/' && next === '*') end = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 2;
    else if (c === '"' || c === "'") {
      end = i + 1;
      while (end < text.length && text[end] !== c && text[end] !== '\n') end += text[end] === '\\' ? 2 : 1;
      // The quotes stay, so that an import's path can be found by its quotes.
      out += c + text.slice(i + 1, end).replace(/[^\n]/g, ' ') + (text[end] === c ? c : '');
      i = text[end] === c ? end + 1 : end;
      continue;
    } else {
      out += c;
      i++;
      continue;
    }
    out += text.slice(i, end).replace(/[^\n]/g, ' ');
    i = end;
  }
  return out;
}

function topLevelBlocks(text: string, masked: string): Block[] {
  const blocks: Block[] = [];
  let depth = 0;
  const re = /\b(service|message|enum)\s+(\w+)\s*\{|[{}]/g;
  for (let m = re.exec(masked); m; m = re.exec(masked)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') depth--;
    else {
      if (depth === 0) {
        const close = matchingBrace(masked, m.index + m[0].length - 1);
        blocks.push({ keyword: m[1] as Block['keyword'], name: m[2]!, start: withLeadingComments(text, lineStart(text, m.index)), at: m.index, close });
      }
      depth++;
    }
  }
  return blocks;
}

function matchingBrace(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === '{') depth++;
    else if (masked[i] === '}' && --depth === 0) return i;
  }
  return masked.length - 1;
}

/** Where an RPC declaration ends: after its `;` or its options block's closing brace. */
function rpcEnd(masked: string, at: number): number {
  for (let i = at; i < masked.length; i++) {
    if (masked[i] === ';') return i + 1;
    if (masked[i] === '{') return matchingBrace(masked, i) + 1;
  }
  return masked.length;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the `//` comment lines right above a line (no blank line between). */
function withLeadingComments(text: string, start: number): number {
  let at = start;
  while (at > 0) {
    const prev = lineStart(text, at - 1);
    if (!text.slice(prev, at).trim().startsWith('//')) break;
    at = prev;
  }
  return at;
}

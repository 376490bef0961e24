import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { devNull, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type protobuf from 'protobufjs';
import { UserError } from '../errors.js';
import { readError } from './source.js';

/**
 * protobufjs (~40 modules), loaded when a proto is first parsed: an OpenAPI
 * run never needs it. The model builder checks its classes through this
 * function too, so that importing the builder loads nothing.
 */
let protobufLib: typeof protobuf | undefined;
export function protobufjs(): typeof protobuf {
  protobufLib ??= createRequire(import.meta.url)('protobufjs') as typeof protobuf;
  return protobufLib;
}

/** One proto file as read: its import path, where it came from and what it imports. */
export interface LoadedProtoFile {
  /** Import path, e.g. `google/pubsub/v1/pubsub.proto`. */
  path: string;
  /** Where it was read from on disk (or the display path of text given directly). */
  diskPath: string;
  /** How messages name it: the path as given, relative to cwd, or the import path of a bundled proto. */
  display: string;
  text: string;
  package: string;
  imports: string[];
  /** Found in the include folders of google-proto-files (the well-known and Google API protos) rather than the user's. */
  fromLibrary: boolean;
  /** The `go_package` option, if set. */
  goPackage?: string;
}

/** A protobuf contract as loaded: every file parsed into one protobufjs root, types resolved. */
export interface LoadedProto {
  kind: 'proto';
  root: protobuf.Root;
  /** Import paths of the contract's own files (the ones services are generated for). */
  main: string[];
  /** Every file by import path: the contract's and its transitive imports. */
  files: Map<string, LoadedProtoFile>;
  /** The user's include folders, absolute (the contract's own folder is among them). */
  includes: string[];
  displayPath: string;
  /** With `deferCheck`: protoc's check of the contract, rejected with its first mistake (a UserError). */
  checked?: Promise<void>;
}

/** The root folder of the npm package google-proto-files: google/api, google/rpc, google/protobuf, ... */
export const LIBRARY_PROTOS = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));

export interface ProtoLoadOptions {
  /** Extra include folders (`-I`), relative to `cwd`. */
  includes?: string[];
  cwd?: string;
  /** How errors name the main file (defaults to the path as given). */
  displayPath?: string;
  /** The main file's text, when already in memory. */
  text?: string;
  /**
   * Environment whose PATH is searched for `protoc`, which words syntax errors
   * when installed (defaults to process.env; tests pass an empty PATH to get
   * the protobufjs wording).
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Do not wait for protoc's check of the contract: it runs while the caller
   * goes on, and its outcome is the result's `checked`, which the caller
   * awaits before protoc generates from the contract (and, on a mistake of
   * its own, before it reports that: protoc's finding comes first).
   */
  deferCheck?: boolean;
}

/**
 * Loads a .proto contract and everything it imports. Imports are looked up in
 * the user's include folders, then in the protos of google-proto-files (so
 * google/api/annotations.proto and google/protobuf/*.proto resolve without
 * vendoring). Every user mistake becomes a UserError with file:line:column.
 */
export async function loadProto(path: string, options: ProtoLoadOptions = {}): Promise<LoadedProto> {
  const cwd = options.cwd ?? process.cwd();
  const abs = resolve(cwd, path);
  const displayPath = options.displayPath ?? path;
  const includes = (options.includes ?? []).map((i) => resolve(cwd, i));
  // How messages name each include folder: as the user wrote it when relative, else relative to cwd when inside it.
  const includeDisplays = (options.includes ?? []).map((i, n) => (isAbsolute(i) ? relativeDisplay(cwd, includes[n]!) : i));
  for (const [i, dir] of includes.entries()) {
    if (!existsSync(dir)) throw new UserError(`include folder not found: ${includeDisplays[i]}`);
  }
  // The main file's import path: relative to the first include folder holding it, else its own folder.
  let mainImport: string | undefined;
  for (const dir of includes) {
    const rel = relative(dir, abs);
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      mainImport = rel.split(sep).join('/');
      break;
    }
  }
  if (mainImport === undefined) {
    includes.push(dirname(abs));
    includeDisplays.push(`${isAbsolute(path) ? relativeDisplay(cwd, dirname(abs)) : dirname(path)} (the contract's folder)`);
    mainImport = relative(dirname(abs), abs).split(sep).join('/');
  }
  let mainText = options.text;
  if (mainText === undefined) {
    try {
      mainText = readFileSync(abs, 'utf8');
    } catch (err) {
      throw readError(err, displayPath);
    }
  }

  const root = new (protobufjs().Root)();
  const files = new Map<string, LoadedProtoFile>();
  const queue: { path: string; diskPath: string; display: string; text: string; fromLibrary: boolean }[] = [
    { path: mainImport, diskPath: abs, display: displayPath, text: mainText, fromLibrary: false },
  ];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (files.has(next.path)) continue;
    const parsed = await parseFile(next.text, next.path, next.display, root, includes, options.env ?? process.env);
    const file: LoadedProtoFile = {
      path: next.path,
      diskPath: next.diskPath,
      display: next.display,
      text: next.text,
      package: parsed.package ?? '',
      imports: [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])],
      fromLibrary: next.fromLibrary,
    };
    const goPackage = optionValue(next.text, 'go_package');
    if (goPackage !== undefined) file.goPackage = goPackage;
    files.set(next.path, file);
    for (const imp of file.imports) {
      if (files.has(imp) || queue.some((q) => q.path === imp)) continue;
      const found = findImport(imp, includes);
      if (!found) {
        const line = lineOf(next.text, (l) => l.includes(`"${imp}"`));
        const searched = [...includeDisplays, LIBRARY_DISPLAY];
        const list = searched.length > 1 ? `${searched.slice(0, -1).join(', ')} and ${searched[searched.length - 1]!}` : searched[0]!;
        throw new UserError(`import "${imp}" not found; searched ${list}; add the folder it is under with -I`, {
          file: next.display,
          ...(line !== undefined ? { line } : {}),
          ...(columnOf(next.text, line, `"${imp}"`) !== undefined ? { column: columnOf(next.text, line, `"${imp}"`)! } : {}),
        });
      }
      const display = found.library ? imp : relativeDisplay(cwd, found.diskPath);
      let text: string;
      try {
        text = readFileSync(found.diskPath, 'utf8');
      } catch (err) {
        throw readError(err, display, 'imported file');
      }
      queue.push({ path: imp, diskPath: found.diskPath, display, text, fromLibrary: found.library });
    }
  }
  // protoc checks the contract on the other core while protobufjs resolves it.
  const checked = protocCheck(mainImport, files, options.env ?? process.env);
  checked.catch(() => undefined); // awaited below, or by the caller
  try {
    checkImportCycles(mainImport, files);
    try {
      root.resolveAll();
    } catch (err) {
      throw resolveError(err as Error, root, files);
    }
    checkFieldNumbers(root, files);
  } catch (err) {
    // What protobufjs refuses is told as before; protoc is let finish (its scratch folder removed).
    await checked.catch(() => undefined);
    throw err;
  }
  const loaded: LoadedProto = { kind: 'proto', root, main: [mainImport], files, includes, displayPath };
  if (options.deferCheck) return { ...loaded, checked };
  await checked;
  return loaded;
}

/**
 * Files that import themselves, through others or directly: protoc refuses
 * them, and every later step would follow the imports round for ever. Told
 * at the import that closes the cycle. The walk keeps its own stack.
 */
function checkImportCycles(main: string, files: Map<string, LoadedProtoFile>): void {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  const stack: { file: string; next: number }[] = [{ file: main, next: 0 }];
  onPath.set(main, 0);
  path.push(main);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const imports = files.get(top.file)?.imports ?? [];
    if (top.next >= imports.length) {
      stack.pop();
      path.pop();
      onPath.delete(top.file);
      done.add(top.file);
      continue;
    }
    const imp = imports[top.next++]!;
    if (done.has(imp) || !files.has(imp)) continue;
    const at = onPath.get(imp);
    if (at !== undefined) {
      const from = files.get(top.file)!;
      const cycle = [...path.slice(at), imp].join(' -> ');
      const line = lineOf(from.text, (l) => l.includes(`"${imp}"`));
      const column = columnOf(from.text, line, `"${imp}"`);
      throw new UserError(`import cycle: ${cycle} (a file may not import itself, directly or through others)`, {
        file: from.display,
        ...(line !== undefined ? { line } : {}),
        ...(column !== undefined ? { column } : {}),
      });
    }
    onPath.set(imp, path.length);
    path.push(imp);
    stack.push({ file: imp, next: 0 });
  }
}

/** The largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD_NUMBER = 536_870_911;

/**
 * Field numbers protoc refuses and protobufjs accepts: out of 1..2^29-1, or
 * in 19000-19999, which protobuf keeps for itself. Told at the field.
 */
function checkFieldNumbers(root: protobuf.Root, files: Map<string, LoadedProtoFile>): void {
  const stack: protobuf.ReflectionObject[] = [...root.nestedArray];
  while (stack.length > 0) {
    const obj = stack.pop()!;
    if (obj instanceof protobufjs().Type) {
      for (const field of obj.fieldsArray) {
        const id = field.id;
        const outOfRange = !Number.isInteger(id) || id < 1 || id > MAX_FIELD_NUMBER;
        if (!outOfRange && (id < 19000 || id > 19999)) continue;
        const file = [...files.values()].find((f) => f.path === (field.filename ?? obj.filename));
        // The number as written may not print back the same (1e+23 for 99999999999999999999999).
        const use = new RegExp(`\\b${escapeRegExp(field.name)}\\s*=\\s*(-?(?:0[xX][0-9a-fA-F]+|\\d+))`);
        const written = (l: string) => {
          const m = use.exec(l);
          return m !== null && Number(m[1]) === id;
        };
        const line = file ? (lineOf(file.text, written) ?? lineOf(file.text, (l) => use.test(l))) : undefined;
        const hit = file && line !== undefined ? use.exec(file.text.split('\n')[line - 1]!) : null;
        const column = hit ? hit.index + 1 : undefined;
        const shown = hit?.[1] ?? String(id);
        const problem = outOfRange ? `field number ${shown} is out of range: use 1 to ${MAX_FIELD_NUMBER}` : `field number ${shown} is in 19000-19999, which protobuf keeps for itself: use another`;
        throw new UserError(`"${field.name}" in message ${obj.fullName.replace(/^\./, '')}: ${problem}`, {
          file: file?.display ?? obj.filename ?? '',
          ...(line !== undefined ? { line } : {}),
          ...(column !== undefined ? { column } : {}),
        });
      }
    }
    if (obj instanceof protobufjs().Namespace) stack.push(...obj.nestedArray);
  }
}

/** How messages name the include folder of google-proto-files, the same on every machine. */
export const LIBRARY_DISPLAY = "svc's bundled protos (google/api, google/rpc, google/type, google/protobuf, ...)";

/** A path relative to cwd when it is inside it, else as is. */
function relativeDisplay(cwd: string, p: string): string {
  const rel = relative(cwd, p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel.split(sep).join('/');
}

function findImport(imp: string, includes: string[]): { diskPath: string; library: boolean } | undefined {
  for (const dir of includes) {
    const p = join(dir, imp);
    if (existsSync(p)) return { diskPath: p, library: false };
  }
  const p = join(LIBRARY_PROTOS, imp);
  if (existsSync(p)) return { diskPath: p, library: true };
  return undefined;
}

interface ParseResult {
  package?: string;
  imports?: string[];
  weakImports?: string[];
}

async function parseFile(text: string, importPath: string, display: string, root: protobuf.Root, includes: string[], env: NodeJS.ProcessEnv): Promise<ParseResult> {
  const edition = /^\s*edition\s*=\s*"([^"]*)"/m.exec(text);
  if (edition) {
    const line = lineOf(text, (l) => /^\s*edition\s*=/.test(l));
    throw new UserError(`editions syntax (edition = "${edition[1]}") is not supported; use syntax = "proto3" or "proto2"`, { file: display, ...(line !== undefined ? { line, column: columnOf(text, line, 'edition')! } : {}) });
  }
  const syntax = /^\s*syntax\s*=\s*["']([^"']*)["']/m.exec(text);
  if (syntax && syntax[1] !== 'proto2' && syntax[1] !== 'proto3') {
    const line = lineOf(text, (l) => /^\s*syntax\s*=/.test(l));
    const column = line === undefined ? -1 : text.split('\n')[line - 1]!.search(/["']/);
    throw new UserError(`unsupported syntax "${syntax[1]}"; use syntax = "proto3" or "proto2"`, { file: display, ...(line !== undefined ? { line, column: column + 1 } : {}) });
  }
  let failure: Error;
  try {
    // parse.filename names the file in protobufjs's own messages and on every type it declares.
    (protobufjs().parse as unknown as { filename: string | null }).filename = importPath;
    return protobufjs().parse(text, root, { keepCase: true, alternateCommentMode: true }) as ParseResult;
  } catch (err) {
    failure = err as Error;
  } finally {
    (protobufjs().parse as unknown as { filename: string | null }).filename = null;
  }
  throw await parseError(failure.message, text, display, importPath, includes, env);
}

/**
 * A file protobufjs cannot parse. The message is protoc's (`Expected ";".`,
 * `"Get" is already defined in "x.v1.S".`) when protoc is installed, since it
 * says what was expected; else one made from protobufjs's, located on the
 * line. Either way a missing `;` is reported right after the token it should
 * follow, not at the start of the next line.
 */
async function parseError(message: string, text: string, display: string, importPath: string, includes: string[], env: NodeJS.ProcessEnv): Promise<UserError> {
  const duplicate = message.startsWith('duplicate ');
  const prefix = duplicate ? '' : 'syntax error: ';
  const found = (await protocError(text, importPath, includes, env)) ?? fallbackError(message, text);
  // A missing `;` or `=` belongs after the token before it, which may be on the line above.
  const at = found.line !== undefined && /^Expected "[;=,\]})]"\.$/.test(found.message) ? afterPreviousToken(text, found.line, found.column) : found;
  return new UserError(`${prefix}${found.message}`, {
    file: display,
    ...(at.line !== undefined ? { line: at.line } : {}),
    ...(at.line !== undefined && at.column !== undefined ? { column: at.column } : {}),
  });
}

interface Located {
  message: string;
  line?: number;
  column?: number;
}

/** protoc's first located message about the file, from a scratch copy of its text (so it is the text svc read). */
async function protocError(text: string, importPath: string, includes: string[], env: NodeJS.ProcessEnv): Promise<Located | undefined> {
  const protoc = findOnPath('protoc', env);
  if (!protoc) return undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'svc-protoc-'));
  try {
    const p = join(scratch, importPath);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text);
    const args = [scratch, ...includes, LIBRARY_PROTOS].flatMap((i) => ['-I', i]);
    const { execa } = await import('execa');
    const r = await execa(protoc, [...args, '-o', devNull, importPath], { reject: false, cwd: scratch, env, extendEnv: false });
    for (const l of String(r.stderr ?? '').split('\n')) {
      if (!l.startsWith(`${importPath}:`)) continue;
      const m = /^:(\d+):(\d+): (.*)$/.exec(l.slice(importPath.length));
      // protoc prints 1-based lines and columns.
      if (m) return { message: m[3]!.trim(), line: Number(m[1]), column: Number(m[2]) };
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * What protoc refuses and protobufjs accepts (the first enum value of a
 * proto3 enum not zero, a stray byte-order mark, ...) would fail generation
 * later, in several lines of protoc output: with protoc installed, the
 * contract as read is compiled once here and its first error told, located.
 */
async function protocCheck(main: string, files: Map<string, LoadedProtoFile>, env: NodeJS.ProcessEnv): Promise<void> {
  const protoc = findOnPath('protoc', env);
  if (!protoc) return;
  const own = [...files.values()].filter((f) => !f.fromLibrary);
  const scratch = await mkdtemp(join(tmpdir(), 'svc-protoc-'));
  let found: { file: LoadedProtoFile | undefined; name: string; line?: number; column?: number; message: string } | undefined;
  try {
    for (const f of own) {
      const p = join(scratch, f.path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, f.text);
    }
    const { execa } = await import('execa');
    const r = await execa(protoc, ['-I', scratch, '-I', LIBRARY_PROTOS, '-o', devNull, main], { reject: false, cwd: scratch, env, extendEnv: false });
    if (r.exitCode === 0) return;
    const lines = String(r.stderr ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[') && !/: warning: /.test(l));
    for (const l of lines) {
      const m = /^(.+?\.proto):(\d+):(\d+): (.*)$/.exec(l) ?? /^(.+?\.proto): (.*)$/.exec(l);
      if (!m) continue;
      const located = m.length === 5;
      found = { file: files.get(m[1]!), name: m[1]!, message: (located ? m[4] : m[2])!.trim(), ...(located ? { line: Number(m[2]), column: Number(m[3]) } : {}) };
      if (located) break;
    }
    if (!found && lines[0] !== undefined) found = { file: files.get(main), name: main, message: lines[0].trim() };
  } catch {
    return; // protoc could not be run: generation will say so
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!found) return;
  throw new UserError(found.message, {
    file: found.file?.display ?? found.name,
    ...(found.line !== undefined ? { line: found.line } : {}),
    ...(found.line !== undefined && found.column !== undefined ? { column: found.column } : {}),
  });
}

/** An executable on env.PATH (nothing else: an empty PATH finds nothing). */
function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KINDS: Record<string, string> = { Service: 'service', Type: 'message', Enum: 'enum', Namespace: 'package', Root: 'the file' };

/** A message and location made from protobufjs's error, when protoc cannot be asked. */
export function fallbackError(message: string, text: string): Located {
  const lines = text.split('\n');
  const lastLine = (): Located => {
    let n = lines.length;
    while (n > 1 && lines[n - 1]!.trim() === '') n--;
    return { line: n, column: lines[n - 1]!.length + 1, message: '' };
  };
  const expected = /^illegal token '(.*)', '(.*)' expected \(line (\d+)\)$/.exec(message);
  if (expected) {
    const [, token, want, line] = expected as unknown as [string, string, string, string];
    if (token === 'null') return { ...lastLine(), message: `Reached end of input, expected "${want}".` };
    return { message: `Expected "${want}".`, line: Number(line), ...col(text, Number(line), token) };
  }
  const illegal = /^illegal ([\w ]+?) '(.*)' \((?:.*, )?line (\d+)\)$/.exec(message);
  if (illegal) {
    const [, what, token, line] = illegal as unknown as [string, string, string, string];
    if (token === 'null' || what === 'end of input') return { ...lastLine(), message: unclosedBraces(text) > 0 ? "Reached end of input (missing '}')." : 'Reached end of input.' };
    const desc = what === 'token' ? `Unexpected "${token}".` : `Invalid ${what} "${token}".`;
    return { message: desc, line: Number(line), ...col(text, Number(line), token) };
  }
  const unterminated = /^illegal (string|comment) \(line (\d+)\)$/.exec(message);
  if (unterminated) return { message: `Unterminated ${unterminated[1]}.`, line: Number(unterminated[2]) };
  const name = /^duplicate name '(.*)' in (\w+)(?: \.?(\S+))?$/.exec(message);
  if (name) {
    const [, dup, kind, scope] = name as unknown as [string, string, string, string | undefined];
    const decl = new RegExp(`(^|[\\s{;])(?:(?:message|enum|service|rpc|oneof)\\s+${escapeRegExp(dup)}\\b|${escapeRegExp(dup)}\\s*=\\s*-?\\d)`);
    const at = nthLine(lines, (l) => decl.test(l), 2);
    const where = scope ? `${KINDS[kind] ?? kind} "${scope}"` : (KINDS[kind] ?? kind);
    return { message: `"${dup}" is already defined in ${where}.`, ...(at !== undefined ? { line: at, ...col(text, at, dup) } : {}) };
  }
  const id = /^duplicate id (\d+) in (\w+)(?: \.?(\S+))?$/.exec(message);
  if (id) {
    const [, number, kind, scope] = id as unknown as [string, string, string, string | undefined];
    const start = scope ? lineOf(text, (l) => new RegExp(`\\b(message|enum)\\s+${escapeRegExp(scope.split('.').pop()!)}\\b`).test(l)) ?? 1 : 1;
    const use = new RegExp(`=\\s*(${number})\\s*[;\\[]`);
    const at = nthLine(lines, (l) => use.test(l), 2, start);
    const where = scope ? `${KINDS[kind] ?? kind} "${scope}"` : (KINDS[kind] ?? kind);
    const hit = at === undefined ? null : use.exec(lines[at - 1]!);
    return { message: `Number ${number} has already been used in ${where}.`, ...(at !== undefined && hit ? { line: at, column: hit.index + hit[0].indexOf(number) + 1 } : {}) };
  }
  if (message === 'max depth exceeded') {
    const at = deepBrace(text, NESTING_LIMIT);
    return { message: `Nested too deeply: protobuf allows ${NESTING_LIMIT} levels of nested messages and option values.`, ...at };
  }
  // protobufjs can fail without saying where (a TypeError at the end of input): an unclosed block is the usual cause.
  if (unclosedBraces(text) > 0) return { ...lastLine(), message: "Reached end of input (missing '}')." };
  return { message: /^illegal /.test(message) ? message.replace(/^illegal /, 'invalid ') : `cannot parse the file (${message})` };
}

/** protobufjs's (and protoc's) limit on nested message declarations. */
const NESTING_LIMIT = 32;

/** Where the first `{` opening level `depth + 1` is (strings and comments left out), 1-based. */
function deepBrace(text: string, depth: number): { line?: number; column?: number } {
  let level = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    } else if (c === '/' && text[i + 1] === '/') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 1;
      for (; i < stop; i++) if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    } else if (c === '{' && ++level > depth) return { line, column: i - lineStart + 1 };
    else if (c === '}') level--;
  }
  return {};
}

/** How many `{` are left open at the end of the text (strings and comments left out). */
function unclosedBraces(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  return depth;
}

/** The column of `token` on a line: as a whole word when it is one, else its first occurrence. */
function col(text: string, line: number, token: string): { column?: number } {
  if (/^\w+$/.test(token)) {
    const at = (text.split('\n')[line - 1] ?? '').search(new RegExp(`\\b${token}\\b`));
    if (at >= 0) return { column: at + 1 };
  }
  const c = columnOf(text, line, token);
  return c === undefined ? {} : { column: c };
}

/** The 1-based number of the n-th line (from line `from`) matching `test`, else the first one. */
function nthLine(lines: string[], test: (l: string) => boolean, n: number, from = 1): number | undefined {
  let first: number | undefined;
  let seen = 0;
  for (let i = from - 1; i < lines.length; i++) {
    if (!test(lines[i]!)) continue;
    first ??= i + 1;
    if (++seen === n) return i + 1;
  }
  return first;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where a missing token belongs: when the parser stopped at the first token of
 * a line (or past the end), right after the last token before it — the end
 * of the previous line with code, trailing comment left out.
 */
export function afterPreviousToken(text: string, line: number, column: number | undefined): { line: number; column?: number } {
  const lines = text.split('\n');
  const here = lines[line - 1];
  const startOfLine = here === undefined || column === undefined || here.slice(0, column - 1).trim() === '';
  if (!startOfLine) return column === undefined ? { line } : { line, column };
  for (let i = Math.min(line, lines.length) - 2; i >= 0; i--) {
    const code = stripLineComment(lines[i]!).trimEnd();
    if (code.trim() === '') continue;
    return { line: i + 1, column: code.length + 1 };
  }
  return column === undefined ? { line } : { line, column };
}

/** A line without its `//` comment (one outside a string). */
function stripLineComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** An unresolvable type name, located at its use in the file that declares the referring type. */
function resolveError(err: Error, root: protobuf.Root, files: Map<string, LoadedProtoFile>): UserError {
  const m = /no such type: (\S+)/.exec(err.message) ?? /no such (?:Type or Enum|Enum|Type) '([^']+)' in \w+ (\S+)/.exec(err.message);
  if (!m) return new UserError(`invalid contract: ${err.message}`);
  const name = m[1]!;
  const scope = m[2];
  let owner: string | undefined;
  if (scope) {
    try {
      owner = root.lookup(scope)?.filename ?? undefined;
    } catch {
      owner = undefined;
    }
  }
  const use = new RegExp(`(^|[\\s(<,])\\.?${escapeRegExp(name)}[\\s>,)]`);
  const candidates = [...files.values()].filter((f) => !f.fromLibrary).sort((a, b) => Number(b.path === owner) - Number(a.path === owner));
  for (const f of candidates) {
    const start = scope ? (lineOf(f.text, (l) => new RegExp(`^\\s*(message|service)\\s+${escapeRegExp(scope.split('.').pop()!)}\\b`).test(l)) ?? 1) : 1;
    const lines = f.text.split('\n');
    let line: number | undefined;
    for (let i = start - 1; i < lines.length && line === undefined; i++) {
      if (use.test(lines[i]!) && !/^\s*(message|enum)\s/.test(lines[i]!)) line = i + 1;
    }
    if (line !== undefined) {
      return new UserError(`unknown type "${name}" (not declared in this file or its imports)`, {
        file: f.display,
        line,
        ...col(f.text, line, name),
      });
    }
  }
  return new UserError(`unknown type "${name}" (not declared in the contract or its imports)`);
}

/** A file-level option's string value, e.g. go_package. */
export function optionValue(text: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*option\\s+${name}\\s*=\\s*"([^"]*)"`, 'm').exec(text);
  return m?.[1];
}

/** The 1-based number of the first line matching `test`. */
export function lineOf(text: string, test: (line: string) => boolean): number | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (test(lines[i]!)) return i + 1;
  return undefined;
}

/** The 1-based column of `needle` on a 1-based line, when found. */
export function columnOf(text: string, line: number | undefined, needle: string): number | undefined {
  if (line === undefined) return undefined;
  const l = text.split('\n')[line - 1] ?? '';
  const at = l.indexOf(needle);
  return at < 0 ? undefined : at + 1;
}

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import protobuf from 'protobufjs';
import { execa } from 'execa';
import { UserError } from '../errors.js';

/** One proto file as read: its import path, where it came from and what it imports. */
export interface LoadedProtoFile {
  /** Import path, e.g. `google/pubsub/v1/pubsub.proto`. */
  path: string;
  /** Where it was read from on disk (or the display path of text given directly). */
  diskPath: string;
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
  for (const [i, dir] of includes.entries()) {
    if (!existsSync(dir)) throw new UserError(`include folder not found: ${options.includes![i]}`);
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
    mainImport = relative(dirname(abs), abs).split(sep).join('/');
  }
  let mainText = options.text;
  if (mainText === undefined) {
    try {
      mainText = readFileSync(abs, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? `contract file not found: ${displayPath}` : `cannot read ${displayPath}: ${(err as Error).message}`);
    }
  }

  const root = new protobuf.Root();
  const files = new Map<string, LoadedProtoFile>();
  const queue: { path: string; diskPath: string; display: string; text: string; fromLibrary: boolean; importedBy?: { file: string; line: number } }[] = [
    { path: mainImport, diskPath: abs, display: displayPath, text: mainText, fromLibrary: false },
  ];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (files.has(next.path)) continue;
    const parsed = await parseFile(next.text, next.path, next.display, next.diskPath, root, includes);
    const file: LoadedProtoFile = {
      path: next.path,
      diskPath: next.diskPath,
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
        const searched = [...includes, LIBRARY_PROTOS].map((d) => relativeDisplay(cwd, d));
        throw new UserError(`import "${imp}" not found; searched: ${searched.join(', ')} (add its folder with -I)`, {
          file: next.display,
          line,
          column: columnOf(next.text, line, `"${imp}"`),
        });
      }
      queue.push({ path: imp, diskPath: found.diskPath, display: relativeDisplay(cwd, found.diskPath), text: readFileSync(found.diskPath, 'utf8'), fromLibrary: found.library });
    }
  }
  try {
    root.resolveAll();
  } catch (err) {
    throw resolveError(err as Error, files, cwd);
  }
  return { kind: 'proto', root, main: [mainImport], files, includes, displayPath };
}

function relativeDisplay(cwd: string, p: string): string {
  const rel = relative(cwd, p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
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

async function parseFile(text: string, importPath: string, display: string, diskPath: string, root: protobuf.Root, includes: string[]): Promise<ParseResult> {
  const edition = /^\s*edition\s*=\s*"([^"]*)"/m.exec(text);
  if (edition) {
    const line = lineOf(text, (l) => /^\s*edition\s*=/.test(l));
    throw new UserError(`editions syntax (edition = "${edition[1]}") is not supported; use syntax = "proto3" or "proto2"`, { file: display, line, column: 1 });
  }
  try {
    // parse.filename names the file in protobufjs's own messages and on every type it declares.
    (protobuf.parse as unknown as { filename: string | null }).filename = importPath;
    return protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true }) as ParseResult;
  } catch (err) {
    throw await syntaxError(err as Error, text, display, diskPath, importPath, includes);
  } finally {
    (protobuf.parse as unknown as { filename: string | null }).filename = null;
  }
}

/**
 * A syntax error as protoc words it (`file:line:column: Expected ";".`) when
 * protoc is installed, else from protobufjs's message with the column found on
 * the line.
 */
async function syntaxError(err: Error, text: string, display: string, diskPath: string, importPath: string, includes: string[]): Promise<UserError> {
  const m = /illegal (\w+) '([^']*)' \(.*line (\d+)\)/.exec(err.message);
  if (existsSync(diskPath)) {
    const include = diskPath.slice(0, diskPath.length - importPath.length) || '.';
    try {
      const r = await execa('protoc', ['-I', include, ...includes.flatMap((i) => ['-I', i]), '-I', LIBRARY_PROTOS, '-o', '/dev/null', importPath], { reject: false, cwd: include });
      const first = (r.stderr ?? '').split('\n').find((l) => /:\d+:\d+: /.test(l));
      const pm = first && /:(\d+):(\d+): (.*)$/.exec(first);
      if (pm) return new UserError(`syntax error: ${pm[3]!}`, { file: display, line: Number(pm[1]), column: Number(pm[2]) + 1 });
    } catch {
      // protoc is not installed: fall back to protobufjs's wording.
    }
  }
  if (m) {
    const line = Number(m[3]);
    const what = m[1] === 'token' ? `unexpected '${m[2]}'` : `invalid ${m[1]} '${m[2]}'`;
    return new UserError(`syntax error: ${what}`, { file: display, line, column: columnOf(text, line, m[2]!) });
  }
  return new UserError(`syntax error: ${err.message}`, { file: display });
}

/** An unresolvable type name, located at its first use in the file that declares the referring type. */
function resolveError(err: Error, files: Map<string, LoadedProtoFile>, cwd: string): UserError {
  const m = /no such type: (\S+)/.exec(err.message);
  if (m) {
    const name = m[1]!;
    for (const f of files.values()) {
      if (f.fromLibrary) continue;
      const line = lineOf(f.text, (l) => new RegExp(`(^|[\\s(<,])\\.?${name.replaceAll('.', '\\.')}[\\s>,)]`).test(l) && !/^\s*(message|enum)\s/.test(l));
      if (line !== undefined) {
        return new UserError(`unknown type "${name}" (not declared in this file or its imports)`, {
          file: relativeDisplay(cwd, f.diskPath),
          line,
          column: columnOf(f.text, line, name),
        });
      }
    }
    return new UserError(`unknown type "${name}" (not declared in the contract or its imports)`);
  }
  return new UserError(`invalid contract: ${err.message}`);
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

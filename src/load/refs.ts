import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { parsePointer, readError, SourceFile, toPointer } from './source.js';

/** A `$ref` to another file, where it is written. */
interface ExternalRef {
  /** The file the `$ref` is written in. */
  in: SourceFile;
  /** JSON pointer of the `$ref` in that file. */
  pointer: string;
  ref: string;
  /** Absolute path of the file it names. */
  target: string;
  /** The `#...` part, when there is one. */
  hash: string;
}

/**
 * Follows every `$ref` to another file, from the contract through the files
 * it references, before the bundler does: a file that is missing, is a
 * folder, cannot be parsed, or lacks the pointed-to part is reported at the
 * `$ref` that names it, in the file it is written in, with the same checks
 * (size, nesting, aliases) as the contract itself. References by URL are
 * left to the bundler. Returns the files referenced, directly or not.
 */
export async function checkExternalRefs(main: SourceFile): Promise<SourceFile[]> {
  // Referenced files are named as the contract is, from its folder.
  const base = { abs: dirname(resolve(main.path)), shown: dirname(main.displayPath) };
  const files = new Map<string, SourceFile | UserError>([[resolve(main.path), main]]);
  const queue: SourceFile[] = [main];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const ref of refsOf(file)) {
      let target = files.get(ref.target);
      if (target === undefined) {
        target = await readRef(ref, base);
        files.set(ref.target, target);
        if (target instanceof SourceFile) queue.push(target);
      }
      if (target instanceof UserError) throw atRef(ref, target);
      if (ref.hash !== '' && ref.hash !== '#' && !pointerExists(target.data, ref.hash)) {
        throw new UserError(`broken $ref "${ref.ref}": ${target.displayPath} has no ${ref.hash}`, ref.in.locate(ref.pointer));
      }
    }
  }
  return [...files.values()].filter((f): f is SourceFile => f instanceof SourceFile && f !== main);
}

/** The error of a referenced file: its own location when it has one (a syntax error in it), else said at the `$ref`. */
function atRef(ref: ExternalRef, err: UserError): UserError {
  if (err.location) return err;
  return new UserError(`$ref "${ref.ref}": ${err.message}`, ref.in.locate(ref.pointer));
}

async function readRef(ref: ExternalRef, base: { abs: string; shown: string }): Promise<SourceFile | UserError> {
  const display = join(base.shown, relative(base.abs, ref.target)).split(sep).join('/');
  let text: string;
  try {
    text = await readFile(ref.target, 'utf8');
  } catch (err) {
    return readError(err, display, 'referenced file');
  }
  try {
    return SourceFile.parse(ref.target, text, display);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
}

/** The `$ref`s to other files (not URLs) in a parsed file, in document order, found without recursion. */
function refsOf(file: SourceFile): ExternalRef[] {
  const out: ExternalRef[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value: file.data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    const ref = (value as Record<string, unknown>).$ref;
    if (!Array.isArray(value) && typeof ref === 'string' && !ref.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
      const at = ref.indexOf('#');
      const filePart = at < 0 ? ref : ref.slice(0, at);
      let decoded = filePart;
      try {
        decoded = decodeURI(filePart);
      } catch {
        // as written
      }
      out.push({ in: file, pointer: toPointer([...path, '$ref']), ref, target: resolve(dirname(resolve(file.path)), decoded), hash: at < 0 ? '' : ref.slice(at) });
    }
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return out;
}

/** Whether a JSON pointer names a value in the data (a `$ref` met on the way is trusted to lead on). */
function pointerExists(data: unknown, hash: string): boolean {
  let segments: string[];
  try {
    segments = parsePointer(hash);
  } catch {
    return false;
  }
  let node = data;
  for (const seg of segments) {
    if (typeof node !== 'object' || node === null) return false;
    if (!Array.isArray(node) && typeof (node as Record<string, unknown>).$ref === 'string') return true;
    if (!Object.prototype.hasOwnProperty.call(node, seg)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

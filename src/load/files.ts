import { dirname, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { hasExternalRefs } from './openapi.js';
import { checkExternalRefs } from './refs.js';
import { SourceFile } from './source.js';

/**
 * The other files a contract references with external `$ref`s, as paths
 * relative to the contract's folder with their text, so that a copy of the
 * contract keeps working. Files outside the contract's folder cannot be
 * copied beside it and are an error, as is a reference svc cannot follow
 * (told at the `$ref`).
 */
export async function referencedFiles(path: string, text: string, displayPath: string): Promise<{ path: string; text: string }[]> {
  if (!hasExternalRefs(text)) return [];
  const files = await checkExternalRefs(SourceFile.parse(path, text, displayPath));
  const root = dirname(resolve(path));
  const out: { path: string; text: string }[] = [];
  for (const file of files) {
    if (resolve(file.path) === resolve(path)) continue;
    const rel = relative(root, file.path);
    if (rel.startsWith('..')) throw new UserError(`${displayPath} references ${file.path}, outside its folder: move the shared files under the contract's folder`);
    out.push({ path: rel.split('\\').join('/'), text: file.text });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

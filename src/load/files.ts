import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { UserError } from '../errors.js';
import { hasExternalRefs } from './openapi.js';

/**
 * The other files a contract references with external `$ref`s, as paths
 * relative to the contract's folder with their text, so that a copy of the
 * contract keeps working. Files outside the contract's folder cannot be
 * copied beside it and are an error.
 */
export async function referencedFiles(path: string, text: string, displayPath: string): Promise<{ path: string; text: string }[]> {
  if (!hasExternalRefs(text)) return [];
  let files: string[];
  try {
    const refs = await SwaggerParser.resolve(path);
    files = refs.paths('file');
  } catch {
    return []; // the loader reports broken references with their location
  }
  const root = dirname(resolve(path));
  const out: { path: string; text: string }[] = [];
  for (const file of files) {
    if (resolve(file) === resolve(path)) continue;
    const rel = relative(root, file);
    if (rel.startsWith('..')) throw new UserError(`${displayPath} references ${file}, outside its folder: move the shared files under the contract's folder`);
    out.push({ path: rel.split('\\').join('/'), text: await readFile(file, 'utf8') });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

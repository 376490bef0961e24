import { loadOpenAPI, type LoadedOpenAPI } from './openapi.js';
import { loadProto, type LoadedProto } from './proto.js';

export type ContractKind = 'openapi' | 'proto';
export type LoadedContract = LoadedOpenAPI | LoadedProto;

/**
 * Loads a contract of the given kind from a file on disk, or from `text` when
 * given (relative references still resolve against `path`). A proto contract's
 * imports are looked up in `includes`.
 */
export async function loadContract(path: string, kind: ContractKind, text?: string, displayPath?: string, includes?: string[]): Promise<LoadedContract> {
  switch (kind) {
    case 'openapi':
      return loadOpenAPI(path, text, displayPath);
    case 'proto':
      return loadProto(path, { ...(text !== undefined ? { text } : {}), ...(displayPath !== undefined ? { displayPath } : {}), includes: includes ?? [] });
  }
}

export type { LoadedOpenAPI, OpenAPIDocument } from './openapi.js';
export { SourceFile } from './source.js';

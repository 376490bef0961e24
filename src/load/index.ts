import { loadOpenAPI, type LoadedOpenAPI } from './openapi.js';

export type ContractKind = 'openapi';
export type LoadedContract = LoadedOpenAPI;

/**
 * Loads a contract of the given kind from a file on disk, or from `text` when
 * given (relative references still resolve against `path`).
 */
export async function loadContract(path: string, kind: ContractKind, text?: string, displayPath?: string): Promise<LoadedContract> {
  switch (kind) {
    case 'openapi':
      return loadOpenAPI(path, text, displayPath);
  }
}

export type { LoadedOpenAPI, OpenAPIDocument } from './openapi.js';
export { SourceFile } from './source.js';

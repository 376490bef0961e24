import type { FileSystem } from '../fs/types.js';
import { addEvents } from '../build/asyncapi.js';
import { ASYNCAPI_FILE, loadAsyncAPI } from '../load/asyncapi.js';
import type { ServiceModel } from '../model/types.js';
import type { ProjectSettings } from '../project/settings.js';
import type { Artifact } from '../render/artifact.js';
import { contractDirOf } from '../render/proto/index.js';

/** Where a service keeps its AsyncAPI document: beside its contract (`<name>proto/asyncapi.yaml`). */
export function asyncAPIPath(settings: Pick<ProjectSettings, 'name'>): string {
  return `${contractDirOf(settings.name)}/${ASYNCAPI_FILE}`;
}

/**
 * Adds to the model the events of the service's AsyncAPI document, when it
 * has one: on disk, or among the files about to be written (a new service's).
 */
export async function addContractEvents(model: ServiceModel, settings: ProjectSettings, fs: FileSystem, pending: readonly Artifact[] = []): Promise<void> {
  const path = asyncAPIPath(settings);
  const text = pending.find((a) => a.path === path)?.content ?? (await fs.read(path));
  if (text === undefined) return;
  if (settings.contract.kind === 'proto') {
    model.warnings.push(`${path}: the events of an AsyncAPI document are generated for OpenAPI contracts only; this proto service publishes its resource events and ignores the document`);
    return;
  }
  addEvents(model, await loadAsyncAPI(path, text, path));
}

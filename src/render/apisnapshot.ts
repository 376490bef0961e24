import { API_SNAPSHOT_PATH, apiSnapshotOf, serializeApiSnapshot } from '../lint/snapshot.js';
import type { ServiceModel } from '../model/types.js';
import { artifact, type Artifact } from './artifact.js';

/**
 * `.svc/api.yaml`: the API the service is generated for, recorded on every
 * run (generated: rewritten each time) so that `svc lint` can tell what a
 * later contract change breaks.
 */
export function renderApiSnapshot(model: ServiceModel): Artifact {
  return artifact(API_SNAPSHOT_PATH, serializeApiSnapshot(apiSnapshotOf(model)));
}

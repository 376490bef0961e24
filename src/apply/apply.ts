import type { FileSystem } from '../fs/types.js';
import type { Plan } from '../plan/plan.js';
import { hashContent, MANIFEST_PATH, serializeManifest, type Manifest } from '../project/manifest.js';

export interface ApplyResult {
  written: string[];
  manifestWritten: boolean;
}

/**
 * Writes every created or overwritten file of the plan, then the manifest
 * recording the hash of each generated file as it now stands. A run that
 * changes nothing writes nothing, the manifest included.
 */
export async function applyPlan(plan: Plan, fs: FileSystem, previous: Manifest): Promise<ApplyResult> {
  const written: string[] = [];
  const next: Manifest = { version: 1, generated: { ...previous.generated }, created: [...previous.created] };
  for (const change of plan.changes) {
    const { artifact } = change;
    if (change.action === 'create' || change.action === 'overwrite') {
      await fs.write(artifact.path, artifact.content, artifact.mode);
      written.push(artifact.path);
    }
    const landed = change.action === 'create' || change.action === 'overwrite' || change.action === 'unchanged';
    if (artifact.owner === 'generated' && landed) next.generated[artifact.path] = hashContent(artifact.content);
    if (artifact.owner === 'user' && change.action === 'create') next.created.push(artifact.path);
  }
  const text = serializeManifest(next);
  const manifestWritten = (await fs.read(MANIFEST_PATH)) !== text;
  if (manifestWritten) await fs.write(MANIFEST_PATH, text);
  return { written, manifestWritten };
}

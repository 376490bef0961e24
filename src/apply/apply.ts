import type { FileSystem } from '../fs/types.js';
import type { Plan } from '../plan/plan.js';
import { hashContent, MANIFEST_PATH, serializeManifest, type Manifest } from '../project/manifest.js';

export interface ApplyResult {
  written: string[];
  manifestWritten: boolean;
}

/**
 * Writes every created or overwritten file of the plan, deletes the stale
 * generated ones (they count as written), then the manifest
 * recording the hash of each generated file as it now stands. A run that
 * changes nothing writes nothing, the manifest included.
 */
const WRITE_CONCURRENCY = 16;

export async function applyPlan(plan: Plan, fs: FileSystem, previous: Manifest): Promise<ApplyResult> {
  const next: Manifest = { version: 1, generated: { ...previous.generated }, created: [...previous.created] };
  const toWrite = plan.changes.filter((c) => c.action === 'create' || c.action === 'overwrite');
  // Several writes at a time: a large service has thousands of files, and each
  // atomic write waits on the disk twice (write, rename).
  let next_ = 0;
  const worker = async () => {
    while (next_ < toWrite.length) {
      const { artifact } = toWrite[next_++]!;
      await fs.write(artifact.path, artifact.content, artifact.mode);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  const written = toWrite.map((c) => c.artifact.path);
  for (const change of plan.changes) {
    if (change.action !== 'delete') continue;
    await fs.remove(change.artifact.path);
    delete next.generated[change.artifact.path];
    written.push(change.artifact.path);
  }
  for (const change of plan.changes) {
    const { artifact } = change;
    const landed = change.action === 'create' || change.action === 'overwrite' || change.action === 'unchanged';
    if (artifact.owner === 'generated' && landed) next.generated[artifact.path] = hashContent(artifact.content);
    if (artifact.owner === 'user' && change.action === 'create') next.created.push(artifact.path);
  }
  const text = serializeManifest(next);
  const manifestWritten = (await fs.read(MANIFEST_PATH)) !== text;
  if (manifestWritten) await fs.write(MANIFEST_PATH, text);
  return { written, manifestWritten };
}

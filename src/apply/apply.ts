import type { FileSystem } from '../fs/types.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { hashContent, MANIFEST_PATH, serializeManifest, type Manifest } from '../project/manifest.js';
import { SVC_VERSION } from '../project/version.js';

export interface ApplyResult {
  written: string[];
  manifestWritten: boolean;
}

/** Several writes at a time: a large service has thousands of files, and each atomic write waits on the disk twice (write, rename). */
const WRITE_CONCURRENCY = 16;

/**
 * Applies a plan, all or nothing: a plan with a conflict writes nothing at
 * all, the manifest included. Otherwise it first saves the hand-edited files
 * --force replaces (to each change's `backup`), then writes every created or
 * overwritten file, deletes the stale ones (they count as written), and last
 * the manifest. When a write fails, the files already changed are put back as
 * they were before the error is passed on. A run that changes nothing writes
 * nothing, the manifest included.
 */
export async function applyPlan(plan: Plan, fs: FileSystem, previous: Manifest): Promise<ApplyResult> {
  if (plan.changes.some((c) => c.action === 'conflict')) return { written: [], manifestWritten: false };
  for (const c of plan.changes) if (c.backup !== undefined && c.previous !== undefined) await fs.write(c.backup, c.previous);

  const text = serializeManifest(nextManifest(plan, previous));
  const manifestWritten = (await fs.read(MANIFEST_PATH)) !== text;
  const done: PlannedChange[] = [];
  try {
    const toWrite = plan.changes.filter((c) => c.action === 'create' || c.action === 'overwrite');
    let next = 0;
    let failure: { error: unknown } | undefined;
    // On the first failure the workers stop taking files, and every write under
    // way finishes before anything is restored.
    const worker = async () => {
      while (next < toWrite.length && !failure) {
        const change = toWrite[next++]!;
        try {
          await fs.write(change.artifact.path, change.artifact.bytes ?? change.artifact.content, change.artifact.mode);
          done.push(change);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
    if (failure) throw failure.error;
    for (const change of plan.changes) {
      if (change.action !== 'delete') continue;
      await fs.remove(change.artifact.path);
      done.push(change);
    }
    if (manifestWritten) await fs.write(MANIFEST_PATH, text);
  } catch (err) {
    await restore(done, fs);
    throw err;
  }
  const written = [...plan.changes.filter((c) => c.action === 'create' || c.action === 'overwrite'), ...plan.changes.filter((c) => c.action === 'delete')];
  return { written: written.map((c) => c.artifact.path), manifestWritten };
}

/** Puts the files of the changes already applied back as they were (best effort: the first error is the one reported). */
async function restore(done: readonly PlannedChange[], fs: FileSystem): Promise<void> {
  for (const change of [...done].reverse()) {
    try {
      if (change.previous === undefined) await fs.remove(change.artifact.path);
      else await fs.write(change.artifact.path, change.previous, change.artifact.mode);
    } catch {
      // Keep restoring the others.
    }
  }
}

/**
 * The manifest after the plan: the hash of every generated file as it now
 * stands; for each user-owned file svc wrote, the hash of what it wrote (of its
 * own render, for a file carrying the user's code) and the operation it
 * implements; files deleted or gone from the disk are forgotten. It
 * records the svc version that wrote it (`svc upgrade` reports the step).
 */
function nextManifest(plan: Plan, previous: Manifest): Manifest {
  const next: Manifest = { version: 2, svc: SVC_VERSION, generated: { ...previous.generated }, created: { ...previous.created } };
  for (const change of plan.changes) {
    const { artifact, action } = change;
    const landed = action === 'create' || action === 'overwrite' || action === 'unchanged';
    if (artifact.owner === 'generated') {
      if (landed) next.generated[artifact.path] = hashContent(artifact.bytes ?? artifact.content);
      else if (action === 'delete') delete next.generated[artifact.path];
      continue;
    }
    const operation = artifact.operation ? { operation: artifact.operation } : {};
    if (action === 'delete') delete next.created[artifact.path];
    else if (landed) next.created[artifact.path] = { hash: hashContent(change.rendered ?? artifact.bytes ?? artifact.content), ...operation };
    else if (action === 'skip' && change.declaredIn === undefined && (next.created[artifact.path] || artifact.operation)) {
      next.created[artifact.path] = { ...next.created[artifact.path], ...operation };
    }
  }
  for (const path of plan.forgotten) delete next.created[path];
  return next;
}

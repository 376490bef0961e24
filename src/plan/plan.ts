import type { Artifact } from '../render/artifact.js';
import { isGeneratedContent } from '../render/artifact.js';
import type { FileSystem } from '../fs/types.js';
import { hashContent, type Manifest } from '../project/manifest.js';

/**
 * What the apply stage will do with one file:
 * - create: the file does not exist yet;
 * - overwrite: a generated file whose content changed and that nobody edited;
 * - unchanged: the file already has exactly this content;
 * - skip: a user-owned file that exists (never touched again);
 * - conflict: a generated file edited by hand since the last run, left alone unless forced.
 */
export type Action = 'create' | 'overwrite' | 'unchanged' | 'skip' | 'conflict';

export interface PlannedChange {
  action: Action;
  artifact: Artifact;
  /** The text on disk before the change, when there is one. */
  previous?: string;
  /** Why the planner chose this action, for the report. */
  reason: string;
}

export interface Plan {
  changes: PlannedChange[];
}

export interface PlanOptions {
  /** Overwrite generated files edited by hand. User-owned files are never overwritten. */
  force?: boolean;
}

/** Decides, file by file, what applying the artifacts to the file system means. */
export async function planChanges(
  artifacts: readonly Artifact[],
  fs: FileSystem,
  manifest: Manifest,
  options: PlanOptions = {},
): Promise<Plan> {
  const changes: PlannedChange[] = [];
  for (const artifact of artifacts) {
    const previous = await fs.read(artifact.path);
    changes.push(decide(artifact, previous, manifest, options));
  }
  changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
  return { changes };
}

function decide(artifact: Artifact, previous: string | undefined, manifest: Manifest, options: PlanOptions): PlannedChange {
  if (previous === undefined) return { action: 'create', artifact, reason: 'new file' };
  const base = { artifact, previous };
  if (previous === artifact.content) return { ...base, action: 'unchanged', reason: 'up to date' };
  if (artifact.owner === 'user') return { ...base, action: 'skip', reason: 'user-owned file' };
  if (!isGeneratedContent(previous)) {
    return { ...base, action: 'skip', reason: 'the generated header was removed: the file now belongs to the user' };
  }
  const recorded = manifest.generated[artifact.path];
  if (recorded !== undefined && recorded === hashContent(previous)) {
    return { ...base, action: 'overwrite', reason: 'generated file, contract or generator changed' };
  }
  if (options.force) return { ...base, action: 'overwrite', reason: 'edited by hand, overwritten because of --force' };
  const why = recorded === undefined ? 'not recorded in the manifest' : 'edited by hand since it was generated';
  return { ...base, action: 'conflict', reason: `${why}; re-run with --force to overwrite` };
}

export function countActions(plan: Plan): Record<Action, number> {
  const counts: Record<Action, number> = { create: 0, overwrite: 0, unchanged: 0, skip: 0, conflict: 0 };
  for (const c of plan.changes) counts[c.action]++;
  return counts;
}

/** Whether applying the plan would write anything. */
export function hasWrites(plan: Plan): boolean {
  return plan.changes.some((c) => c.action === 'create' || c.action === 'overwrite');
}

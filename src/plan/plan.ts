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
 * - conflict: a generated file edited by hand since the last run, left alone unless forced;
 * - delete: a generated file the contract no longer produces (a removed
 *   schema, a type that moved to another file), as it was generated.
 */
export type Action = 'create' | 'overwrite' | 'unchanged' | 'skip' | 'conflict' | 'delete';

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
  /**
   * Every path the run renders, when only some of them are planned (svc gen
   * k8s plans its own files): a generated file is stale only when it is in
   * none of them.
   */
  produced?: ReadonlySet<string>;
  /** The paths this run plans: stale files outside it are left alone. */
  scope?: (path: string) => boolean;
}

/** Decides, file by file, what applying the artifacts to the file system means. */
export async function planChanges(
  artifacts: readonly Artifact[],
  fs: FileSystem,
  manifest: Manifest,
  options: PlanOptions = {},
): Promise<Plan> {
  const changes: PlannedChange[] = [];
  const produced = new Set<string>();
  for (const artifact of artifacts) {
    produced.add(artifact.path);
    const previous = await fs.read(artifact.path);
    changes.push(decide(artifact, previous, manifest, options));
  }
  for (const path of Object.keys(manifest.generated)) {
    if (produced.has(path) || options.produced?.has(path) || (options.scope && !options.scope(path))) continue;
    const previous = await fs.read(path);
    if (previous === undefined) continue;
    const stale = stalePlan(path, previous, manifest, options);
    if (stale) changes.push(stale);
  }
  changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
  return { changes };
}

/**
 * A file an earlier run generated that this one does not: deleted when it is
 * as it was generated (or with --force); a hand-edited one is a conflict, and
 * one whose header was removed now belongs to the user.
 */
function stalePlan(path: string, previous: string, manifest: Manifest, options: PlanOptions): PlannedChange | undefined {
  if (!isGeneratedContent(previous)) return undefined;
  const artifact: Artifact = { path, content: '', owner: 'generated' };
  const base = { artifact, previous };
  if (manifest.generated[path] === hashContent(previous)) return { ...base, action: 'delete', reason: 'no longer generated' };
  if (options.force) return { ...base, action: 'delete', reason: 'no longer generated; edited by hand, deleted because of --force' };
  return { ...base, action: 'conflict', reason: 'no longer generated, but edited by hand since; delete it, or re-run with --force' };
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
  const counts: Record<Action, number> = { create: 0, overwrite: 0, unchanged: 0, skip: 0, conflict: 0, delete: 0 };
  for (const c of plan.changes) counts[c.action]++;
  return counts;
}

/** Whether applying the plan would write anything. */
export function hasWrites(plan: Plan): boolean {
  return plan.changes.some((c) => c.action === 'create' || c.action === 'overwrite' || c.action === 'delete');
}

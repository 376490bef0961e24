import { posix } from 'node:path';
import type { Artifact, OperationFacts } from '../render/artifact.js';
import { isGeneratedContent } from '../render/artifact.js';
import type { FileSystem } from '../fs/types.js';
import { hashContent, type CreatedFile, type Manifest } from '../project/manifest.js';
import { carriedContent, MethodIndex } from './operations.js';

/**
 * What the apply stage will do with one file:
 * - create: the file does not exist yet;
 * - overwrite: a generated file whose content changed and that nobody edited,
 *   or a user-owned file still exactly as svc created it;
 * - unchanged: the file already has exactly this content;
 * - skip: a user-owned file the user edited (never touched again);
 * - conflict: a generated file edited by hand since the last run; one
 *   conflict and nothing at all is written, unless forced;
 * - delete: a file the contract no longer produces (a removed schema, the
 *   unedited stub of a removed operation), as svc wrote it.
 */
export type Action = 'create' | 'overwrite' | 'unchanged' | 'skip' | 'conflict' | 'delete';

export interface PlannedChange {
  action: Action;
  artifact: Artifact;
  /** The text on disk before the change, when there is one. */
  previous?: string;
  /** Why the planner chose this action, for the report. */
  reason: string;
  /** Where apply first saves `previous`, a hand-edited file --force replaces or deletes. */
  backup?: string;
  /** For the file of a renamed operation: the old file the user's code is carried from (deleted by the same plan), and its operation. */
  carriedFrom?: { path: string; operation: OperationFacts };
  /** For a carried file: svc's own render of it, the hash the manifest records (the file holds the user's code). */
  rendered?: string;
  /** For a user-owned operation file not created because another file already declares its method: that file. */
  declaredIn?: { path: string; content: string };
}

/** An edited user-owned operation file whose operation the contract no longer has: kept and reported. */
export interface Orphan {
  path: string;
  content: string;
  /** The facts recorded when svc created it; absent in a manifest of an older svc. */
  operation?: OperationFacts;
}

export interface Plan {
  changes: PlannedChange[];
  /** Orphaned operation files found on disk (never from the manifest alone: a deleted one is gone). */
  orphans: Orphan[];
  /** User-owned files the manifest records that are no longer on disk: apply forgets them. */
  forgotten: string[];
}

export interface PlanOptions {
  /** Overwrite generated files edited by hand (saving them first). User-owned files are never overwritten. */
  force?: boolean;
  /**
   * Every path the run renders, when only some of them are planned (svc gen
   * k8s plans its own files): a file is stale only when it is in none of them.
   */
  produced?: ReadonlySet<string>;
  /** The paths this run plans: stale files outside it are left alone. */
  scope?: (path: string) => boolean;
  /** The folder under `.svc/backup/` that --force saves edited files to; a timestamp when absent. */
  runId?: string;
}

/** The reason of a conflict on a file with the generated header that the manifest does not know. */
export const UNRECORDED = 'not recorded in the manifest';

/** The reason of a conflict on a file svc no longer generates that was edited by hand. */
export const STALE_EDITED = 'no longer generated, but edited by hand since';

/** Where --force saves the hand-edited files it replaces. */
export const BACKUP_DIR = '.svc/backup';

/** A run's backup folder name: the time, e.g. 2026-12-05T00-15-03-120Z. */
export function runIdOf(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** A user-owned file the manifest records that this run no longer produces. */
interface StaleUserFile {
  path: string;
  content: string;
  record: CreatedFile;
  /** Still exactly as svc wrote it. */
  untouched: boolean;
}

/** Decides, file by file, what applying the artifacts to the file system means. */
export async function planChanges(
  artifacts: readonly Artifact[],
  fs: FileSystem,
  manifest: Manifest,
  options: PlanOptions = {},
): Promise<Plan> {
  const backupRoot = `${BACKUP_DIR}/${options.runId ?? runIdOf(new Date())}`;
  const inScope = (path: string) => !options.scope || options.scope(path);
  const produced = new Set(artifacts.map((a) => a.path));
  const isProduced = (path: string) => produced.has(path) || (options.produced?.has(path) ?? false);

  const forgotten: string[] = [];
  const stale: StaleUserFile[] = [];
  for (const [path, record] of Object.entries(manifest.created)) {
    if (isProduced(path)) continue;
    const content = await fs.read(path);
    if (content === undefined) forgotten.push(path);
    else if (isOperationFile(path, record)) stale.push({ path, content, record, untouched: record.hash === hashContent(content) });
  }

  const changes: PlannedChange[] = [];
  const claimed = new Set<string>();
  const methods = new MethodIndex(fs);
  for (const artifact of artifacts) {
    const previous = await fs.read(artifact.path);
    const facts = artifact.operation;
    if (artifact.owner === 'user' && facts && (previous === undefined || isUntouched(artifact.path, previous, manifest))) {
      if (previous === undefined) {
        const elsewhere = await methods.declaring(posix.dirname(artifact.path), facts, artifact.path);
        if (elsewhere) {
          claimed.add(elsewhere.path);
          changes.push({ action: 'skip', artifact, reason: `${facts.receiver}.${facts.method} is declared in ${elsewhere.path}`, declaredIn: elsewhere });
          continue;
        }
      }
      const from = renameSource(facts, stale, claimed, inScope);
      if (from && inScope(artifact.path)) {
        claimed.add(from.path);
        changes.push(...carry(artifact, previous, from));
        continue;
      }
    }
    changes.push(decide(artifact, previous, manifest, options, backupRoot));
  }

  for (const path of Object.keys(manifest.generated)) {
    if (isProduced(path) || !inScope(path)) continue;
    const previous = await fs.read(path);
    if (previous === undefined) continue;
    const change = staleGenerated(path, previous, manifest, options, backupRoot);
    if (change) changes.push(change);
  }

  const orphans: Orphan[] = [];
  for (const s of stale) {
    if (claimed.has(s.path)) continue;
    if (!s.untouched) {
      orphans.push({ path: s.path, content: s.content, ...(s.record.operation ? { operation: s.record.operation } : {}) });
    } else if (inScope(s.path)) {
      const artifact: Artifact = { path: s.path, content: '', owner: 'user' };
      changes.push({ action: 'delete', artifact, previous: s.content, reason: 'its operation is no longer in the contract, and the file is as svc created it' });
    }
  }
  changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
  return { changes, orphans, forgotten };
}

/**
 * Whether a recorded user-owned file implements one operation: it has the
 * renderer's facts, or (recorded by an older svc) it is a Go file of the
 * service package, where per-operation files live.
 */
function isOperationFile(path: string, record: CreatedFile): boolean {
  if (record.operation) return true;
  return path.startsWith('internal/service/') && path.endsWith('.go') && !path.endsWith('_test.go');
}

function isUntouched(path: string, content: string, manifest: Manifest): boolean {
  const hash = manifest.created[path]?.hash;
  return hash !== undefined && hash === hashContent(content);
}

/**
 * The edited file of an operation the contract renamed: the one stale file
 * whose recorded operation has the same identity (method and path, or RPC
 * types) and receiver. Two candidates are ambiguous: none is taken.
 */
function renameSource(facts: OperationFacts, stale: readonly StaleUserFile[], claimed: ReadonlySet<string>, inScope: (p: string) => boolean): StaleUserFile | undefined {
  const candidates = stale.filter(
    (s) =>
      !s.untouched &&
      !claimed.has(s.path) &&
      inScope(s.path) &&
      s.record.operation?.identity === facts.identity &&
      s.record.operation.receiver === facts.receiver,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The user's code carried from the old file to the new operation's path (created, or replacing svc's untouched stub), and the old file deleted. */
function carry(artifact: Artifact, previous: string | undefined, from: StaleUserFile): PlannedChange[] {
  const content = carriedContent(from.content, from.record.operation!, artifact.operation!);
  // Other text than was rendered: the rendered bytes (if any) do not go with it.
  const { bytes: _rendered, ...rest } = artifact;
  const target: PlannedChange = {
    action: previous === undefined ? 'create' : 'overwrite',
    artifact: { ...rest, content },
    reason: `the operation's code, carried from ${from.path}`,
    carriedFrom: { path: from.path, operation: from.record.operation! },
    rendered: artifact.content,
  };
  if (previous !== undefined) target.previous = previous;
  const old: PlannedChange = {
    action: 'delete',
    artifact: { path: from.path, content: '', owner: 'user' },
    previous: from.content,
    reason: `carried to ${artifact.path}`,
  };
  return [target, old];
}

/**
 * A generated file an earlier run wrote that this one does not: deleted when
 * it is as it was generated (or with --force, saved first); a hand-edited one
 * is a conflict, and one whose header was removed now belongs to the user.
 */
function staleGenerated(path: string, previous: string, manifest: Manifest, options: PlanOptions, backupRoot: string): PlannedChange | undefined {
  if (!isGeneratedContent(previous)) return undefined;
  const artifact: Artifact = { path, content: '', owner: 'generated' };
  const base = { artifact, previous };
  if (manifest.generated[path] === hashContent(previous)) return { ...base, action: 'delete', reason: 'no longer generated' };
  if (options.force) {
    return { ...base, action: 'delete', reason: 'no longer generated; edited by hand, deleted because of --force', backup: `${backupRoot}/${path}` };
  }
  return { ...base, action: 'conflict', reason: STALE_EDITED };
}

function decide(artifact: Artifact, previous: string | undefined, manifest: Manifest, options: PlanOptions, backupRoot: string): PlannedChange {
  if (previous === undefined) return { action: 'create', artifact, reason: 'new file' };
  const base = { artifact, previous };
  if (previous === artifact.content) return { ...base, action: 'unchanged', reason: 'up to date' };
  if (artifact.owner === 'user') {
    if (isUntouched(artifact.path, previous, manifest)) return { ...base, action: 'overwrite', reason: 'user-owned, but as svc created it' };
    return { ...base, action: 'skip', reason: 'user-owned file' };
  }
  if (!isGeneratedContent(previous)) {
    return { ...base, action: 'skip', reason: 'the generated header was removed: the file now belongs to the user' };
  }
  const recorded = manifest.generated[artifact.path];
  if (recorded !== undefined && recorded === hashContent(previous)) {
    return { ...base, action: 'overwrite', reason: 'generated file, contract or generator changed' };
  }
  if (options.force) {
    return { ...base, action: 'overwrite', reason: 'edited by hand, overwritten because of --force', backup: `${backupRoot}/${artifact.path}` };
  }
  const why = recorded === undefined ? UNRECORDED : 'edited by hand since it was generated';
  return { ...base, action: 'conflict', reason: why };
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

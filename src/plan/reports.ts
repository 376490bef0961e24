import type { Artifact } from '../render/artifact.js';
import { GO_GENERATED_HEADER } from '../render/artifact.js';
import { BACKUP_DIR, STALE_EDITED, UNRECORDED, type Orphan, type Plan, type PlannedChange } from './plan.js';
import { declarationLine, mentions, renamesOf } from './operations.js';

/** What a run tells the user beyond the plan. */
export interface RunReport {
  /** What the user must do by hand, one `path:line: what to do` a line. */
  actions: string[];
  /** What svc did that the user should know of: renamed operation files carried over, edited files saved before --force. */
  notes: string[];
  /** Whether the service, as the run leaves it, will not compile until the user makes the edits in `actions`. */
  buildBroken: boolean;
}

/**
 * Computed from the plan, that is from the disk and the contract, never
 * replayed from the manifest: a problem the user resolved is not reported
 * again. Conflicts (nothing was written), orphaned operation files and
 * operations whose signature changed, each with file:line and the edit.
 */
export function regenerationReports(plan: Plan, artifacts: readonly Artifact[]): RunReport {
  const actions: string[] = [];
  const notes: string[] = [];
  let buildBroken = false;

  for (const change of plan.changes) {
    if (change.action === 'conflict') actions.push(conflictLine(change));
    if (change.backup !== undefined) notes.push(`${change.artifact.path}: your edited version is saved to ${change.backup} before --force ${change.action === 'delete' ? 'deletes' : 'replaces'} it`);
    if (change.carriedFrom) notes.push(renameLine(change));
  }

  // Identifiers the new render still generates: an orphan using only these compiles.
  const generated = new Set<string>();
  for (const a of artifacts) if (a.operation) for (const name of [a.operation.method, ...a.operation.derived]) generated.add(name);
  for (const orphan of plan.orphans) {
    const { line, gone } = orphanFacts(orphan, generated);
    // Without recorded facts (a manifest of an older svc) it is unknown: said, but the run does not fail on it.
    buildBroken ||= gone !== undefined && gone.length > 0;
    const what = orphan.operation ? `${orphan.operation.method}'s operation is no longer in the contract` : 'svc no longer produces this file';
    const build = gone === undefined ? '; until then the service may not compile' : gone.length > 0 ? `; until then the service does not compile (it uses ${gone.join(', ')}, no longer generated)` : '';
    actions.push(`${orphan.path}:${line}: orphan: ${what}, and the file was edited, so it is kept: delete the file (move what you want to keep into a file of your own first)${build}`);
  }

  for (const change of plan.changes) {
    const mismatch = signatureLine(change);
    if (mismatch) {
      actions.push(mismatch);
      buildBroken = true;
    }
  }
  return { actions, notes, buildBroken };
}

/** The three ways out of a conflict, for one file. */
function conflictLine(change: PlannedChange): string {
  const path = change.artifact.path;
  const header = change.previous?.slice(0, change.previous.indexOf('\n') >>> 0) ?? GO_GENERATED_HEADER;
  const stale = change.reason === STALE_EDITED;
  const what = stale
    ? 'is no longer generated, but was edited by hand since svc wrote it'
    : change.reason === UNRECORDED
      ? 'carries the generated header, but svc has no record of writing it'
      : 'was edited by hand since svc generated it';
  return [
    `${path}:1: ${what}, so nothing was written. Either`,
    `move your code to a file of your own and delete this one${stale ? '' : ' (svc writes it afresh)'};`,
    `or delete this line ("${header}") to take the file over (svc never writes it again);`,
    `or re-run with --force, which first saves your version under ${BACKUP_DIR}/<time>/${path}`,
  ].join(' ');
}

function renameLine(change: PlannedChange): string {
  const from = change.carriedFrom!;
  const to = change.artifact.operation!;
  const renames = [...renamesOf(from.operation, to)].map(([a, b]) => `${a} → ${b}`);
  const renamed = renames.length > 0 ? ` (renamed ${renames.join(', ')})` : '';
  return `${from.path} → ${change.artifact.path}: the operation ${to.identity} is now ${to.method}; your code is carried over${renamed}, and the old file is deleted`;
}

/** Where an orphan declares its method, and the identifiers it uses that no operation generates any more (undefined: unknown). */
function orphanFacts(orphan: Orphan, generated: ReadonlySet<string>): { line: number; gone?: string[] } {
  if (!orphan.operation) return { line: 1 };
  const line = declarationLine(orphan.content, orphan.operation) || 1;
  const gone = orphan.operation.derived.filter((name) => !generated.has(name) && mentions(orphan.content, name));
  return { line, gone };
}

/**
 * A user-owned operation file svc did not write this time (kept, declared in
 * another file, or carried from a renamed one) whose method no longer matches
 * the signature the API needs: the file and line, and the line it must read.
 */
function signatureLine(change: PlannedChange): string | undefined {
  const want = change.artifact.signature;
  if (!want) return undefined;
  const file = userText(change);
  if (!file) return undefined;
  const wanted = want.replace(/ \{$/, '');
  const facts = change.artifact.operation ?? factsOfSignature(want);
  const line = facts ? declarationLine(file.content, facts) : 0;
  if (line === 0) {
    const name = facts ? `${facts.receiver}.${facts.method}` : wanted;
    return `${file.path}: no longer declares ${name}; the service needs: ${wanted}`;
  }
  const actual = file.content.split('\n')[line - 1]!.replace(/ \{$/, '');
  if (actual === wanted) return undefined;
  return `${file.path}:${line}: the operation's signature changed in the contract; update it to: ${wanted}`;
}

/** The user's text a change leaves in place of svc's stub: kept, declared elsewhere, or carried from a renamed operation. */
function userText(change: PlannedChange): { path: string; content: string } | undefined {
  if (change.declaredIn) return change.declaredIn;
  if (change.carriedFrom) return { path: change.artifact.path, content: change.artifact.content };
  if (change.action === 'skip' && change.previous !== undefined) return { path: change.artifact.path, content: change.previous };
  return undefined;
}

/** The method and receiver of a signature line (`func (s *Service) Name(...`), for renderers that attach no facts yet. */
function factsOfSignature(signature: string): { method: string; receiver: string } | undefined {
  const m = /^func \(\w+ \*?(\w+)\) (\w+)\(/.exec(signature);
  return m ? { receiver: m[1]!, method: m[2]! } : undefined;
}

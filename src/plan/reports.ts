import type { Artifact } from '../render/artifact.js';
import type { Manifest } from '../project/manifest.js';
import type { Plan } from './plan.js';

/** Where user-owned operation files live; a file there the contract no longer produces is an orphan. */
const OPERATION_DIR = 'internal/service/';

/**
 * What a re-generation leaves for the user to do, since it never touches
 * their files: operations removed from the contract (their files are kept,
 * never deleted) and operations whose signature changed (the file and line to
 * update). One line each, `path:line: what to do`.
 */
export function regenerationReports(plan: Plan, artifacts: readonly Artifact[], manifest: Manifest): string[] {
  const reports: string[] = [];
  const produced = new Set(artifacts.map((a) => a.path));
  for (const path of manifest.created) {
    if (path.startsWith(OPERATION_DIR) && path.endsWith('.go') && !produced.has(path)) {
      reports.push(`${path}: orphan: its operation is no longer in the contract; the file is kept (delete it, or the service will not compile)`);
    }
  }
  for (const change of plan.changes) {
    const want = change.artifact.signature;
    if (change.action !== 'skip' || !want || change.previous === undefined) continue;
    const prefix = want.slice(0, want.indexOf('(', 'func (s *Service) '.length) + 1);
    const lines = change.previous.split('\n');
    const index = lines.findIndex((l) => l.startsWith(prefix));
    if (index < 0) {
      reports.push(`${change.artifact.path}: no longer declares ${prefix.slice(0, -1)}; the service needs: ${want.replace(/ \{$/, '')}`);
    } else if (lines[index] !== want) {
      reports.push(`${change.artifact.path}:${index + 1}: the operation's signature changed in the contract; update it to: ${want.replace(/ \{$/, '')}`);
    }
  }
  return reports;
}

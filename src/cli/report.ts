import { createTwoFilesPatch } from '../pipeline/patch.js';
import type { Plan } from '../plan/plan.js';
import { countActions } from '../plan/plan.js';
import type { JsonReport } from './json.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** With `--json`: the document the run fills in (stdout then carries only it). */
  json?: JsonReport;
}

const LABELS = { create: 'create', overwrite: 'overwrite', unchanged: 'unchanged', skip: 'skip', conflict: 'conflict', delete: 'delete' } as const;

/** Prints the plan, one file a line; with `diff`, a unified diff of every change. */
export function printPlan(plan: Plan, io: Output, options: { diff?: boolean; all?: boolean } = {}): void {
  for (const c of plan.changes) {
    if (!options.all && c.action === 'unchanged') continue;
    const note = c.action === 'conflict' || c.action === 'skip' ? `  (${c.reason})` : '';
    io.out(`${LABELS[c.action].padEnd(10)} ${c.artifact.path}${note}`);
    if (options.diff && (c.action === 'create' || c.action === 'overwrite' || c.action === 'conflict' || c.action === 'delete')) {
      const patch = createTwoFilesPatch(`a/${c.artifact.path}`, `b/${c.artifact.path}`, c.previous ?? '', c.artifact.content, '', '', { context: 3 });
      io.out(patch.split('\n').slice(2).join('\n').trimEnd());
    }
  }
}

export function summary(plan: Plan): string {
  const n = countActions(plan);
  const parts = [`${n.create} created`, `${n.overwrite} updated`, `${n.unchanged} unchanged`];
  if (n.delete) parts.push(`${n.delete} deleted`);
  if (n.skip) parts.push(`${n.skip} user-owned kept`);
  if (n.conflict) parts.push(`${n.conflict} in conflict`);
  return parts.join(', ');
}

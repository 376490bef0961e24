import type { SourceLocation } from '../errors.js';
import type { Action, Plan } from '../plan/plan.js';
import { countActions } from '../plan/plan.js';
import type { ResourceFacts } from './resources.js';

/**
 * The one JSON document `--json` prints on stdout (schema/svc-output.schema.json
 * describes it). Human output is unchanged otherwise: progress, warnings and
 * errors still go to stderr; nothing else goes to stdout.
 */
export interface JsonReport {
  /** The command, e.g. `gen api`. */
  command: string;
  exitCode: number;
  dryRun: boolean;
  /** Every file the plan covers, with what was (or, on a dry run, would be) done to it. */
  files: { path: string; action: Action; reason?: string }[];
  summary: Record<Action, number>;
  warnings: string[];
  notes: string[];
  /** What the user must do; each one makes the exit code non-zero or is needed for the service to compile. */
  actionsNeeded: string[];
  resources: ResourceFacts[];
  /** `svc doctor`: one entry per tool. */
  tools: { name: string; found: boolean; path?: string; version?: string; pinned?: string; install?: string }[];
  /** Problems found in a contract or on the command line, located where known. */
  problems: JsonProblem[];
}

export interface JsonProblem {
  severity: 'error' | 'warning';
  message: string;
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
}

export function emptyJsonReport(): JsonReport {
  return {
    command: '',
    exitCode: 0,
    dryRun: false,
    files: [],
    summary: { create: 0, overwrite: 0, unchanged: 0, skip: 0, conflict: 0, delete: 0 },
    warnings: [],
    notes: [],
    actionsNeeded: [],
    resources: [],
    tools: [],
    problems: [],
  };
}

/** Adds a plan's files (all of them, unchanged ones too) and its counts. */
export function addPlan(doc: JsonReport, plan: Plan, dryRun: boolean): void {
  doc.dryRun = dryRun;
  for (const c of plan.changes) doc.files.push({ path: c.artifact.path, action: c.action, ...(c.reason !== undefined ? { reason: c.reason } : {}) });
  const n = countActions(plan);
  for (const action of Object.keys(doc.summary) as Action[]) doc.summary[action] += n[action];
}

/** Adds an error, located when the error knows where. */
export function addError(doc: JsonReport, message: string, location?: SourceLocation): void {
  const p: JsonProblem = { severity: 'error', message };
  if (location) {
    p.file = location.file;
    if (location.line !== undefined) p.line = location.line;
    if (location.column !== undefined) p.column = location.column;
    if (location.pointer !== undefined) p.pointer = location.pointer;
  }
  doc.problems.push(p);
}

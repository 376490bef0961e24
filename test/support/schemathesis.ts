import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

/**
 * Runs schemathesis (`st run`, installed by scripts/schemathesis.sh into
 * .tools/schemathesis) against a running service and reads back what it found.
 */

/** Where scripts/schemathesis.sh installs `st`. */
export const ST = resolve('.tools/schemathesis/bin/st');

/** Serializers for media types schemathesis has none for (see the file). */
const HOOKS = resolve('test/support/schemathesis_hooks.py');

/** `st --version`'s version, or why schemathesis cannot run here. */
export function schemathesisVersion(): { version: string } | { missing: string } {
  if (!existsSync(ST)) return { missing: `schemathesis is not installed at ${ST}: run bash scripts/schemathesis.sh (scripts/setup.sh and .ci/run do)` };
  try {
    return { version: execFileSync(ST, ['--version'], { encoding: 'utf8' }).trim().split(/\s+/).pop()! };
  } catch (e) {
    return { missing: `${ST} --version failed: ${(e as Error).message.split('\n')[0]}: run bash scripts/schemathesis.sh again` };
  }
}

/**
 * One check turned off, for one operation or a whole service: only where the
 * contract itself makes the check impossible to satisfy, and `why` says how.
 */
export interface Exclusion {
  /** A schemathesis check name, e.g. `positive_data_acceptance`. */
  check: string;
  /** `METHOD /path` as schemathesis names operations; absent: every operation. */
  operation?: string;
  why: string;
}

export interface RunOptions {
  /** The contract: a file path or a URL. */
  schema: string;
  /** The service's base URL. */
  url: string;
  seed: number;
  maxExamples: number;
  exclusions?: Exclusion[];
  /** Bound on the whole run, in seconds (the phases stop early when it is spent). */
  maxTime?: number;
}

/** One distinct failure: a check that failed on an operation, with a reproduction. */
export interface Failure {
  /** e.g. `ST201 Schema-violating request accepted`. */
  check: string;
  operation: string;
  /** What st says about it (its first lines, e.g. `Invalid component: in body - tags: Incorrect type`). */
  detail: string;
  /** The response's status line as st prints it and the start of its body, e.g. `[201] Created {"id":...}`. */
  response: string;
  /** The curl command(s) that reproduce it (a stateful failure has several, one a line). */
  curl: string;
}

export interface RunResult {
  /** Test cases schemathesis generated and sent. */
  cases: number;
  /** Test cases with at least one failed check. */
  casesFailed: number;
  /** Unique failures as schemathesis counts them. */
  uniqueFailures: number;
  /** Errors (a case st could not send or read) as opposed to failed checks. */
  errors: string[];
  failures: Failure[];
  exitCode: number;
  /** st's whole console output. */
  output: string;
  seconds: number;
}

/** The TOML config that turns the excluded checks off (per operation where one is named). */
export function configToml(exclusions: Exclusion[]): string {
  const lines = [
    '# Written by test/support/schemathesis.ts for one run.',
    '# Every check (what `st run --checks all` selects; on the command line it would override the exclusions below).',
    '[checks]',
    'enabled = true',
    '',
  ];
  for (const e of exclusions.filter((x) => !x.operation)) {
    lines.push(`# ${e.why.replace(/\n/g, ' ')}`, `[checks.${e.check}]`, 'enabled = false', '');
  }
  for (const e of exclusions.filter((x) => x.operation)) {
    lines.push(`# ${e.why.replace(/\n/g, ' ')}`, '[[operations]]', `include-name = ${JSON.stringify(e.operation)}`, `checks.${e.check}.enabled = false`, '');
  }
  return lines.join('\n') + '\n';
}

/** Runs `st run` with every check (but the exclusions), a fixed seed and a bounded number of examples per operation. */
export async function runSchemathesis(o: RunOptions): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'svc-st-'));
  const config = join(work, 'schemathesis.toml');
  writeFileSync(config, configToml(o.exclusions ?? []));
  const report = join(work, 'report.json');
  const args = [
    '--config-file', config,
    'run', o.schema,
    '--url', o.url,
    // Every check: `enabled = true` under [checks] in the config file, the
    // same as --checks all, which would also re-enable the excluded checks.
    '--seed', String(o.seed),
    '--max-examples', String(o.maxExamples),
    // One worker: the same seed then sends the same requests in the same order.
    '--workers', '1',
    // No example database: a rerun must not replay what an earlier run found.
    '--generation-database', 'none',
    // No NUL in generated strings. Generated services refuse NUL in every
    // string, body property name and parameter (issue #11: PostgreSQL's text
    // cannot hold it, and a NUL in a name or a log line is an attack more often
    // than data), while JSON Schema's `type: string` allows it: with NUL
    // allowed, every schema-valid case that carries one is a
    // positive_data_acceptance failure no service that refuses NUL can avoid.
    // That refusal is tested where it is made (the models' tests); here
    // schemathesis keeps to strings a service can store.
    '--generation-allow-x00', 'false',
    // The reproductions must be runnable as printed.
    '--output-sanitize', 'false',
    '--request-timeout', '10',
    '--no-color',
    '--report', 'json',
    '--report-json-path', report,
    // A failing case is reported as generated, not shrunk: shrinking a failing
    // stateful sequence can take minutes, and the bound on CI time matters more.
    '--no-shrink',
    ...(o.maxTime ? ['--max-time', String(o.maxTime)] : []),
  ];
  const started = Date.now();
  const r = await execa(ST, args, { cwd: work, reject: false, all: true, env: { ...process.env, NO_COLOR: '1', COLUMNS: '200', SCHEMATHESIS_HOOKS: HOOKS } });
  const seconds = (Date.now() - started) / 1000;
  const output = r.all ?? '';
  if (!existsSync(report)) throw new Error(`st run wrote no report (exit ${r.exitCode}):\n${output}`);
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    test_cases: { generated: number; with_failures: number; unique_failures: number };
    errors: unknown[];
  };
  return {
    cases: json.test_cases.generated,
    casesFailed: json.test_cases.with_failures,
    uniqueFailures: json.test_cases.unique_failures,
    errors: (json.errors ?? []).map((e) => JSON.stringify(e)),
    failures: parseFailures(output),
    exitCode: r.exitCode ?? -1,
    output,
    seconds,
  };
}

/**
 * The distinct failures in st's FAILURES section: one per (check, operation),
 * the first reproduction st printed for it.
 */
export function parseFailures(output: string): Failure[] {
  const start = output.indexOf(' FAILURES ');
  if (start < 0) return [];
  const end = output.indexOf(' SUMMARY ', start);
  const section = output.slice(start, end < 0 ? undefined : end).split('\n');
  const seen = new Map<string, Failure>();
  let operation = '';
  let pending: { check: string; detail: string }[] = [];
  let response = '';
  let inCase = false;
  for (let i = 0; i < section.length; i++) {
    const line = section[i]!;
    const header = /^_{3,} (.+?) _{3,}$/.exec(line.trim());
    if (header) {
      operation = header[1]!;
      pending = [];
      inCase = false;
      continue;
    }
    if (/^\d+\. Test Case ID:/.test(line.trim())) {
      pending = [];
      response = '';
      inCase = true;
      continue;
    }
    if (!inCase) continue;
    const check = /^- (ST\d+ .+|[A-Z].+)$/.exec(line.trim());
    if (check && !response) {
      // What st says about it, up to the response: its first lines, bounded.
      const said: string[] = [];
      for (let j = i + 1; j < section.length; j++) {
        const t = section[j]!.trim();
        if (t.startsWith('- ') || /^\[\d+\]/.test(t)) break;
        if (t) said.push(t);
      }
      const detail = said.slice(0, 4).join(' | ').slice(0, 400);
      pending.push({ check: check[1]!, detail });
      continue;
    }
    const status = /^(\[\d+\] .*?):?$/.exec(line.trim());
    if (status && !response) {
      response = status[1]!;
      // The body st shows, in backquotes on the next non-empty line.
      const next = section.slice(i + 1).find((l) => l.trim());
      if (next && next.trim().startsWith('`')) response += ` ${next.trim().replace(/^`|`$/g, '').slice(0, 300)}`;
      continue;
    }
    if (line.trim().startsWith('curl ')) {
      // A stateful failure is a sequence of requests: all of them reproduce it.
      const curls: string[] = [];
      for (let j = i; j < section.length && section[j]!.trim().startsWith('curl '); j++) curls.push(section[j]!.trim());
      i += curls.length - 1;
      // Stateful failures are named by their last request's method and path.
      let op = operation;
      if (/^Stateful/.test(operation)) {
        const last = /curl -X (\S+) .*?https?:\/\/[^/\s']+([^?\s']*)/.exec(curls[curls.length - 1]!);
        // Ids the service issued differ from run to run: {id} keeps one entry per route.
        const path = last ? last[2]!.replace(/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=\/|$)/gi, '/{id}') : '';
        op = `${operation}: ${last ? `${last[1]} ${path}` : '?'}`;
      }
      for (const p of pending) {
        const key = `${p.check}\u0000${op}`;
        if (!seen.has(key)) seen.set(key, { check: p.check, operation: op, detail: p.detail, response, curl: curls.map((c) => (c.length > 1500 ? `${c.slice(0, 1500)}… (${c.length} characters)` : c)).join('\n    ') });
      }
      pending = [];
      inCase = false;
    }
  }
  return [...seen.values()];
}

/** A failure list as a readable block for a test's failure message. */
export function formatFailures(service: string, failures: Failure[]): string {
  return failures
    .map((f, i) => `${service} #${i + 1}: ${f.check}\n  operation: ${f.operation}\n  ${f.detail ? `why: ${f.detail}\n  ` : ''}response: ${f.response}\n  reproduce: ${f.curl}`)
    .join('\n');
}

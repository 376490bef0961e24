import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { FileSystem } from '../fs/types.js';
import type { Diagnostic } from '../pipeline/lint.js';
import type { JsonProblem } from './json.js';
import type { Output } from './report.js';
import { collect } from './options.js';

export interface LintContext {
  io: Output;
  cwd: string;
  fsFor: (dir: string) => FileSystem;
  setExitCode: (code: number) => void;
  /** The service folder for `--dir` (absent: found from cwd up); `--dir` resolved from cwd when not given. */
  where?: (given: string | undefined) => string;
}

/** Declares `svc lint [FILE]`. */
export function registerLintCommand(program: Command, ctx: LintContext): void {
  program
    .command('lint')
    .description('check a contract without generating: its errors and warnings, and what it breaks since the last generation')
    .argument('[file]', "the contract (default: the service's, as svc.yaml names it; at a platform root, every service's); one outside a service is checked on its own")
    .option('--dir <path>', 'the service folder (default: the current folder)')
    .option('-I, --proto-path <dir>', "a proto FILE's import folder (repeat for more; a service's come from svc.yaml)", collect, [] as string[])
    .option('--against <file>', "a recorded API to compare with instead of the service's .svc/api.yaml, e.g. the main branch's")
    .addHelpText(
      'after',
      [
        '',
        'Each finding is one line, file:line:col: error|warning: message. Exit 1 on an',
        'error or a breaking change (warnings alone exit 0).',
        '',
        'Examples:',
        '  svc lint                                  # the service\'s contract, and what it breaks since `svc gen api`',
        '  svc lint productproto/openapi/product.yaml',
        '  svc lint ../api/orders.yaml               # any contract, outside a service: no breaking check',
        '  svc lint -I proto proto/shop/v1/shop.proto   # a proto contract on its own, its imports from proto/',
        '  svc lint --dir shop                       # at a platform root: every service\'s contract',
        '  git show main:.svc/api.yaml > /tmp/main-api.yaml && svc lint --against /tmp/main-api.yaml   # in CI: what this branch breaks',
      ].join('\n'),
    )
    .action(async (file: string | undefined, opts: { dir?: string; against?: string; protoPath: string[] }) => {
      ctx.setExitCode(await runLint(file, opts, ctx));
    });
}

/** Prints every finding on stdout, a summary per contract on stderr; 1 when there is an error or a breaking change. */
export async function runLint(file: string | undefined, opts: { dir?: string; against?: string; protoPath?: string[] }, ctx: LintContext): Promise<number> {
  const { lintContracts, formatDiagnostic, lintFails } = await import('../pipeline/lint.js');
  const dir = ctx.where ? ctx.where(opts.dir) : resolve(ctx.cwd, opts.dir ?? '.');
  const o: Parameters<typeof lintContracts>[0] = { cwd: ctx.cwd, dir, fsFor: ctx.fsFor };
  if (file !== undefined) o.file = file;
  if (opts.against !== undefined) o.against = opts.against;
  if (opts.protoPath && opts.protoPath.length > 0) o.includes = opts.protoPath;
  const results = await lintContracts(o);
  if (results.length === 0) ctx.io.err('note: nothing to lint: the platform has no services yet (svc add service)');
  let code = 0;
  for (const r of results) {
    const breaking = r.breaking.map((b): Diagnostic => ({ severity: 'error', message: `breaking change: ${b.message}`, ...(b.location ? { location: b.location } : {}) }));
    for (const d of [...r.diagnostics, ...breaking]) {
      ctx.io.out(formatDiagnostic(d, r.contract));
      ctx.io.json?.problems.push(jsonProblem(d, r.contract));
    }
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = r.diagnostics.length - errors;
    if (r.unchecked) {
      ctx.io.err(`note: ${r.contract}: breaking changes not checked: ${r.unchecked}`);
      ctx.io.json?.notes.push(`${r.contract}: breaking changes not checked: ${r.unchecked}`);
    }
    const counted = r.breaking.length > 0 ? ` (${r.breaking.length} breaking change(s))` : '';
    ctx.io.err(`${r.contract}: ${errors + r.breaking.length} error(s)${counted}, ${warnings} warning(s)`);
    if (lintFails(r)) code = 1;
  }
  return code;
}

/** A finding as the --json document carries it: located in the contract when it has a place. */
function jsonProblem(d: Diagnostic, contract: string): JsonProblem {
  const loc = d.location ?? { file: contract };
  const p: JsonProblem = { severity: d.severity, message: d.message, file: loc.file };
  if (loc.line !== undefined) p.line = loc.line;
  if (loc.column !== undefined) p.column = loc.column;
  return p;
}

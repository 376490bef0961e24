import { Option, type Command } from 'commander';
import type { FileSystem } from '../fs/types.js';
import type { AddResult } from '../pipeline/add.js';
import type { GenApiResult } from '../pipeline/gen.js';
import type { Output } from './report.js';

/** The HTTP methods `svc add operation --method` takes (kept here so that `svc --help` loads no pipeline). */
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** What `svc add resource` and `svc add operation` need of the CLI. */
export interface AddContext {
  /** The service folder: `--dir` (which must exist), else the nearest folder up from the current one with svc.yaml. */
  root: (dir: string | undefined) => string;
  io: Output;
  fsFor: (dir: string) => FileSystem;
  setExitCode: (code: number) => void;
  /** Prints a re-generation as `svc gen api` does (warnings, plan, summary, actions needed) and gives its exit code. */
  report: (result: GenApiResult, options: { dryRun: boolean; diff: boolean; list: boolean; resources?: boolean }) => number;
}

interface CommonFlags {
  dir?: string;
  dryRun?: boolean;
  force?: boolean;
}

/**
 * Declares `svc add resource` and `svc add operation` on the `add` command
 * the platform commands made (`svc add service`, `svc add client`).
 */
export function registerAddCommands(program: Command, ctx: AddContext): void {
  const add = program.commands.find((c) => c.name() === 'add') ?? program.command('add');
  add.description('add to a service\'s contract (a resource, an operation) and re-generate; or add to a platform (a service, a client)');
  const common = (c: Command) =>
    c
      .option('--dir <path>', 'the service folder (default: the one holding svc.yaml, from the current folder up)')
      .option('--dry-run', 'print the contract edit and the plan, write nothing')
      .option('--force', 'overwrite generated files edited by hand');

  common(
    add
      .command('resource')
      .description('add a CRUD resource (create, get, list, update, delete) to the contract, shaped as the starter\'s, and re-generate')
      .argument('<name>', 'the resource: lower-case letters, digits and dashes (e.g. order, order-item)')
      .option('--fields <name:type,...>', 'its fields instead of the starter\'s; types: string, integer, number, boolean, date-time, or a list such as []string')
      .option('--required <names>', 'which of --fields are required, comma-separated'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc add resource order                                   # the starter\'s fields',
        '  svc add resource order --fields item:string,quantity:integer,due:date-time --required item,quantity',
        '  svc add resource order-item --fields \'sku:string,tags:[]string\' --dry-run   # quote [] for the shell',
      ].join('\n'),
    )
    .action(async (name: string, opts: CommonFlags & { fields?: string; required?: string }) => {
      const { addResource } = await import('../pipeline/add.js');
      const o: Parameters<typeof addResource>[0] = { name, ...base(opts, ctx) };
      if (opts.fields !== undefined) o.fields = opts.fields;
      if (opts.required !== undefined) o.required = opts.required.split(',').map((s) => s.trim()).filter(Boolean);
      finish(await addResource(o), `the ${name} resource`, opts, ctx);
    });

  common(
    add
      .command('operation')
      .description('add one operation (an RPC with its HTTP binding, for a proto service) to the contract and re-generate; its stub answers "not implemented" until you write it')
      .argument('<operationId>', 'the operation id, e.g. approveOrder (ApproveOrder for an RPC)')
      .addOption(new Option('--method <method>', 'the HTTP method').choices([...METHODS]).makeOptionMandatory())
      .requiredOption('--path <path>', 'the HTTP path, with {name} variables, e.g. /orders/{id}/approve (a proto binding: /v1/{name=orders/*}:approve)')
      .option('--resource <name>', 'the resource it belongs to: grouped with its operations (OpenAPI: its tag; proto: its service)'),
  )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc add operation approveOrder --method post --path \'/orders/{id}/approve\' --resource order',
        '  svc add operation searchOrders --method get --path /orders/search --dry-run',
        '  svc add operation ApproveOrder --method post --path \'/v1/{name=orders/*}:approve\'   # a proto service',
      ].join('\n'),
    )
    .action(async (operationId: string, opts: CommonFlags & { method: (typeof METHODS)[number]; path: string; resource?: string }) => {
      const { addOperation } = await import('../pipeline/add.js');
      const o: Parameters<typeof addOperation>[0] = { operationId, method: opts.method, path: opts.path, ...base(opts, ctx) };
      if (opts.resource !== undefined) o.resource = opts.resource;
      finish(await addOperation(o), `the operation ${operationId}`, opts, ctx);
    });
}

function base(opts: CommonFlags, ctx: AddContext): { dir: string; fs: FileSystem; dryRun: boolean; force: boolean } {
  const dir = ctx.root(opts.dir);
  return { dir, fs: ctx.fsFor(dir), dryRun: opts.dryRun ?? false, force: opts.force ?? false };
}

function finish(result: AddResult, what: string, opts: CommonFlags, ctx: AddContext): void {
  const dryRun = opts.dryRun ?? false;
  const code = ctx.report(result, { dryRun, diff: dryRun, list: true });
  if (code === 0 && !dryRun) ctx.io.out(`added ${what} to ${result.contract}; the service is re-generated`);
  ctx.setExitCode(code);
}

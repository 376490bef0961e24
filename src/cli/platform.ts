import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { countActions } from '../plan/plan.js';
import type { PlatformResult } from '../pipeline/platform.js';
import { CACHES, DATABASES, EVENT_BROKERS, type CacheKind, type Database, type EventBroker } from '../project/settings.js';
import { addPlan } from './json.js';
import { collect } from './options.js';
import { withProgress } from './progress.js';
import { printPlan, summary, type Output } from './report.js';

/** What the platform commands need of the CLI. */
export interface PlatformCli {
  cwd: string;
  io: Output;
  stderr: NodeJS.WriteStream;
  fsFor: (dir: string) => FileSystem;
  /** Whether files land on disk (tidy runs only then). */
  onDisk: (fs: FileSystem) => boolean;
  setExitCode: (code: number) => void;
}

interface AddServiceFlags {
  dir?: string;
  from?: string;
  openapi?: string;
  proto?: string | true;
  protoPath?: string[];
  database?: Database;
  events?: EventBroker;
  cache?: CacheKind;
  skipTidy?: boolean;
  dryRun?: boolean;
}

/** Declares `svc add service` and `svc add client`, the platform's commands. */
export function registerPlatformCommands(program: Command, cli: PlatformCli): void {
  const add = program.command('add').description('add to a platform (a monorepo made with `svc new <name> --monorepo`)');
  add
    .command('service')
    .description('add a service to the platform, in services/<name>, importing the shared runtime')
    .argument('<name>', 'service name: lower-case letters, digits and dashes (e.g. product)')
    .option('--dir <path>', 'the platform folder (default: the current folder)')
    .option('--openapi <file>', 'OpenAPI contract to generate from')
    .option('--proto [file]', 'protobuf contract (the starter proto when no file is given)')
    .option('--from <dir>', 'move an existing single service (made by `svc new`) into the platform')
    .option('-I, --proto-path <dir>', "a folder to resolve the proto's imports from; repeat for more", collect, [] as string[])
    .addOption(new Option('--database <kind>', 'where data is kept').choices([...DATABASES]))
    .addOption(new Option('--events <broker>', 'the event broker built in besides the in-memory one').choices([...EVENT_BROKERS]))
    .addOption(new Option('--cache <kind>', 'cache repository reads: in process (memory), or in process in front of Redis').choices([...CACHES]))
    .option('--skip-tidy', 'do not run `go mod tidy` after writing the files')
    .option('--dry-run', 'print the plan and write nothing')
    .addHelpText('after', ['', 'Examples:', '  svc add service product', '  svc add service user --proto', '  svc add service order --openapi order.yaml', '  svc add service billing --from ../billing   # move a single service in'].join('\n'))
    .action(async (name: string, opts: AddServiceFlags) => {
      const dir = resolve(cli.cwd, opts.dir ?? '.');
      const { addService, moveService } = await import('../pipeline/platform.js');
      if (opts.openapi !== undefined && opts.proto !== undefined) throw new UsageError('--openapi and --proto cannot be used together: a service has one contract');
      if (opts.from !== undefined) {
        if (opts.openapi !== undefined || opts.proto !== undefined || opts.database !== undefined || opts.events !== undefined || opts.cache !== undefined) throw new UsageError('--from moves a service with its own contract and settings: drop --openapi, --proto, --database, --events and --cache');
        const fs = cli.fsFor(dir);
        const moved = await moveService({ dir, fs, name, from: resolve(cli.cwd, opts.from), dryRun: opts.dryRun ?? false });
        cli.setExitCode(await finish(moved, cli, dir, fs, { dryRun: opts.dryRun ?? false, tidy: !opts.skipTidy, list: true }));
        if (!opts.dryRun) cli.io.out(`moved the ${name} service from ${opts.from} to services/${name}; the folder ${opts.from} is left as it was`);
        return;
      }
      const service: Parameters<typeof addService>[0]['service'] = { name, cwd: cli.cwd };
      if (opts.openapi !== undefined) service.openapi = opts.openapi;
      if (opts.proto !== undefined) {
        service.proto = opts.proto;
        service.includes = opts.protoPath ?? [];
      }
      if (opts.database !== undefined) service.database = opts.database;
      if (opts.events !== undefined) service.events = opts.events;
      if (opts.cache !== undefined) service.cache = opts.cache;
      const fs = cli.fsFor(dir);
      const result = await addService({ dir, fs, dryRun: opts.dryRun ?? false, service });
      cli.setExitCode(await finish(result, cli, dir, fs, { dryRun: opts.dryRun ?? false, tidy: !opts.skipTidy, all: true }));
      if (!opts.dryRun) cli.io.out(`added the ${name} service in services/${name}`);
    });
  add
    .command('client')
    .description("give a service of the platform a typed client of another one (internal/client/<other>), wired by config")
    .argument('<other>', 'the service to call')
    .requiredOption('--to <service>', 'the service that calls it')
    .option('--dir <path>', 'the platform folder (default: the current folder)')
    .option('--skip-tidy', 'do not run `go mod tidy` after writing the files')
    .option('--dry-run', 'print the plan and write nothing')
    .addHelpText('after', ['', 'Examples:', '  svc add client product --to order   # order calls product through internal/client/product'].join('\n'))
    .action(async (other: string, opts: { to: string; dir?: string; skipTidy?: boolean; dryRun?: boolean }) => {
      const dir = resolve(cli.cwd, opts.dir ?? '.');
      const { addClient } = await import('../pipeline/platform.js');
      const fs = cli.fsFor(dir);
      const result = await addClient({ dir, fs, other, to: opts.to, dryRun: opts.dryRun ?? false });
      cli.setExitCode(await finish(result, cli, dir, fs, { dryRun: opts.dryRun ?? false, tidy: !opts.skipTidy }));
    });
}

/** `svc new <name> --monorepo`. */
export async function runNewPlatform(name: string, opts: { dir?: string; module?: string; dryRun?: boolean; skipTidy?: boolean }, cli: PlatformCli): Promise<number> {
  const dir = resolve(cli.cwd, opts.dir ?? name);
  const { newPlatform } = await import('../pipeline/platform.js');
  const fs = cli.fsFor(dir);
  const o: Parameters<typeof newPlatform>[0] = { name, dir, fs, dryRun: opts.dryRun ?? false };
  if (opts.module !== undefined) o.module = opts.module;
  const result = await newPlatform(o);
  const code = await finish(result, cli, dir, fs, { dryRun: opts.dryRun ?? false, tidy: !opts.skipTidy });
  if (code === 0 && !opts.dryRun) {
    cli.io.out(`wrote the ${name} platform to ${dir}`);
    cli.io.out(`\nNext: cd ${opts.dir ?? name} && svc add service product`);
  }
  return code;
}

/** `svc gen api` at a platform's root. */
export async function runGenPlatform(dir: string, fs: FileSystem, opts: { dryRun?: boolean; force?: boolean }, cli: PlatformCli): Promise<number> {
  const { genPlatform } = await import('../pipeline/platform.js');
  const result = await genPlatform({ dir, fs, dryRun: opts.dryRun ?? false, force: opts.force ?? false });
  return finish(result, cli, dir, fs, { dryRun: opts.dryRun ?? false, tidy: true, list: true });
}

/**
 * Reports a platform run as a service run is reported (warnings, plan,
 * summary, then what the user must do, last), and tidies the Go modules
 * whose files changed, each on its own.
 */
async function finish(result: PlatformResult, cli: PlatformCli, dir: string, fs: FileSystem, o: { dryRun: boolean; tidy: boolean; all?: boolean; list?: boolean }): Promise<number> {
  const { io } = cli;
  if (io.json) {
    addPlan(io.json, result.plan, o.dryRun);
    io.json.warnings.push(...result.warnings);
    io.json.notes.push(...result.notes);
    io.json.actionsNeeded.push(...result.reports, ...result.edits);
  }
  for (const w of result.warnings) io.err(`warning: ${w}`);
  for (const n of result.notes) io.err(`note: ${n}`);
  const conflicts = countActions(result.plan).conflict;
  if (o.dryRun) {
    printPlan(result.plan, io, { diff: false });
    io.out(`dry run: ${summary(result.plan)}; nothing written`);
  } else {
    if (o.list) printPlan(result.plan, io);
    io.out(conflicts > 0 ? `stopped: ${summary(result.plan)}; nothing written` : summary(result.plan));
  }
  for (const r of [...result.reports, ...result.edits]) io.err(`action needed: ${r}`);
  if (conflicts > 0) {
    io.err(`error: ${conflicts} generated file(s) were edited by hand: nothing was written; see "action needed" above for the ways out`);
    return 1;
  }
  if (result.buildBroken || result.edits.length > 0) {
    io.err('error: the platform will not compile until the edits named under "action needed" are made');
    return 1;
  }
  if (o.dryRun || !o.tidy || !cli.onDisk(fs) || result.modules.length === 0) return 0;
  const { goModTidy, goVersion } = await import('../tools/go.js');
  if (!(await goVersion())) {
    io.err('warning: `go` is not on PATH: install Go 1.22 or newer, then run `go mod tidy` in the root and in each service');
    return 0;
  }
  for (const m of result.modules) {
    const where = join(dir, m);
    const r = await withProgress(`go mod tidy (${m === '.' ? 'root' : m})`, cli.stderr, () => goModTidy(where, { workspace: false }));
    if (!r.ok) {
      io.err(`error: go mod tidy failed in ${where} (the files are written; run it again there once fixed):\n${r.message}`);
      return 1;
    }
  }
  return 0;
}

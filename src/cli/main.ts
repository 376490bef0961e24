import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, UserError } from '../errors.js';
import { DiskFileSystem } from '../fs/disk.js';
import { runInterruptCleanups } from '../fs/interrupt.js';
import type { FileSystem } from '../fs/types.js';
import { countActions } from '../plan/plan.js';
import type { GenerateResult } from '../pipeline/generate.js';
import type { newService as NewService } from '../pipeline/new.js';
import { CACHES, DATABASES, EVENT_BROKERS, TRANSPORTS, type CacheKind, type Database, type EventBroker, type Transport } from '../project/settings.js';
import { registerDeployCommands } from './deploy.js';
import { registerDoctorCommand } from './doctor.js';
import { registerPlatformCommands, runGenPlatform, runNewPlatform, type PlatformCli } from './platform.js';
import { withProgress } from './progress.js';
import { describeResources } from './resources.js';
import { printPlan, summary, type Output } from './report.js';
import { registerTemplateCommand } from './template.js';
import { registerUpgradeCommand } from './upgrade.js';

// The pipeline, the contract parsers and the prompts load only when a command
// needs them, so `svc --version` and `svc --help` start fast.

export interface CliEnv {
  cwd: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Whether prompts may be shown. */
  interactive: boolean;
  /** Injected file system factory (tests use memory); defaults to a staged disk file system. */
  fsFor?: (dir: string) => FileSystem;
}

function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[], env: CliEnv = defaultEnv()): Promise<number> {
  const io: Output = { out: (l) => env.stdout.write(`${l}\n`), err: (l) => env.stderr.write(`${l}\n`) };
  const fsFor = env.fsFor ?? ((dir: string) => new DiskFileSystem(dir, { staged: true }));
  let exitCode = 0;

  const platformCli: PlatformCli = {
    cwd: env.cwd,
    io,
    stderr: env.stderr,
    fsFor,
    onDisk: (fs) => fs instanceof DiskFileSystem,
    setExitCode: (code) => (exitCode = code),
  };

  const program = new Command('svc')
    .description('Generate production-grade Go microservices from OpenAPI or protobuf contracts.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => env.stdout.write(s), writeErr: (s) => env.stderr.write(s) });

  program
    .command('new')
    .description('create a new service from a contract (the starter contract when none is given)')
    .argument('<name>', 'service name: lower-case letters, digits and dashes (e.g. product)')
    .option('--dir <path>', 'folder to create the service in (default: ./<name>)')
    .option('--module <path>', 'Go module path (default: example.com/<name>)')
    .option('--openapi <file>', 'OpenAPI contract to generate from')
    .option('--proto [file]', 'protobuf contract to generate a gRPC + REST service from (the starter proto when no file is given)')
    .option('-I, --proto-path <dir...>', 'folders to resolve the proto\'s imports from (google/api and google/protobuf resolve without them)')
    .addOption(new Option('--transport <kind>', 'transport to serve').choices([...TRANSPORTS]))
    .addOption(new Option('--database <kind>', 'where data is kept').choices([...DATABASES]))
    .addOption(new Option('--events <broker>', 'the event broker built in besides the in-memory one (config events.driver picks at run time)').choices([...EVENT_BROKERS]))
    .addOption(new Option('--cache <kind>', 'cache repository reads: in process (memory), or in process in front of Redis').choices([...CACHES]))
    .option('--skip-tidy', 'do not run `go mod tidy` after writing the files')
    .option('--dry-run', 'print the plan and write nothing')
    .option('--force', 'generate into a non-empty folder; overwrite generated files edited by hand')
    .option('--monorepo', 'create a platform instead: services/ (svc add service), one shared runtime in shared/pkg, go.work')
    .option('-y, --yes', 'never prompt; use flags and defaults')
    .action(async (name: string, opts: NewFlags) => {
      if (opts.monorepo) {
        const service = (['openapi', 'proto', 'transport', 'database', 'events', 'cache', 'force'] as const).filter((k) => opts[k] !== undefined);
        if (service.length > 0) throw new UsageError(`--monorepo makes a platform without services: give ${service.map((k) => `--${k}`).join(', ')} to \`svc add service\` instead`);
        exitCode = await runNewPlatform(name, opts, platformCli);
        return;
      }
      exitCode = await runNew(name, opts, env, io, fsFor);
    });

  const gen = program.command('gen').description('re-generate parts of an existing service');
  // The options of every command that re-generates files of a service.
  const regenerating = (c: Command) =>
    c
      .option('--dir <path>', 'the service folder (default: the current folder)')
      .option('--dry-run', 'print the plan and a diff, write nothing')
      .option('--force', 'overwrite generated files edited by hand')
      .option('-y, --yes', 'never prompt');
  regenerating(gen.command('api').description('re-generate the service (or, at a platform root, every service) from its contract after the contract changed'))
    .action(async (opts: { dir?: string; dryRun?: boolean; force?: boolean }) => {
      const dir = resolve(env.cwd, opts.dir ?? '.');
      const { genApi } = await import('../pipeline/gen.js');
      const fs = fsFor(dir);
      noteSwept(fs, io);
      const { readPlatformSettings } = await import('../project/platform.js');
      if (await readPlatformSettings(fs)) {
        exitCode = await runGenPlatform(dir, fs, opts, platformCli);
        return;
      }
      const result = await genApi({ dir, fs, force: opts.force ?? false, dryRun: opts.dryRun ?? false });
      exitCode = report(result, io, { dryRun: opts.dryRun ?? false, diff: true, list: true, resources: true });
    });
  gen
    .command('client')
    .description("write a typed client: Go (this service's pkg/client, or a client of another service with --contract) or a TypeScript npm package")
    .addOption(new Option('--lang <language>', 'the client language').choices(['go', 'ts']).default('go'))
    .option('--contract <file>', "another service's contract (OpenAPI or .proto) to build the client of (default: this service's)")
    .option('--out <dir>', 'with --lang ts: the folder of the npm package (default: sdk/ts in the service, or ./<name>-client with --contract)')
    .option('--package <name>', 'with --lang go --contract: the client name, its package internal/client/<name> and config key clients.<name> (default: from the contract file name)')
    .option('--dir <path>', 'the service folder (default: the current folder)')
    .option('--dry-run', 'print the plan, write nothing')
    .option('--force', 'overwrite generated files edited by hand')
    .option('-y, --yes', 'never prompt')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc gen client                                  # refresh pkg/client, this service\'s own Go client',
        '  svc gen client --contract ../user/userproto/openapi/user.yaml   # internal/client/user, kept by `svc gen api`',
        '  svc gen client --lang ts --out ./sdk            # a TypeScript package for this service',
      ].join('\n'),
    )
    .action(async (opts: { lang: 'go' | 'ts'; contract?: string; out?: string; package?: string; dir?: string; dryRun?: boolean; force?: boolean }) => {
      const dir = resolve(env.cwd, opts.dir ?? '.');
      const { genClient } = await import('../pipeline/client.js');
      const fs = fsFor(dir);
      noteSwept(fs, io);
      const dryRun = opts.dryRun ?? false;
      const o: Parameters<typeof genClient>[0] = { lang: opts.lang, dir, fs, fsFor, cwd: env.cwd, force: opts.force ?? false, dryRun };
      if (opts.contract !== undefined) o.contract = opts.contract;
      if (opts.out !== undefined) o.out = opts.out;
      if (opts.package !== undefined) o.package = opts.package;
      const result = await genClient(o);
      exitCode = report(result, io, { dryRun, diff: true, list: true });
      if (!dryRun && exitCode === 0) io.out(`the ${opts.lang === 'ts' ? 'TypeScript' : 'Go'} client is in ${result.where}`);
    });
  registerDeployCommands(gen, async (kind, opts) => {
    const dir = resolve(env.cwd, opts.dir ?? '.');
    const { genDeploy } = await import('../pipeline/deploy.js');
    const dryRun = opts.dryRun ?? false;
    const result = await genDeploy(kind, { dir, fs: fsFor(dir), force: opts.force ?? false, dryRun, flags: opts.flags });
    exitCode = report(result, io, { dryRun, diff: true, list: true });
  });
  regenerating(gen.command('helm').description("write the service's Helm chart to charts/<name>/ (values-<env>.yaml once, from svc.yaml); svc gen api keeps it in step"))
    .action(async (opts: { dir?: string; dryRun?: boolean; force?: boolean }) => {
      const dir = resolve(env.cwd, opts.dir ?? '.');
      const { genHelm } = await import('../pipeline/helm.js');
      const fs = fsFor(dir);
      noteSwept(fs, io);
      const dryRun = opts.dryRun ?? false;
      const result = await genHelm({ dir, fs, force: opts.force ?? false, dryRun });
      exitCode = report(result, io, { dryRun, diff: true, list: true });
    });
  registerPlatformCommands(program, platformCli);
  registerDoctorCommand(program, { io, stderr: env.stderr, setExitCode: (code) => (exitCode = code) });
  registerTemplateCommand(program, { io, cwd: env.cwd, fsFor, setExitCode: (code) => (exitCode = code) });
  registerUpgradeCommand(program, { io, cwd: env.cwd, fsFor, setExitCode: (code) => (exitCode = code), report: (r, o) => report(r, io, o), genPlatform: (dir, fs, o) => runGenPlatform(dir, fs, o, platformCli) });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    return handleError(err, io);
  }
}

interface NewFlags {
  dir?: string;
  module?: string;
  openapi?: string;
  proto?: string | true;
  protoPath?: string[];
  transport?: Transport;
  database?: Database;
  events?: EventBroker;
  cache?: CacheKind;
  skipTidy?: boolean;
  dryRun?: boolean;
  force?: boolean;
  yes?: boolean;
  monorepo?: boolean;
}

async function runNew(name: string, opts: NewFlags, env: CliEnv, io: Output, fsFor: (dir: string) => FileSystem): Promise<number> {
  let module = opts.module;
  let openapi = opts.openapi;
  let transports: Transport[] | undefined = opts.transport ? [opts.transport] : undefined;
  let database: Database | undefined = opts.database;
  if (env.interactive && !opts.yes && opts.proto === undefined) {
    const { askNew } = await import('./prompts.js');
    const known: Parameters<typeof askNew>[1] = { openapiGiven: openapi !== undefined };
    if (module !== undefined) known.module = module;
    if (openapi !== undefined) known.openapi = openapi;
    if (opts.transport) known.transports = [opts.transport];
    if (opts.database) known.database = opts.database;
    const answers = await askNew(name, known);
    module = answers.module;
    openapi = answers.openapi;
    if (answers.proto !== undefined) opts.proto = answers.proto;
    transports = answers.transports;
    database = answers.database;
  }
  const dir = resolve(env.cwd, opts.dir ?? name);
  const fs = fsFor(dir);
  noteSwept(fs, io);
  const newOpts: Parameters<typeof NewService>[0] = {
    name,
    dir,
    fs,
    force: opts.force ?? false,
    dryRun: opts.dryRun ?? false,
    cwd: env.cwd,
  };
  // Only what was asked: in a folder that already is a service, svc.yaml decides the rest.
  if (module !== undefined) newOpts.module = module;
  if (transports !== undefined) newOpts.transports = transports;
  if (database !== undefined) newOpts.database = database;
  if (opts.events !== undefined) newOpts.events = opts.events;
  if (opts.cache !== undefined) newOpts.cache = opts.cache;
  if (openapi !== undefined) newOpts.openapi = openapi;
  if (opts.proto === undefined && opts.transport === 'grpc') {
    throw new UsageError('--transport grpc needs a protobuf contract: use --proto [file] (a proto service serves gRPC and its REST gateway)');
  }
  if (opts.proto !== undefined) {
    if (openapi !== undefined) throw new UsageError('--openapi and --proto cannot be used together: a service has one contract');
    newOpts.proto = opts.proto;
    newOpts.includes = opts.protoPath ?? [];
  }
  if (!opts.skipTidy && !opts.dryRun && fs instanceof DiskFileSystem) {
    const { goModTidy, goVersion } = await import('../tools/go.js');
    if (await goVersion()) newOpts.tidy = (where) => withProgress('go mod tidy', env.stderr, () => goModTidy(where));
    else io.err('warning: `go` is not on PATH: install Go 1.22 or newer (https://go.dev/doc/install), then run `go mod tidy` in the service folder');
  }
  const { newService } = await import('../pipeline/new.js');
  const result = await newService(newOpts);
  for (const note of result.notes) io.err(`note: ${note}`);
  const code = report(result, io, { dryRun: opts.dryRun ?? false, diff: false, list: false, resources: true });
  if (!opts.dryRun) io.out(`wrote the ${name} service to ${dir}`);
  if (result.tidy && !result.tidy.ok) {
    io.err(`error: go mod tidy failed in ${dir} (the service is written; run it again there once fixed):\n${result.tidy.message}`);
    return 1;
  }
  if (opts.dryRun || code !== 0) return code;
  const cd = dir === env.cwd ? '' : `cd ${opts.dir ?? name} && `;
  io.out(`\nNext: ${cd}make run    (then: curl localhost:8080/healthz)`);
  return 0;
}

/**
 * Prints warnings, the plan (every file on a dry run; on a real run only
 * with `list`), a summary, then every "action needed" line, last. Edits the
 * user's files need for the tree to compile make the exit code 1.
 */
function report(
  result: GenerateResult & { edits?: string[] },
  io: Output,
  options: { dryRun: boolean; diff: boolean; list: boolean; resources?: boolean },
): number {
  if (options.resources) for (const line of describeResources(result.model)) io.out(line);
  for (const w of result.model.warnings) io.err(`warning: ${w}`);
  for (const note of result.notes) io.err(`note: ${note}`);
  if (options.dryRun) {
    printPlan(result.plan, io, { diff: options.diff });
    io.out(`dry run: ${summary(result.plan)}; nothing written`);
  } else {
    if (options.list) printPlan(result.plan, io);
    // A conflict stops the whole plan: what it would have done, nothing of which was written.
    io.out(countActions(result.plan).conflict > 0 ? `stopped: ${summary(result.plan)}; nothing written` : summary(result.plan));
  }
  const conflicts = countActions(result.plan).conflict;
  const edits = result.edits ?? [];
  // What the user must do comes last, where it is seen.
  for (const r of [...result.reports, ...edits]) io.err(`action needed: ${r}`);
  if (conflicts > 0) {
    io.err(`error: ${conflicts} generated file(s) were edited by hand: nothing was written; see "action needed" above for the ways out`);
    return 1;
  }
  if (result.buildBroken || edits.length > 0) {
    io.err('error: the service will not compile until the edits named under "action needed" are made');
    return 1;
  }
  return 0;
}

/** Says which temporary files of an earlier, killed run the staged file system removed. */
function noteSwept(fs: FileSystem, io: Output): void {
  if (!(fs instanceof DiskFileSystem) || fs.swept.length === 0) return;
  io.err(`note: removed what an interrupted svc run left: ${fs.swept.join(', ')}`);
}

function handleError(err: unknown, io: Output): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    // Commander has already printed its one-line message.
    return 2;
  }
  // Ctrl-C at a prompt: nothing was written yet.
  if ((err as Error)?.name === 'ExitPromptError') {
    io.err(runInterruptCleanups());
    return 130;
  }
  if (err instanceof UserError) {
    io.err(`error: ${err.format()}`);
    return err.exitCode;
  }
  // The operating system refused something (a full disk, a permission, a file where a folder should be): not a bug in svc.
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') {
    const what = /^[A-Z]+: ([^,]+)/.exec(sys.message)?.[1] ?? sys.message;
    io.err(`error: ${sys.syscall}${typeof sys.path === 'string' ? ` ${sys.path}` : ''}: ${what} (${sys.code})`);
    return 1;
  }
  const e = err as Error;
  io.err(`internal error: ${e?.message ?? String(err)}`);
  if (process.env.SVC_DEBUG) io.err(e?.stack ?? '');
  else io.err('(set SVC_DEBUG=1 to see the stack trace, and please report the bug)');
  return 1;
}

function defaultEnv(): CliEnv {
  return { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) };
}

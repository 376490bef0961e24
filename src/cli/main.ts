import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, UserError } from '../errors.js';
import { DiskFileSystem } from '../fs/disk.js';
import { runInterruptCleanups } from '../fs/interrupt.js';
import type { FileSystem } from '../fs/types.js';
import { countActions } from '../plan/plan.js';
import type { GenerateResult } from '../pipeline/generate.js';
import type { newService as NewService } from '../pipeline/new.js';
import { CACHES, DATABASES, EVENT_BROKERS, TRANSPORTS, type CacheKind, type Database, type EventBroker, type Transport } from '../project/settings.js';
import { registerAddCommands } from './add.js';
import { registerCompletionCommand } from './completion.js';
import { registerDeployCommands } from './deploy.js';
import { runGenApiCheck } from './check.js';
import { registerDoctorCommand } from './doctor.js';
import { registerLintCommand } from './lint.js';
import { registerPlatformCommands, runGenPlatform, runNewPlatform, type PlatformCli } from './platform.js';
import { withProgress } from './progress.js';
import { addError, addPlan, emptyJsonReport, type JsonReport } from './json.js';
import { describeResources, resourceFacts, type ResourceFacts } from './resources.js';
import type { ReportView } from '../pipeline/fingerprint.js';
import { printPlan, summary, type Output } from './report.js';
import { registerTemplateCommand } from './template.js';
import { registerUpgradeCommand } from './upgrade.js';
import { versionText } from './version.js';
import { collect, neverPrompts } from './options.js';
import { commandRoot, normaliseArgs } from './where.js';

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

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[], env: CliEnv = defaultEnv()): Promise<number> {
  // With --json, stdout carries one JSON document and nothing else; stderr is unchanged.
  const doc = wantsJson(argv) ? emptyJsonReport() : undefined;
  const io: Output = { out: (l) => (doc ? undefined : env.stdout.write(`${l}\n`)), err: (l) => env.stderr.write(`${l}\n`), ...(doc ? { json: doc } : {}) };
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

  const onDisk = env.fsFor === undefined;
  let helpShown = false;
  const where = (given: string | undefined) => commandRoot(env.cwd, given, onDisk);

  const program = new Command('svc')
    .description('Generate production-grade Go microservices from OpenAPI or protobuf contracts.')
    .version(versionText(), '-v, --version', 'print the version, then the Go toolchain and tools generated services are pinned to')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        helpShown = true;
        env.stdout.write(s);
      },
      writeErr: (s) => env.stderr.write(s),
    });

  program
    .command('new')
    .description('create a new service from a contract (the starter contract when none is given)')
    .argument('<name>', 'service name: lower-case letters, digits and dashes (e.g. product)')
    .option('--dir <path>', 'folder to create the service in (default: ./<name>)')
    .option('--module <path>', 'Go module path (default: example.com/<name>)')
    .option('--openapi <file>', 'OpenAPI contract to generate from')
    .option('--proto [file]', 'protobuf contract to generate a gRPC + REST service from (the starter proto when no .proto path follows)')
    .option('-I, --proto-path <dir>', "a folder to resolve the proto's imports from; repeat for more (google/api and google/protobuf resolve without them)", collect, [])
    .addOption(new Option('--transport <kind>', 'transport to serve (default: http; grpc needs --proto)').choices([...TRANSPORTS]))
    .addOption(new Option('--database <kind>', `where data is kept (default: ${DATABASES[0]})`).choices([...DATABASES]))
    .addOption(new Option('--events <broker>', 'the event broker built in besides the in-memory one (default: memory only; config events.driver picks at run time)').choices([...EVENT_BROKERS]))
    .addOption(new Option('--cache <kind>', 'cache repository reads: in process (memory), or in process in front of Redis (default: off)').choices([...CACHES]))
    .option('--skip-tidy', 'do not run `go mod tidy` after writing the files')
    .option('--dry-run', 'print the plan and write nothing')
    .option('--force', 'generate into a non-empty folder; overwrite generated files edited by hand')
    .option('--monorepo', 'create a platform instead: services/ (svc add service), one shared runtime in shared/pkg, go.work')
    .option('-y, --yes', 'never prompt; use flags and defaults (prompts are shown only on a terminal)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc new product                              # the starter contract; asks what flags do not say',
        '  svc new product -y --database memory         # no questions',
        '  svc new order --openapi ./order.yaml         # from your OpenAPI contract',
        '  svc new cart --proto                         # the starter proto: gRPC + REST gateway',
        '  svc new cart --proto ./cart.proto -I ./protos',
        '  svc new shop --monorepo                      # a platform; then svc add service <name>',
      ].join('\n'),
    )
    .action(async (name: string, opts: NewFlags) => {
      if (opts.monorepo) {
        const service = (['openapi', 'proto', 'transport', 'database', 'events', 'cache', 'force'] as const).filter((k) => opts[k] !== undefined);
        if (service.length > 0) throw new UsageError(`--monorepo makes a platform without services: give ${service.map((k) => `--${k}`).join(', ')} to \`svc add service\` instead`);
        exitCode = await runNewPlatform(name, opts, platformCli);
        return;
      }
      exitCode = await runNew(name, opts, env, io, fsFor);
    });

  const gen = program
    .command('gen')
    .description('re-generate parts of an existing service')
    .addHelpText('after', ['', 'Examples:', '  svc gen api          # after editing the contract', '  svc gen k8s --env prod --replicas 3', '  svc help gen client'].join('\n'));
  // The options of every command that re-generates files of a service.
  const regenerating = (c: Command) =>
    c
      .option('--dir <path>', 'the service folder (default: the one holding svc.yaml, from the current folder up)')
      .option('--dry-run', 'print the plan and a diff, write nothing')
      .option('--force', 'overwrite generated files edited by hand')
      .addOption(neverPrompts());
  regenerating(gen.command('api').description('re-generate the service (or, at a platform root, every service) from its contract after the contract changed'))
    .option('--check', 'write nothing; list what would change and exit 1 unless the service is in step with its contract (for CI)')
    .addHelpText('after', ['', 'Examples:', '  svc gen api                 # in the service folder or any folder below it', '  svc gen api --dry-run       # the plan and a diff; nothing written', '  svc gen api --check         # in CI: exit 1 unless the service is in step with its contract', '  svc gen api --dir services/order'].join('\n'))
    .action(async (opts: { dir?: string; dryRun?: boolean; force?: boolean; check?: boolean }) => {
      const dir = where(opts.dir);
      const disk = fsFor(dir);
      noteSwept(disk, io);
      if (opts.check) {
        exitCode = await runGenApiCheck(dir, disk, io);
        return;
      }
      const options = { dryRun: opts.dryRun ?? false, diff: true, list: true, resources: true };
      // Nothing changed since the last run left the service in step: its outcome, without generating.
      const fingerprint = disk instanceof DiskFileSystem ? await import('../pipeline/fingerprint.js') : undefined;
      const cached = fingerprint && !opts.force && disk instanceof DiskFileSystem ? fingerprint.cachedGenApi(disk.root) : undefined;
      if (cached) {
        exitCode = report({ ...cached, written: [], reports: [], notes: [], buildBroken: false }, io, options);
        return;
      }
      const fs = fingerprint ? new fingerprint.RecordingFileSystem(disk) : disk;
      const { readPlatformSettings } = await import('../project/platform.js');
      if (await readPlatformSettings(fs)) {
        exitCode = await runGenPlatform(dir, disk, opts, platformCli);
        return;
      }
      const { genApi } = await import('../pipeline/gen.js');
      const result = await genApi({ dir, fs, force: opts.force ?? false, dryRun: opts.dryRun ?? false });
      exitCode = report(result, io, options);
      if (fingerprint && fs instanceof fingerprint.RecordingFileSystem && disk instanceof DiskFileSystem && !options.dryRun && exitCode === 0) {
        if (result.fingerprintInputs && result.notes.length === 0) fingerprint.recordFingerprint(disk.root, fs, result.plan, reportView(result), result.fingerprintInputs);
      }
    });
  gen
    .command('client')
    .description("write a typed client: Go (this service's pkg/client, or a client of another service with --contract) or a TypeScript npm package")
    .addOption(new Option('--lang <language>', 'the client language').choices(['go', 'ts']).default('go'))
    .option('--contract <file>', "another service's contract (OpenAPI or .proto) to build the client of (default: this service's)")
    .option('--out <dir>', 'with --lang ts: the folder of the npm package (default: sdk/ts in the service, or ./<name>-client with --contract)')
    .option('--package <name>', 'with --lang go --contract: the client name, its package internal/client/<name> and config key clients.<name> (default: from the contract file name)')
    .option('--dir <path>', 'the service folder (default: the one holding svc.yaml, from the current folder up)')
    .option('--dry-run', 'print the plan, write nothing')
    .option('--force', 'overwrite generated files edited by hand')
    .addOption(neverPrompts())
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
      const dir = where(opts.dir);
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
    const dir = where(opts.dir);
    const { genDeploy } = await import('../pipeline/deploy.js');
    const dryRun = opts.dryRun ?? false;
    const result = await genDeploy(kind, { dir, fs: fsFor(dir), force: opts.force ?? false, dryRun, flags: opts.flags });
    exitCode = report(result, io, { dryRun, diff: true, list: true });
  });
  regenerating(gen.command('helm').description("write the service's Helm chart to charts/<name>/ (values-<env>.yaml once, from svc.yaml); svc gen api keeps it in step"))
    .addHelpText('after', ['', 'Examples:', '  svc gen helm', '  helm install product charts/product -f charts/product/values-prod.yaml'].join('\n'))
    .action(async (opts: { dir?: string; dryRun?: boolean; force?: boolean }) => {
      const dir = where(opts.dir);
      const { genHelm } = await import('../pipeline/helm.js');
      const fs = fsFor(dir);
      noteSwept(fs, io);
      const dryRun = opts.dryRun ?? false;
      const result = await genHelm({ dir, fs, force: opts.force ?? false, dryRun });
      exitCode = report(result, io, { dryRun, diff: true, list: true });
    });
  registerPlatformCommands(program, platformCli);
  registerAddCommands(program, { root: where, io, fsFor, setExitCode: (code) => (exitCode = code), report: (result, o) => report(result, io, o) });
  registerDoctorCommand(program, { io, stderr: env.stderr, setExitCode: (code) => (exitCode = code) });
  registerTemplateCommand(program, { io, cwd: env.cwd, where, fsFor, setExitCode: (code) => (exitCode = code) });
  registerUpgradeCommand(program, { io, cwd: env.cwd, where, fsFor, setExitCode: (code) => (exitCode = code), report: (r, o) => report(r, io, o), genPlatform: (dir, fs, o) => runGenPlatform(dir, fs, o, platformCli) });
  registerLintCommand(program, { io, cwd: env.cwd, fsFor, where, setExitCode: (code) => (exitCode = code) });
  registerCompletionCommand(program, { io });

  addJsonOption(program);
  program.hook('preAction', (_program, action) => {
    if (doc) doc.command = commandPath(action).join(' ');
  });

  let code: number;
  try {
    await program.parseAsync(normaliseArgs(argv), { from: 'user' });
    code = exitCode;
  } catch (err) {
    code = handleError(err, io);
  }
  if (doc && !helpShown) {
    doc.exitCode = code;
    env.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
  return code;
}

/** The commands that take --json: those that generate, check or report. */
const JSON_COMMANDS = /^(new|gen \S+|add (resource|operation)|doctor|lint)$/;

function addJsonOption(program: Command): void {
  const walk = (c: Command) => {
    if (JSON_COMMANDS.test(commandPath(c).join(' '))) c.option('--json', 'print one JSON document on stdout (schema/svc-output.schema.json in the package) instead of the human report');
    c.commands.forEach(walk);
  };
  program.commands.forEach(walk);
}

/** `gen api` for the command `svc gen api`. */
function commandPath(c: Command): string[] {
  const path: string[] = [];
  for (let at: Command | null = c; at?.parent; at = at.parent) path.unshift(at.name());
  return path;
}

/** Whether --json is among the options (before a `--`). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
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
  // Mistakes on the command line are usage errors, and are found before any question is asked.
  const { checkModulePath, checkServiceName } = await import('../pipeline/names.js');
  asUsage(() => checkServiceName(name));
  if (opts.module !== undefined) asUsage(() => checkModulePath(opts.module!));
  if (opts.proto === undefined && opts.transport === 'grpc') {
    throw new UsageError('--transport grpc needs a protobuf contract: use --proto [file] (a proto service serves gRPC and its REST gateway)');
  }
  if (opts.proto !== undefined && opts.openapi !== undefined) throw new UsageError('--openapi and --proto cannot be used together: a service has one contract');
  if (opts.proto !== undefined && opts.transport !== undefined) throw new UsageError('--transport does not apply with --proto: a proto service serves gRPC and its REST gateway');
  const dir = resolve(env.cwd, opts.dir ?? name);
  const fs = fsFor(dir);
  noteSwept(fs, io);
  // The target folder is checked before the first question, not after the last.
  const { checkTarget, newService } = await import('../pipeline/new.js');
  await checkTarget(fs, dir, opts.force ?? false);
  let module = opts.module;
  let openapi = opts.openapi;
  let transports: Transport[] | undefined = opts.transport ? [opts.transport] : undefined;
  let database: Database | undefined = opts.database;
  if (env.interactive && !opts.yes && opts.proto === undefined) {
    const { askNew } = await import('./prompts.js');
    const known: Parameters<typeof askNew>[1] = { openapiGiven: openapi !== undefined, cwd: env.cwd };
    if (module !== undefined) known.module = module;
    if (openapi !== undefined) known.openapi = openapi;
    if (opts.transport) known.transports = [opts.transport];
    if (opts.database) known.database = opts.database;
    if (opts.events) known.events = opts.events;
    if (opts.cache) known.cache = opts.cache;
    const answers = await askNew(name, known);
    module = answers.module;
    openapi = answers.openapi;
    if (answers.proto !== undefined) opts.proto = answers.proto;
    transports = answers.transports;
    database = answers.database;
    // Recorded in svc.yaml only when they differ from the defaults, as the flags are.
    if (answers.events !== 'memory') opts.events = answers.events;
    if (answers.cache !== 'off') opts.cache = answers.cache;
  }
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
  if (opts.proto !== undefined) {
    newOpts.proto = opts.proto;
    newOpts.includes = opts.protoPath ?? [];
  }
  let tidied = false;
  if (!opts.skipTidy && !opts.dryRun && fs instanceof DiskFileSystem) {
    const { goModTidy, goVersion } = await import('../tools/go.js');
    if (await goVersion()) {
      tidied = true;
      newOpts.tidy = (where) => withProgress('go mod tidy', env.stderr, () => goModTidy(where), (r) => r.ok);
    } else io.err('warning: `go` is not on PATH: install Go 1.22 or newer (https://go.dev/doc/install), then run `go mod tidy` in the service folder');
  }
  const result = await newService(newOpts);
  for (const note of result.notes) io.err(`note: ${note}`);
  const code = report(result, io, { dryRun: opts.dryRun ?? false, diff: false, list: false, resources: true });
  if (!opts.dryRun) io.out(`wrote the ${name} service to ${dir}`);
  if (result.tidy && !result.tidy.ok) {
    io.err(`error: go mod tidy failed in ${dir} (the service is written; run it again there once fixed):\n${shortGoOutput(result.tidy.message)}`);
    return 1;
  }
  if (opts.dryRun || code !== 0) return code;
  const cd = dir === env.cwd ? '' : `cd ${opts.dir ?? name} && `;
  // Without tidy the module's requirements are not resolved yet: that comes first.
  io.out(`\nNext: ${cd}${tidied ? '' : 'go mod tidy && '}make run    (then: curl localhost:8080/healthz)`);
  return 0;
}

/** Runs a check of a command-line value; its complaint is a usage error (exit 2). */
function asUsage(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof UserError) throw new UsageError(err.message);
    throw err;
  }
}

/** Go's own output, cut to what says what went wrong: its error lines, at most ten. */
function shortGoOutput(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => /(^go: |error|cannot|not found|invalid|missing)/i.test(l));
  const kept = (errors.length > 0 ? errors : lines).slice(0, 10);
  const more = (errors.length > 0 ? errors : lines).length - kept.length;
  return [...kept.map((l) => `  ${l}`), ...(more > 0 ? [`  ... and ${more} more line(s)`] : [])].join('\n');
}

/**
 * Prints warnings, the plan (every file on a dry run; on a real run only
 * with `list`), a summary, then every "action needed" line, last. Edits the
 * user's files need for the tree to compile make the exit code 1.
 */
/** What a run prints besides its plan, as the fingerprint replays it. */
function reportView(result: GenerateResult): ReportView {
  return { warnings: result.model.warnings, resourceLines: describeResources(result.model), resourceFacts: resourceFacts(result.model) };
}

/** A run's outcome: generated, or replayed from the fingerprint (`cachedGenApi`). */
type RunResult = Omit<GenerateResult, 'model'> & { edits?: string[] } & ({ model: GenerateResult['model'] } | ReportView);

function report(
  result: RunResult,
  io: Output,
  options: { dryRun: boolean; diff: boolean; list: boolean; resources?: boolean },
): number {
  if (io.json) fillJson(io.json, result, options);
  const view = 'model' in result ? reportView(result as GenerateResult) : result;
  if (options.resources) for (const line of view.resourceLines) io.out(line);
  for (const w of view.warnings) io.err(`warning: ${w}`);
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

/** Records a generation run in the --json document. */
function fillJson(doc: JsonReport, result: RunResult, options: { dryRun: boolean; resources?: boolean }): void {
  const view = 'model' in result ? reportView(result as GenerateResult) : result;
  addPlan(doc, result.plan, options.dryRun);
  if (options.resources) doc.resources.push(...(view.resourceFacts as ResourceFacts[]));
  doc.warnings.push(...view.warnings);
  doc.notes.push(...result.notes);
  doc.actionsNeeded.push(...result.reports, ...(result.edits ?? []));
}

/** Says which temporary files of an earlier, killed run the staged file system removed. */
function noteSwept(fs: FileSystem, io: Output): void {
  if (!(fs instanceof DiskFileSystem) || fs.swept.length === 0) return;
  io.err(`note: removed what an interrupted svc run left: ${fs.swept.join(', ')}`);
}

function handleError(err: unknown, io: Output): number {
  if (err instanceof CommanderError) {
    // Help asked for went to stdout (0); help shown because a subcommand is missing went to stderr (2).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
    // Commander has already printed its one-line message.
    if (io.json) addError(io.json, err.message.replace(/^error: /, ''));
    return 2;
  }
  // Ctrl-C at a prompt: nothing was written yet.
  if ((err as Error)?.name === 'ExitPromptError') {
    io.err(runInterruptCleanups());
    return 130;
  }
  if (err instanceof UserError) {
    io.err(`error: ${err.format()}`);
    if (io.json) addError(io.json, err.message, err.location);
    return err.exitCode;
  }
  // The operating system refused something (a full disk, a permission, a file where a folder should be): not a bug in svc.
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys?.code === 'string' && /^E[A-Z]+$/.test(sys.code) && typeof sys.syscall === 'string') {
    const what = /^[A-Z]+: ([^,]+)/.exec(sys.message)?.[1] ?? sys.message;
    const line = `${sys.syscall}${typeof sys.path === 'string' ? ` ${sys.path}` : ''}: ${what} (${sys.code})`;
    io.err(`error: ${line}`);
    if (io.json) addError(io.json, line);
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

import { constants } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../project/root.js';
import { PROTOC_GEN_GO_GRPC_VERSION, PROTOC_GEN_GO_VERSION } from './pins.js';

/**
 * execa, loaded when a tool is first run: most runs (an OpenAPI contract)
 * never run one, and it is ~110 modules to load.
 */
async function execa<O extends import('execa').Options>(file: string, args: readonly string[], options: O) {
  const { execa: run } = await import('execa');
  return run(file, args, options);
}

// The protobuf toolchain: `protoc` (a system package) and the two Go plugins
// (installed with `go install` at their pinned versions).
//
// The plugin versions are pinned in ./pins.ts; scripts/setup.sh reads
// PROTOC_PLUGINS from dist/tools/protoc.js.

export const PROTOC_GEN_GO_PACKAGE = 'google.golang.org/protobuf/cmd/protoc-gen-go';
export const PROTOC_GEN_GO_GRPC_PACKAGE = 'google.golang.org/grpc/cmd/protoc-gen-go-grpc';
export { PROTOC_GEN_GO_GRPC_VERSION, PROTOC_GEN_GO_VERSION };

export type PluginName = 'protoc-gen-go' | 'protoc-gen-go-grpc';
export type ToolName = 'go' | 'protoc' | PluginName;

export interface PluginSpec {
  name: PluginName;
  /** Go package path of the plugin's main package. */
  pkg: string;
  /** Pinned version, with its `v`. */
  version: string;
}

export const PROTOC_PLUGINS: readonly PluginSpec[] = [
  { name: 'protoc-gen-go', pkg: PROTOC_GEN_GO_PACKAGE, version: PROTOC_GEN_GO_VERSION },
  { name: 'protoc-gen-go-grpc', pkg: PROTOC_GEN_GO_GRPC_PACKAGE, version: PROTOC_GEN_GO_GRPC_VERSION },
];

/** The order `svc doctor` reports the tools in. */
export const TOOL_NAMES: readonly ToolName[] = ['go', 'protoc', 'protoc-gen-go', 'protoc-gen-go-grpc'];

/** The command that installs protoc (Debian / Ubuntu). */
export const PROTOC_INSTALL_COMMAND = 'apt-get install protobuf-compiler';

/** `go install <pkg>@<version>` for a plugin. */
export function pluginInstallCommand(plugin: PluginSpec): string {
  return `go install ${plugin.pkg}@${plugin.version}`;
}

/** The one-line hint naming how to install a tool. */
export function installHint(name: ToolName): string {
  if (name === 'go') return 'install Go 1.22 or newer (https://go.dev/doc/install)';
  if (name === 'protoc') return `run \`${PROTOC_INSTALL_COMMAND}\` (Debian/Ubuntu; Homebrew: \`brew install protobuf\`)`;
  const plugin = pluginSpec(name);
  return `run \`svc doctor --install\` or \`${pluginInstallCommand(plugin)}\``;
}

function pluginSpec(name: PluginName): PluginSpec {
  const spec = PROTOC_PLUGINS.find((p) => p.name === name);
  if (!spec) throw new Error(`unknown protoc plugin ${name}`);
  return spec;
}

export interface FoundTool {
  name: ToolName;
  missing: false;
  path: string;
  /** As the tool reports it: `go1.22.5`, `3.21.12` (protoc), `v1.36.6` (plugins); undefined when it could not be read. */
  version: string | undefined;
  /** The pinned version (plugins only). */
  pinned?: string;
  /** A plugin found at a version other than the pinned one. */
  versionMismatch: boolean;
  /** How to (re)install it. */
  install: string;
}

export interface MissingTool {
  name: ToolName;
  missing: true;
  pinned?: string;
  versionMismatch: false;
  install: string;
}

export type ToolStatus = FoundTool | MissingTool;

export type Toolchain = Record<ToolName, ToolStatus>;

export interface ToolOptions {
  /**
   * Environment to search and run with (PATH, GOBIN, GOPATH, SVC_TOOLS_BIN);
   * defaults to process.env. Tests inject a PATH here instead of mutating
   * the global one.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * The project's own tools folder: `$SVC_TOOLS_BIN` when set (empty disables
 * it), else `<package root>/.tools/gobin`, where scripts/setup.sh installs the
 * pinned plugins. The package root is two levels above this file in both
 * src/tools/ and dist/tools/, so it is found when svc runs from the
 * repository (or an npm install of it) whatever the current folder is.
 */
export function projectToolsBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.SVC_TOOLS_BIN;
  if (override !== undefined) return override === '' ? undefined : resolve(override);
  return join(PACKAGE_ROOT, '.tools', 'gobin');
}

/**
 * Locates go, protoc and the two plugins and reads their versions.
 *
 * protoc and go are looked up on PATH. A plugin is looked up on PATH, then in
 * the project's tools folder (see projectToolsBin), then in `$(go env GOBIN)`,
 * then in `$(go env GOPATH)/bin` — where `go install` puts it. The first
 * candidate at the pinned version wins; when none is pinned, the first one
 * found is used and flagged with versionMismatch (so an old plugin early on
 * PATH does not hide the one `svc doctor --install` just installed).
 */
export async function findTools(options: ToolOptions = {}): Promise<Toolchain> {
  const env = options.env ?? process.env;
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');

  const goPath = await findExecutable('go', pathDirs);
  let go: ToolStatus = { name: 'go', missing: true, versionMismatch: false, install: installHint('go') };
  let goEnv: GoEnv = {};
  if (goPath) {
    goEnv = await readGoEnv(goPath, env);
    go = { name: 'go', missing: false, path: goPath, version: goEnv.GOVERSION, versionMismatch: false, install: installHint('go') };
  }

  const protocPath = await findExecutable('protoc', pathDirs);
  const protoc: ToolStatus = protocPath
    ? {
        name: 'protoc',
        missing: false,
        path: protocPath,
        version: lastToken(await versionOutput(protocPath, env)),
        versionMismatch: false,
        install: installHint('protoc'),
      }
    : { name: 'protoc', missing: true, versionMismatch: false, install: installHint('protoc') };

  // Without go, fall back to what go would use: $GOBIN, $GOPATH or ~/go.
  const gobin = goEnv.GOBIN ?? env.GOBIN;
  const gopath = (goEnv.GOPATH ?? env.GOPATH ?? (env.HOME ? join(env.HOME, 'go') : '')).split(delimiter)[0];
  const pluginDirs = [...pathDirs, projectToolsBin(env), gobin, gopath ? join(gopath, 'bin') : undefined].filter(
    (d): d is string => d !== undefined && d !== '',
  );

  const plugins = await Promise.all(PROTOC_PLUGINS.map((p) => findPlugin(p, pluginDirs, env)));
  const [gen, grpc] = plugins as [ToolStatus, ToolStatus];
  return { go, protoc, 'protoc-gen-go': gen, 'protoc-gen-go-grpc': grpc };
}

async function findPlugin(plugin: PluginSpec, dirs: string[], env: NodeJS.ProcessEnv): Promise<ToolStatus> {
  const install = installHint(plugin.name);
  let first: FoundTool | undefined;
  const seen = new Set<string>();
  for (const dir of dirs) {
    const path = await executableIn(dir, plugin.name);
    if (!path || seen.has(path)) continue;
    seen.add(path);
    const version = normalizeVersion(lastToken(await versionOutput(path, env)));
    const found: FoundTool = {
      name: plugin.name,
      missing: false,
      path,
      version,
      pinned: plugin.version,
      versionMismatch: version !== plugin.version,
      install,
    };
    if (!found.versionMismatch) return found;
    first ??= found;
  }
  return first ?? { name: plugin.name, missing: true, pinned: plugin.version, versionMismatch: false, install };
}

/** `v`-prefixed: protoc-gen-go prints `v1.36.6`, protoc-gen-go-grpc `1.5.1`. */
function normalizeVersion(version: string | undefined): string | undefined {
  if (!version) return undefined;
  return /^\d/.test(version) ? `v${version}` : version;
}

function lastToken(text: string | undefined): string | undefined {
  const tokens = (text ?? '').trim().split(/\s+/);
  const last = tokens[tokens.length - 1];
  return last ? last : undefined;
}

async function versionOutput(path: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await execa(path, ['--version'], { env, extendEnv: false, reject: false, timeout: 10_000 });
  if (result.exitCode !== 0) return undefined;
  return String(result.stdout).split('\n')[0];
}

interface GoEnv {
  GOBIN?: string;
  GOPATH?: string;
  GOVERSION?: string;
}

async function readGoEnv(goPath: string, env: NodeJS.ProcessEnv): Promise<GoEnv> {
  const result = await execa(goPath, ['env', 'GOBIN', 'GOPATH', 'GOVERSION'], { env, extendEnv: false, reject: false, timeout: 30_000 });
  if (result.exitCode !== 0) return {};
  const [gobin, gopath, version] = String(result.stdout).split('\n').map((l) => l.trim());
  const out: GoEnv = {};
  if (gobin) out.GOBIN = gobin;
  if (gopath) out.GOPATH = gopath;
  if (version) out.GOVERSION = version;
  return out;
}

async function findExecutable(name: string, dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const path = await executableIn(dir, name);
    if (path) return path;
  }
  return undefined;
}

async function executableIn(dir: string, name: string): Promise<string | undefined> {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const n of names) {
    const path = resolve(dir, n);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

export type InstallResult = { ok: true; installed: { name: PluginName; version: string; command: string }[] } | { ok: false; message: string };

/**
 * `go install <pkg>@<version>` for both plugins, into `$(go env GOBIN)` or
 * `$(go env GOPATH)/bin` as go decides (or `gobin` when given). Resolves with
 * go's own error text on failure.
 */
export async function installPlugins(options: ToolOptions & { gobin?: string } = {}): Promise<InstallResult> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  if (options.gobin !== undefined) env.GOBIN = resolve(options.gobin);
  const goPath = await findExecutable('go', (env.PATH ?? '').split(delimiter).filter((d) => d !== ''));
  if (!goPath) return { ok: false, message: `go is not on PATH: ${installHint('go')}` };
  const installed: { name: PluginName; version: string; command: string }[] = [];
  for (const plugin of PROTOC_PLUGINS) {
    const command = pluginInstallCommand(plugin);
    const result = await execa(goPath, ['install', `${plugin.pkg}@${plugin.version}`], { env, extendEnv: false, reject: false, all: true });
    if (result.exitCode !== 0) {
      const text = String(result.all ?? '').trim();
      return { ok: false, message: `${command} failed${text ? `:\n${text}` : ` with exit code ${result.exitCode}`}` };
    }
    installed.push({ name: plugin.name, version: plugin.version, command });
  }
  return { ok: true, installed };
}

export interface ProtocOptions {
  /** Import paths (`--proto_path`), in order. */
  includes: string[];
  /** The .proto files to compile, as protoc resolves them (relative to an include, or a path under one). */
  files: string[];
  /** Where the Go files go (`--go_out` and `--go-grpc_out`). */
  outDir: string;
  /**
   * Passed to both plugins as `--go_opt=` and `--go-grpc_opt=`, e.g.
   * `Mfoo.proto=example.com/x;xpb` or `module=example.com/x`.
   */
  goOptions?: string[];
  /** Also generate the gRPC service code. */
  grpc: boolean;
}

export interface ProtocCommandOptions extends ProtocOptions {
  /** Plugin executables (`--plugin=name=path`); left out when undefined, so protoc finds them on PATH. */
  plugins?: Partial<Record<PluginName, string>>;
  /** Run this one plugin alone (for one of two protoc runs side by side); both (as grpc says) when absent. */
  only?: PluginName;
}

/**
 * protoc's arguments (without `protoc` itself), so a generated Makefile can
 * show the same command svc runs.
 */
export function protocCommandLine(options: ProtocCommandOptions): string[] {
  const goOptions = options.goOptions ?? [];
  const args: string[] = options.includes.map((i) => `--proto_path=${i}`);
  const go = options.only !== 'protoc-gen-go-grpc';
  const grpc = options.grpc && options.only !== 'protoc-gen-go';
  const goPlugin = options.plugins?.['protoc-gen-go'];
  const grpcPlugin = options.plugins?.['protoc-gen-go-grpc'];
  if (go && goPlugin) args.push(`--plugin=protoc-gen-go=${goPlugin}`);
  if (grpc && grpcPlugin) args.push(`--plugin=protoc-gen-go-grpc=${grpcPlugin}`);
  if (go) {
    args.push(`--go_out=${options.outDir}`);
    for (const o of goOptions) args.push(`--go_opt=${o}`);
  }
  if (grpc) {
    args.push(`--go-grpc_out=${options.outDir}`, '--go-grpc_opt=require_unimplemented_servers=false');
    for (const o of goOptions) args.push(`--go-grpc_opt=${o}`);
  }
  args.push(...options.files);
  return args;
}

export interface GeneratedFile {
  /** Relative to outDir, with `/` separators. */
  path: string;
  contents: string;
}

/**
 * Runs protoc with the located plugins and returns the files it generated.
 * protoc writes into a fresh staging folder first (so the list is exactly what
 * this run produced, whatever outDir already holds); the files are then copied
 * into outDir. Relative includes and files are resolved against `cwd`.
 *
 * Throws a UserError naming the install command when protoc or a plugin is
 * missing, and one carrying protoc's stderr when protoc fails.
 */
export async function runProtoc(options: ProtocRunOptions): Promise<GeneratedFile[]> {
  return (await startProtoc(options))();
}

type ProtocRunOptions = ProtocOptions &
  ToolOptions & {
    cwd?: string;
    tools?: Toolchain;
    /** Run gofmt over protoc's output (default true); false leaves its doc comments to the caller. */
    gofmt?: boolean;
    /** Stops protoc when aborted (the run then rejects). */
    signal?: AbortSignal;
  };

/**
 * runProtoc in two steps: it resolves once protoc is running, with a function
 * that waits for it and returns its files, so that the caller does other work
 * meanwhile. Call the function exactly once: it also removes the staging
 * folder.
 */
export async function startProtoc(options: ProtocRunOptions): Promise<() => Promise<GeneratedFile[]>> {
  const tools = options.tools ?? (await findTools(options.env ? { env: options.env } : {}));
  const needed: ToolName[] = options.grpc ? ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc'] : ['protoc', 'protoc-gen-go'];
  for (const name of needed) {
    const tool = tools[name];
    if (tool.missing) throw new UserError(`${name} is not installed: ${tool.install}`);
  }
  const path = (name: ToolName) => (tools[name] as FoundTool).path;

  const cwd = resolve(options.cwd ?? process.cwd());
  const outDir = resolve(cwd, options.outDir);
  const staging = await mkdtemp(join(tmpdir(), 'svc-protoc-'));
  const plugins = { 'protoc-gen-go': path('protoc-gen-go'), ...(options.grpc ? { 'protoc-gen-go-grpc': path('protoc-gen-go-grpc') } : {}) };
  // One protoc run per plugin, side by side: protoc runs its plugins one
  // after the other, and protoc-gen-go alone takes most of the time on a
  // large API (Compute Engine: 9 s of go/printer), so protoc-gen-go-grpc's
  // run (its own parse included) costs no time on a second core. Each writes
  // files the other does not (x.pb.go, x_grpc.pb.go) into the one folder.
  const runs = (options.grpc ? (['protoc-gen-go', 'protoc-gen-go-grpc'] as const) : (['protoc-gen-go'] as const)).map((only) =>
    execa(path('protoc'), protocCommandLine({ ...options, outDir: staging, plugins, only }), {
      cwd,
      env: options.env ?? process.env,
      extendEnv: false,
      reject: false,
      all: true,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    }),
  );
  const running = Promise.all(runs);
  return async () => {
    try {
      // Both runs parse the same files: the first that fails says why.
      for (const result of await running) {
        if (result.exitCode !== 0) {
          const text = String(result.all ?? '').trim() || `exit code ${result.exitCode}`;
          throw new UserError(`protoc failed: ${text}`);
        }
      }
      if (options.gofmt !== false) await gofmt(staging, tools, options.env ?? process.env);
      const files: GeneratedFile[] = [];
      for (const rel of await listFiles(staging)) {
        files.push({ path: rel.split(sep).join('/'), contents: await readFile(join(staging, rel), 'utf8') });
      }
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      await mkdir(outDir, { recursive: true });
      await cp(staging, outDir, { recursive: true, force: true });
      return files;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  };
}

/**
 * protoc-gen-go formats its output once, but gofmt reflows some doc comments
 * (numbered lists in Google's protos) differently on a second pass: run gofmt
 * so the generated service stays `gofmt -l` clean. gofmt is the one beside
 * the go binary (or on PATH); without Go there is nothing to build anyway.
 */
async function gofmt(dir: string, tools: Toolchain, env: NodeJS.ProcessEnv): Promise<void> {
  const candidates: string[] = [];
  if (!tools.go.missing) candidates.push(dirname(await realpath(tools.go.path)), dirname(tools.go.path));
  candidates.push(...(env.PATH ?? '').split(delimiter).filter((d) => d !== ''));
  const path = await findExecutable('gofmt', candidates);
  if (!path) return;
  const result = await execa(path, ['-w', '.'], { cwd: dir, env, extendEnv: false, reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`gofmt failed on protoc's output: ${String(result.all ?? '').trim()}`);
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((rel) => rel !== '' && !isAbsolute(rel));
}

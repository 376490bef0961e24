import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DiskFileSystem } from '../fs/disk.js';
import { UserError } from '../errors.js';
import { SubFileSystem } from '../fs/sub.js';
import type { FileSystem } from '../fs/types.js';
import { applyPlan } from '../apply/apply.js';
import { countActions, planChanges, type Plan } from '../plan/plan.js';
import { readManifest } from '../project/manifest.js';
import { platformServices, readPlatformSettings, serializePlatformSettings, SERVICES_DIR, SHARED_PROTO_PREFIX, type PlatformSettings } from '../project/platform.js';
import { readSettings, serializeSettings, SETTINGS_PATH, type PlatformRef, type ProjectSettings } from '../project/settings.js';
import { artifact, isGeneratedContent, type Artifact } from '../render/artifact.js';
import { RUNTIME_PACKAGES, runtimeImport, SHARED_PACKAGES } from '../render/runtimepkgs.js';
import { goWork, renderSharedProtos, renderSharedRuntime, rootDotFiles, rootGoMod, type SharedProto } from '../render/platform/runtime.js';
import type { Platform, PlatformService } from '../render/platform/types.js';
import { ADMIN_PORT, envPrefixOf, GRPC_PORT, HTTP_PORT } from '../render/runtime.js';
import type { GenerateResult } from './generate.js';
import type { ServiceModel } from '../model/types.js';
import { buildModel } from '../build/index.js';
import { loadContract } from '../load/index.js';
import { renderPlatformServiceChart, renderUmbrellaChart } from '../render/helm/index.js';
import { renderPlatformFiles } from '../render/platform/index.js';

/** A service's configuration file, which its Helm chart carries. */
const CONFIG_PATH = 'configs/config.yaml';
import { generateService, readService, type GenApiResult } from './gen.js';
import { checkModulePath, checkServiceName } from './names.js';
import { newService, type NewServiceOptions } from './new.js';

/** How a platform command runs: its root on disk and the file system rooted there. */
export interface PlatformRunOptions {
  /** The platform root on disk (for contracts and messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
}

/**
 * What a platform run did: one plan over the whole tree (the services'
 * files under services/<name>/), with everything the user must know.
 */
export interface PlatformResult {
  plan: Plan;
  written: string[];
  reports: string[];
  notes: string[];
  edits: string[];
  warnings: string[];
  buildBroken: boolean;
  /** The folders (relative to the root) whose Go modules changed: the root's and the services'. */
  modules: string[];
}

/** The file svc.yaml of a service folder inside the platform: services/<name>. */
const serviceDir = (name: string) => `${SERVICES_DIR}/${name}`;

/** A service's link to the platform at the root two folders up. */
export function platformRef(p: PlatformSettings): PlatformRef {
  return { name: p.name, module: p.module, root: '../..' };
}

/** Reads the root svc.yaml, which must be a platform's. */
export async function readPlatform(fs: FileSystem, dir: string): Promise<PlatformSettings> {
  const p = await readPlatformSettings(fs);
  if (!p) throw new UserError(`${dir} is not an svc platform: its ${SETTINGS_PATH} is missing or a service's (create one with \`svc new <name> --monorepo\`)`);
  return p;
}

/** `svc new <name> --monorepo`: the platform's root, its shared runtime and no service yet. */
export async function newPlatform(o: PlatformRunOptions & { name: string; module?: string }): Promise<PlatformResult> {
  checkServiceName(o.name);
  const settings: PlatformSettings = { kind: 'platform', name: o.name, module: o.module ?? `example.com/${o.name}` };
  checkModulePath(settings.module);
  if ((await o.fs.list('.')).length > 0) throw new UserError(`target directory ${o.dir} exists and is not empty`);
  return transaction(o, async () => merge([], await generateRoot(settings, [], o)));
}

/**
 * `svc add service <name>`: a service made as `svc new` makes one, in
 * services/<name>, importing the platform's shared runtime; then the
 * platform's own files follow (go.work, ...).
 */
export async function addService(o: PlatformRunOptions & { service: Omit<NewServiceOptions, 'fs' | 'dir' | 'platform' | 'tidy'> }): Promise<PlatformResult> {
  const platform = await readPlatform(o.fs, o.dir);
  const name = o.service.name;
  checkServiceName(name);
  if (await o.fs.exists(serviceDir(name))) throw new UserError(`${serviceDir(name)} already exists: the platform has a service ${name} (svc gen api brings it in step)`);
  return transaction(o, async () => {
    const dir = join(o.dir, serviceDir(name));
    const created = await newService({ ...o.service, fs: new SubFileSystem(o.fs, serviceDir(name)), dir, platform: platformRef(platform), dryRun: o.dryRun ?? false });
    // A dry run wrote nothing: the root's files are planned without the new service.
    const services = await rootServices(o.fs, await readServices(o.fs, o.dir), new Map([[name, created.model]]));
    return merge([{ name, result: created }], await generateRoot(platform, services, o));
  });
}

/** `svc gen api` at the root: every service in step with its contract, then the platform's own files. */
export async function genPlatform(o: PlatformRunOptions): Promise<PlatformResult> {
  const platform = await readPlatform(o.fs, o.dir);
  return transaction(o, async () => {
    const services = await readServices(o.fs, o.dir);
    const results: { name: string; result: GenApiResult }[] = [];
    for (const s of services) {
      if (!s.settings.platform || s.settings.platform.module !== platform.module) {
        throw new UserError(`${serviceDir(s.settings.name)}/${SETTINGS_PATH}: platform must be ${platform.name} (module ${platform.module}), as the root ${SETTINGS_PATH} says`);
      }
      results.push({ name: s.settings.name, result: await generateService(s.settings, s.contract, { fs: s.fs, force: o.force ?? false, dryRun: o.dryRun ?? false }) });
    }
    const models = new Map(results.map((r) => [r.name, r.result.model]));
    return merge(results, await generateRoot(platform, await rootServices(o.fs, services, models), o));
  });
}

/**
 * `svc add client <other> --to <service>`: the caller's svc.yaml lists a
 * client of the other service's contract, and both services and the
 * platform's files are brought in step.
 */
export async function addClient(o: PlatformRunOptions & { other: string; to: string }): Promise<PlatformResult> {
  await readPlatform(o.fs, o.dir);
  const names = await platformServices(o.fs);
  for (const n of [o.other, o.to]) if (!names.includes(n)) throw new UserError(`the platform has no service ${n} (its services: ${names.join(', ') || 'none'})`);
  if (o.other === o.to) throw new UserError(`${o.to} does not need a client of itself (its own is pkg/client)`);
  const caller = await readService(new SubFileSystem(o.fs, serviceDir(o.to)), join(o.dir, serviceDir(o.to)));
  const callee = await readService(new SubFileSystem(o.fs, serviceDir(o.other)), join(o.dir, serviceDir(o.other)));
  const clientName = clientNameOf(o.other);
  const contract = posix.join('..', o.other, callee.settings.contract.path);
  const existing = caller.settings.clients?.[clientName];
  if (existing && existing.contract !== contract) throw new UserError(`${serviceDir(o.to)}/${SETTINGS_PATH}: clients.${clientName} already names another contract (${existing.contract})`);
  const clients = { ...(caller.settings.clients ?? {}), [clientName]: { contract, kind: callee.settings.contract.kind } };
  await o.fs.write(`${serviceDir(o.to)}/${SETTINGS_PATH}`, serializeSettings({ ...caller.settings, clients }));
  return genPlatform(o);
}

/** Folders of a service that are not moved into a platform: version control, build output, dependencies. */
const NOT_MOVED = new Set(['.git', 'bin', 'node_modules', 'vendor']);

/**
 * `svc add service <name> --from DIR`: an existing single service moves into
 * services/<name>. Its files come along as they are, except that the
 * runtime packages the platform shares are dropped (the next generation
 * deletes the generated copies) and the user's own Go files import them
 * from shared/pkg; go.mod requires the platform's root module.
 */
export async function moveService(o: PlatformRunOptions & { name: string; from: string }): Promise<PlatformResult> {
  const platform = await readPlatform(o.fs, o.dir);
  checkServiceName(o.name);
  if (await o.fs.exists(serviceDir(o.name))) throw new UserError(`${serviceDir(o.name)} already exists: the platform has a service ${o.name}`);
  const source = await readSettings(new DiskFileSystem(o.from), o.from);
  if (source.platform) throw new UserError(`${o.from} is already a service of the platform ${source.platform.name}`);
  if (source.name !== o.name) throw new UserError(`${o.from} is the service ${source.name}, not ${o.name}: add it as \`svc add service ${source.name} --from ${o.from}\``);
  const ref = platformRef(platform);
  const where = { module: source.module, platformModule: platform.module };
  const moves = SHARED_PACKAGES.map((p) => [`"${source.module}/${RUNTIME_PACKAGES[p]}"`, `"${runtimeImport(where, p)}"`] as const);
  return transaction(o, async () => {
    const sub = new SubFileSystem(o.fs, serviceDir(o.name));
    const notes: string[] = [];
    for (const rel of walkFiles(o.from)) {
      let text = readFileSync(join(o.from, rel), 'utf8');
      if (rel.endsWith('.go') && !isGeneratedContent(text)) {
        const moved = moves.reduce((t, [from, to]) => t.replaceAll(from, to), text);
        if (moved !== text) notes.push(`${serviceDir(o.name)}/${rel}: imports the shared runtime from ${platform.module}/shared/pkg`);
        text = moved;
      }
      if (rel === 'go.mod') text = requirePlatform(text, ref);
      // goimports keeps the shared runtime's imports with the service's own.
      if (rel === '.golangci.yml' && !text.includes(`- ${platform.module}\n`)) text = text.replace(/^(\s+)local-prefixes:\n/m, `$1local-prefixes:\n$1  - ${platform.module}\n`);
      await sub.write(rel, text);
    }
    const settings: ProjectSettings = { ...source, platform: ref };
    await sub.write(SETTINGS_PATH, serializeSettings(settings));
    const { contract } = await readService(sub, join(o.dir, serviceDir(o.name)));
    const result = await generateService(settings, contract, { fs: sub, force: o.force ?? false, dryRun: o.dryRun ?? false });
    const services = await rootServices(o.fs, await readServices(o.fs, o.dir), new Map([[o.name, result.model]]));
    const merged = merge([{ name: o.name, result }], await generateRoot(platform, services, o));
    merged.notes.push(...notes);
    if (!merged.modules.includes(serviceDir(o.name))) merged.modules.push(serviceDir(o.name));
    return merged;
  });
}

/** Every file under dir (relative paths), leaving out NOT_MOVED folders. */
function walkFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!NOT_MOVED.has(entry.name)) out.push(...walkFiles(dir, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** go.mod with the platform's root module required, from its folder (a versioned replace, which go.work accepts). */
export function requirePlatform(goMod: string, ref: PlatformRef): string {
  if (new RegExp(`^replace\\s+${ref.module.replaceAll('.', '\\.')}\\s`, 'm').test(goMod)) return goMod;
  const required = /^require \($/m.test(goMod) ? goMod.replace(/^require \($/m, `require (\n\t${ref.module} v0.0.0`) : `${goMod.trimEnd()}\n\nrequire ${ref.module} v0.0.0\n`;
  return `${required.trimEnd()}\n\nreplace ${ref.module} v0.0.0 => ${ref.root}\n`;
}

/** A client's name (a Go package and config key) for a service name: its letters and digits. */
export function clientNameOf(service: string): string {
  return service.replaceAll('-', '');
}

interface PlatformServiceInput {
  settings: ProjectSettings;
  contract: Awaited<ReturnType<typeof readService>>['contract'];
  fs: FileSystem;
}

/** Every service of the platform, read and checked. */
async function readServices(fs: FileSystem, dir: string): Promise<PlatformServiceInput[]> {
  const out: PlatformServiceInput[] = [];
  for (const name of await platformServices(fs)) {
    const sub = new SubFileSystem(fs, serviceDir(name));
    const { settings, contract } = await readService(sub, join(dir, serviceDir(name)));
    if (settings.name !== name) throw new UserError(`${serviceDir(name)}/${SETTINGS_PATH}: name is ${settings.name}, but the folder is ${name}: they must be the same`);
    out.push({ settings, contract, fs: sub });
  }
  return out;
}

/** The services with their models (built here when not given) and config files. */
async function rootServices(fs: FileSystem, services: readonly PlatformServiceInput[], models: ReadonlyMap<string, ServiceModel>): Promise<RootService[]> {
  const out: RootService[] = [];
  for (const s of services) {
    const given = models.get(s.settings.name);
    const model = given ?? buildModel(await loadContract(s.contract.path, s.settings.contract.kind, s.contract.text, s.contract.displayPath, s.contract.includes), s.settings.name, s.settings.security);
    const config = await s.fs.read(CONFIG_PATH);
    out.push({ settings: s.settings, model, ...(config !== undefined ? { config } : {}) });
  }
  return out;
}

/** The platform as its root files see it: each service's ports, database and the platform services it calls. */
export function platformOf(p: PlatformSettings, services: readonly ProjectSettings[], versions: ReadonlyMap<string, string> = new Map()): Platform {
  const byClient = new Map(services.map((s) => [clientNameOf(s.name), s.name]));
  return {
    name: p.name,
    module: p.module,
    services: services.map((s): PlatformService => {
      const grpc = s.features.transports.includes('grpc');
      const calls = Object.entries(s.clients ?? {})
        .filter(([name, c]) => byClient.has(name) && c.contract.startsWith(`../${byClient.get(name)}/`))
        .map(([name]) => byClient.get(name)!);
      return {
        name: s.name,
        dir: serviceDir(s.name),
        envPrefix: envPrefixOf(s.name),
        ports: { ...(s.features.transports.includes('http') ? { http: HTTP_PORT.containerPort } : {}), ...(grpc ? { grpc: GRPC_PORT.containerPort } : {}), admin: ADMIN_PORT.containerPort },
        database: s.features.database,
        ...(s.features.events ? { events: s.features.events } : {}),
        ...(s.features.cache ? { cache: s.features.cache } : {}),
        calls: calls.sort(),
        image: s.deploy.image,
        grpc,
        ...(versions.has(s.name) ? { version: versions.get(s.name)! } : {}),
      };
    }),
  };
}

/**
 * The root's files: settings, go.mod (the user's), go.work and the shared
 * runtime (generated), and the Helm charts: one per service and the
 * umbrella.
 */
export function renderPlatformRoot(p: PlatformSettings, services: readonly RootService[]): Artifact[] {
  const platform = platformOf(p, services.map((s) => s.settings), new Map(services.map((s) => [s.settings.name, s.model.version])));
  const charts = services.length === 0 ? [] : [
    ...services.flatMap((s) => renderPlatformServiceChart(s.model, s.settings, s.config)),
    ...renderUmbrellaChart(platform, Object.fromEntries(services.map((s) => [s.settings.name, s.settings.deploy]))),
  ];
  return [
    ...charts,
    ...renderPlatformFiles(platform),
    artifact(SETTINGS_PATH, serializePlatformSettings(p)),
    artifact('go.mod', rootGoMod(p)),
    artifact('go.work', goWork(services.map((s) => serviceDir(s.settings.name)))),
    artifact('shared/proto/README.md', SHARED_PROTO_README),
    ...rootDotFiles(p),
    ...renderSharedRuntime(p),
  ].sort((a, b) => a.path.localeCompare(b.path));
}

const SHARED_PROTO_README = `# shared/proto

Protobuf messages several services of the platform use. A service's contract
imports them by their path from the platform root:

    import "shared/proto/money.proto";

Each file says where its Go code goes, in the platform's root module:

    option go_package = "<platform module>/shared/proto;sharedpb";

\`svc gen api\` at the root generates that Go code here, once; the services
import it (their \`make generate\` finds the protos with \`-I ../..\`).
`;

/** The .proto files under shared/proto, at any depth, with their text. */
async function sharedProtos(fs: FileSystem, dir = SHARED_PROTO_PREFIX.replace(/\/$/, '')): Promise<SharedProto[]> {
  const out: SharedProto[] = [];
  for (const name of await fs.list(dir)) {
    const path = `${dir}/${name}`;
    if (name.endsWith('.proto')) {
      const text = await fs.read(path);
      if (text !== undefined) out.push({ path, text });
    } else if (!name.includes('.')) out.push(...(await sharedProtos(fs, path)));
  }
  return out;
}

/** What planning and writing the root's own files did. */
interface RootResult {
  plan: Plan;
  written: string[];
  reports: string[];
}

/** A service as the root's files need it: its settings, model and configs/config.yaml as it stands. */
interface RootService {
  settings: ProjectSettings;
  model: ServiceModel;
  config?: string;
}

async function generateRoot(p: PlatformSettings, services: readonly RootService[], o: PlatformRunOptions): Promise<RootResult> {
  const artifacts = [...renderPlatformRoot(p, services), ...(await renderSharedProtos(p, await sharedProtos(o.fs)))];
  const manifest = await readManifest(o.fs);
  const plan = await planChanges(artifacts, o.fs, manifest, { force: o.force ?? false });
  const reports = plan.changes.filter((c) => c.action === 'conflict').map((c) => `${c.artifact.path}: ${c.reason}`);
  if (o.dryRun) return { plan, written: [], reports };
  const { written } = await applyPlan(plan, o.fs, manifest);
  return { plan, written, reports };
}

/** One plan over the tree: the services' changes under their folders, then the root's. */
function merge(services: { name: string; result: GenerateResult & { edits?: string[] } }[], root: RootResult): PlatformResult {
  const at = (name: string, path: string) => `${serviceDir(name)}/${path}`;
  const plan: Plan = { changes: [], orphans: [], forgotten: [] };
  const out: PlatformResult = { plan, written: [], reports: [], notes: [], edits: [], warnings: [], buildBroken: false, modules: [] };
  for (const { name, result } of services) {
    plan.changes.push(...result.plan.changes.map((c) => ({ ...c, artifact: { ...c.artifact, path: at(name, c.artifact.path) } })));
    plan.orphans.push(...result.plan.orphans.map((x) => ({ ...x, path: at(name, x.path) })));
    plan.forgotten.push(...result.plan.forgotten.map((x) => at(name, x)));
    out.written.push(...result.written.map((x) => at(name, x)));
    const tag = (line: string) => `${serviceDir(name)}/${line}`;
    out.reports.push(...result.reports.map(tag));
    out.edits.push(...(result.edits ?? []).map(tag));
    out.notes.push(...result.notes.map((n) => `${name}: ${n}`));
    out.warnings.push(...result.model.warnings.map((w) => `${name}: ${w}`));
    out.buildBroken ||= result.buildBroken;
    if (result.written.some((w) => w === 'go.mod' || w.endsWith('.go'))) out.modules.push(serviceDir(name));
  }
  plan.changes.push(...root.plan.changes);
  out.written.push(...root.written);
  out.reports.push(...root.reports);
  if (root.written.some((w) => w === 'go.mod' || w.startsWith('shared/'))) out.modules.unshift('.');
  return out;
}

/**
 * Runs a platform command on a staged file system: every service's files and
 * the root's land together, or (an error, a conflict anywhere) none do.
 */
async function transaction(o: PlatformRunOptions, run: () => Promise<PlatformResult>): Promise<PlatformResult> {
  let result: PlatformResult;
  try {
    result = await run();
  } catch (err) {
    o.fs.discard?.();
    throw err;
  }
  if (countActions(result.plan).conflict > 0) {
    o.fs.discard?.();
    return { ...result, written: [] };
  }
  o.fs.commit?.();
  return result;
}

import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { setInterruptOutcome } from '../fs/interrupt.js';
import type { FileSystem } from '../fs/types.js';
import { SETTINGS_PATH } from '../project/settings.js';
import { pascal, plural, singular, words } from '../model/names.js';
import { DATABASES, type CacheKind, type EventBroker, type Features, type PlatformRef, type ProjectSettings, type Transport, type Database } from '../project/settings.js';
import { defaultDeploySettings } from '../project/deploy.js';
import { artifact, type Artifact, copiedArtifact } from '../render/artifact.js';
import { ASYNCAPI_FILE } from '../load/asyncapi.js';
import { loadOpenAPI, type LoadedOpenAPI } from '../load/openapi.js';
import { asyncAPIPath } from './events.js';
import { renderTemplate } from '../render/templates.js';
import { referencedFiles } from '../load/files.js';
import { readError } from '../load/source.js';
import { generate, type GenerateResult } from './generate.js';
import { generateService, readService, type GenApiResult } from './gen.js';
import { loadProto, type LoadedProto } from '../load/proto.js';
import { contractDirOf } from '../render/proto/index.js';
import { SHARED_PROTO_PREFIX } from '../project/platform.js';
import { packageName } from '../render/go/naming.js';
import { checkModulePath, checkServiceName } from './names.js';

export interface NewServiceOptions {
  name: string;
  /** The Go module path; `example.com/<name>` when not given. */
  module?: string;
  /** The service root on the file system `fs` is rooted at (for messages). */
  dir: string;
  fs: FileSystem;
  /** An OpenAPI file to start from instead of the starter contract. */
  openapi?: string;
  /** A .proto file to start from (`true`: the starter proto). */
  proto?: string | true;
  /** Include folders for the proto's imports (`-I`). */
  includes?: string[];
  /** `['http']` when not given. */
  transports?: Transport[];
  /** The first of DATABASES when not given. */
  database?: Database;
  /** The event broker built in (svc.yaml features.events); memory when not given. */
  events?: EventBroker;
  /** Read caching of the repositories (svc.yaml features.cache); off when not given. */
  cache?: CacheKind;
  force?: boolean;
  dryRun?: boolean;
  cwd?: string;
  /** The platform the service is made in (svc add service): it imports the platform's shared runtime. */
  platform?: PlatformRef;
  /**
   * Runs `go mod tidy` in a folder. A new tree is tidied in its staging
   * folder, before it is renamed into place, so that an interrupt during
   * tidy leaves nothing; generation into an existing folder is tidied after
   * its files are written.
   */
  tidy?: (dir: string) => Promise<TidyResult>;
}

export type TidyResult = { ok: true } | { ok: false; message: string };

export interface NewServiceResult extends GenApiResult {
  /** What the user should know about how the service was made. */
  notes: string[];
  /** The outcome of `go mod tidy`, when it ran. */
  tidy?: TidyResult;
}

interface Resolved extends NewServiceOptions {
  module: string;
  transports: Transport[];
  database: Database;
}

/**
 * Creates a new service: its contract (the starter one unless given) and
 * every generated file. On a staged file system all of it lands at once, or
 * none of it (an error discards the staged files). With --force in a folder
 * that already is a service, the service is re-generated from the contract
 * its svc.yaml names.
 */
export async function newService(options: NewServiceOptions): Promise<NewServiceResult> {
  const o: Resolved = {
    ...options,
    module: options.module ?? (options.platform ? `${options.platform.module}/services/${options.name}` : `example.com/${options.name}`),
    transports: options.transports ?? ['http'],
    database: options.database ?? DATABASES[0],
  };
  checkServiceName(o.name);
  checkModulePath(o.module);
  await checkTarget(o.fs, o.dir, o.force ?? false);
  let result: NewServiceResult;
  try {
    if (await o.fs.exists(SETTINGS_PATH)) result = await regenerateExisting(options, o);
    else result = { ...(await (o.proto !== undefined ? newProtoService(o) : newOpenApiService(o))), edits: [], notes: [] };
    const staged = o.dryRun ? undefined : o.fs.stagedFolder?.();
    if (staged && o.tidy) result.tidy = await o.tidy(staged);
  } catch (err) {
    o.fs.discard?.();
    throw err;
  }
  o.fs.commit?.();
  if (!o.dryRun && o.tidy && !result.tidy) {
    setInterruptOutcome(`the service is written to ${o.dir}, but go mod tidy did not finish: run it there`);
    result.tidy = await o.tidy(o.dir);
  }
  return result;
}

/** Refuses a target folder that holds files, unless forced (svc new asks this before its first question too). */
export async function checkTarget(fs: FileSystem, dir: string, force: boolean): Promise<void> {
  if (force || (await fs.list('.')).length === 0) return;
  throw new UserError(`target directory ${dir} exists and is not empty (use --force to generate into it; your files are kept)`);
}

/**
 * `svc new NAME --force` in a folder that is already a service: the service
 * and its contract are the ones svc.yaml names. Flags asking for another
 * name, contract, module, transport or database are refused, since honouring
 * them would silently replace what the real contract has.
 */
async function regenerateExisting(asked: NewServiceOptions, o: Resolved): Promise<NewServiceResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const differs: string[] = [];
  if (asked.name !== settings.name) differs.push(`the service ${asked.name}`);
  if (asked.module !== undefined && asked.module !== settings.module) differs.push(`module ${asked.module}`);
  if (asked.transports !== undefined && asked.transports.join() !== settings.features.transports.join()) differs.push(`transport ${asked.transports.join(',')}`);
  if (asked.database !== undefined && asked.database !== settings.features.database) differs.push(`database ${asked.database}`);
  const kind = asked.proto !== undefined ? 'proto' : asked.openapi !== undefined ? 'openapi' : settings.contract.kind;
  if (kind !== settings.contract.kind) differs.push(kind === 'proto' ? 'a .proto contract' : 'an OpenAPI contract');
  else {
    const file = asked.openapi ?? (typeof asked.proto === 'string' ? asked.proto : undefined);
    if (file !== undefined && (await readOptional(resolve(o.cwd ?? process.cwd(), file))) !== contract.text) differs.push(`the contract ${file}`);
  }
  if (differs.length > 0) {
    throw new UserError(
      `${o.dir} is already the service ${settings.name} (svc.yaml, contract ${settings.contract.path}), not ${differs.join(' and ')}: ` +
        'edit svc.yaml or the contract file, then run `svc gen api`',
    );
  }
  const result = await generateService(settings, contract, { fs: o.fs, force: true, dryRun: o.dryRun ?? false });
  const note = `${o.dir} is already the service ${settings.name}: re-generated from its contract ${settings.contract.path} (svc.yaml), as \`svc gen api --force\` does`;
  return { ...result, notes: [note] };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function newOpenApiService(o: Resolved): Promise<GenerateResult> {
  const contractDir = `${o.name.replaceAll('-', '')}proto/openapi`;
  let text: string;
  /** The contract as read: its copy in the service is written (and hashed) from these bytes. */
  let bytes: Buffer | undefined;
  let path: string;
  let displayPath: string;
  let contractPath: string;
  let referenced: { path: string; text: string }[] = [];
  /** The starter, loaded here: svc's own contract. */
  let loaded: LoadedOpenAPI | undefined;
  const extraFiles: Artifact[] = [];
  if (o.openapi) {
    path = resolve(o.cwd ?? process.cwd(), o.openapi);
    displayPath = o.openapi;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw readError(err, o.openapi);
    }
    text = bytes.toString('utf8');
    const ext = extname(path).toLowerCase() === '.json' ? '.json' : '.yaml';
    contractPath = `${contractDir}/${basename(path, extname(path))}${ext}`;
    // Files the contract references come along, at the same relative paths.
    referenced = await referencedFiles(path, text, displayPath);
    // So does an AsyncAPI document beside it: the events the service sends and receives.
    const events = await readOptional(resolve(dirname(path), ASYNCAPI_FILE));
    if (events !== undefined) extraFiles.push(artifact(asyncAPIPath({ name: o.name }), events));
  } else {
    text = starterContract(o.name);
    contractPath = `${contractDir}/${o.name}.yaml`;
    path = resolve(o.dir, contractPath);
    displayPath = contractPath;
    loaded = await loadOpenAPI(path, text, displayPath, { schemaChecked: true });
  }

  const settings: ProjectSettings = {
    name: o.name,
    module: o.module,
    contract: { kind: 'openapi', path: contractPath },
    features: featuresOf(o, o.transports),
    deploy: defaultDeploySettings(o.name),
    ...(o.platform ? { platform: o.platform } : {}),
  };
  return generate(settings, { path, displayPath, text, ...(loaded ? { loaded } : {}) }, {
    fs: o.fs,
    force: o.force ?? false,
    dryRun: o.dryRun ?? false,
    extra: [bytes ? copiedArtifact(contractPath, bytes, text) : artifact(contractPath, text), ...referenced.map((f) => artifact(`${contractDir}/${f.path}`, f.text)), ...extraFiles],
  });
}

/**
 * A service from a .proto contract: the contract's own files (and imports from
 * the user's include folders) are copied into `<name>proto/` at their import
 * paths, which is the include root `svc gen api` and `make generate` use.
 */
async function newProtoService(o: Resolved): Promise<GenerateResult> {
  const contractDir = contractDirOf(o.name);
  const cwd = o.cwd ?? process.cwd();
  const proto = o.proto ?? true;
  let loaded: LoadedProto;
  if (proto === true) {
    const importPath = `${o.name.replaceAll('-', '_')}.proto`;
    loaded = await loadProto(resolve(o.dir, contractDir, importPath), { text: starterProto(o.name, o.module), displayPath: `${contractDir}/${importPath}` });
  } else {
    // In a platform, its root is an include folder: the contract may import shared/proto/... .
    // protoc's check runs on while the service is planned: generate waits for it before protoc generates.
    loaded = await loadProto(proto, { cwd, includes: [...(o.includes ?? []), ...(o.platform ? [resolve(o.dir, o.platform.root)] : [])], deferCheck: true });
  }
  // The platform's shared protos stay where they are: the service imports them.
  const own = (path: string) => !(o.platform && path.startsWith(SHARED_PROTO_PREFIX));
  const copies = [...loaded.files.values()].filter((f) => !f.fromLibrary && own(f.path)).map((f) => artifact(`${contractDir}/${f.path}`, f.text));
  const settings: ProjectSettings = {
    name: o.name,
    module: o.module,
    contract: { kind: 'proto', path: `${contractDir}/${loaded.main[0]!}` },
    features: featuresOf(o, ['http', 'grpc']),
    deploy: defaultDeploySettings(o.name),
    ...(o.platform ? { platform: o.platform } : {}),
  };
  return generate(settings, { path: resolve(cwd, typeof o.proto === 'string' ? o.proto : settings.contract.path), displayPath: loaded.displayPath, loaded }, {
    fs: o.fs,
    force: o.force ?? false,
    dryRun: o.dryRun ?? false,
    extra: copies,
  });
}

/** The starter proto: the same resource as the OpenAPI starter, with google.api.http bindings. */
export function starterProto(name: string, module: string, resource?: string): string {
  return renderTemplate('starter/proto.proto.hbs', { ...starterNames(name, resource), module, pkg: packageName(name), contractDir: contractDirOf(name) });
}

/** The names the starter contracts use for their resource (by default, the one the service name is about). */
function starterNames(name: string, resource = resourceOf(name)) {
  return { name, resource, Resource: pascal(resource), resources: plural(resource), Resources: pascal(plural(resource)) };
}

/** The resource a service is about: `product` → product, `order-service` → order. */
export function resourceOf(name: string): string {
  const ws = words(name).filter((w) => !['service', 'svc', 'api', 'server'].includes(w));
  return singular(ws[ws.length - 1] ?? 'item');
}

/** The starter OpenAPI contract; `resource` names its resource when it is not the one the service name is about (`svc add resource`). */
export function starterContract(name: string, resource?: string): string {
  return renderTemplate('starter/openapi.yaml.hbs', starterNames(name, resource));
}

/** svc.yaml's features of a new service: events and cache are recorded only when asked for. */
function featuresOf(o: Resolved, transports: Transport[]): Features {
  return { transports, database: o.database, ...(o.events ? { events: o.events } : {}), ...(o.cache ? { cache: o.cache } : {}) };
}

import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { pascal, plural, singular, words } from '../model/names.js';
import type { ProjectSettings, Transport, Database } from '../project/settings.js';
import { defaultDeploySettings } from '../project/deploy.js';
import { artifact } from '../render/artifact.js';
import { renderTemplate } from '../render/templates.js';
import { referencedFiles } from '../load/files.js';
import { generate, type GenerateResult } from './generate.js';
import { loadProto, type LoadedProto } from '../load/proto.js';
import { contractDirOf } from '../render/proto/index.js';
import { packageName } from '../render/go/naming.js';
import { checkModulePath, checkServiceName } from './names.js';

export interface NewServiceOptions {
  name: string;
  module: string;
  /** The service root on the file system `fs` is rooted at (for messages). */
  dir: string;
  fs: FileSystem;
  /** An OpenAPI file to start from instead of the starter contract. */
  openapi?: string;
  /** A .proto file to start from (`true`: the starter proto). */
  proto?: string | true;
  /** Include folders for the proto's imports (`-I`). */
  includes?: string[];
  transports: Transport[];
  database: Database;
  force?: boolean;
  dryRun?: boolean;
  cwd?: string;
}

/** Creates a new service: its contract (the starter one unless given) and every generated file. */
export async function newService(o: NewServiceOptions): Promise<GenerateResult> {
  checkServiceName(o.name);
  checkModulePath(o.module);
  const existing = await o.fs.list('.');
  if (existing.length > 0 && !o.force) {
    throw new UserError(`target directory ${o.dir} exists and is not empty (use --force to generate into it; your files are kept)`);
  }

  if (o.proto !== undefined) return newProtoService(o);
  const contractDir = `${o.name.replaceAll('-', '')}proto/openapi`;
  let text: string;
  let path: string;
  let displayPath: string;
  let contractPath: string;
  let referenced: { path: string; text: string }[] = [];
  if (o.openapi) {
    path = resolve(o.cwd ?? process.cwd(), o.openapi);
    displayPath = o.openapi;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? `contract file not found: ${o.openapi}` : `cannot read contract file ${o.openapi}: ${(err as Error).message}`);
    }
    const ext = extname(path).toLowerCase() === '.json' ? '.json' : '.yaml';
    contractPath = `${contractDir}/${basename(path, extname(path))}${ext}`;
    // Files the contract references come along, at the same relative paths.
    referenced = await referencedFiles(path, text, displayPath);
  } else {
    text = starterContract(o.name);
    contractPath = `${contractDir}/${o.name}.yaml`;
    path = resolve(o.dir, contractPath);
    displayPath = contractPath;
  }

  const settings: ProjectSettings = {
    name: o.name,
    module: o.module,
    contract: { kind: 'openapi', path: contractPath },
    features: { transports: o.transports, database: o.database },
    deploy: defaultDeploySettings(o.name),
  };
  return generate(settings, { path, displayPath, text }, {
    fs: o.fs,
    force: o.force ?? false,
    dryRun: o.dryRun ?? false,
    extra: [artifact(contractPath, text), ...referenced.map((f) => artifact(`${contractDir}/${f.path}`, f.text))],
  });
}

/**
 * A service from a .proto contract: the contract's own files (and imports from
 * the user's include folders) are copied into `<name>proto/` at their import
 * paths, which is the include root `svc gen api` and `make generate` use.
 */
async function newProtoService(o: NewServiceOptions): Promise<GenerateResult> {
  const contractDir = contractDirOf(o.name);
  const cwd = o.cwd ?? process.cwd();
  const proto = o.proto ?? true;
  let loaded: LoadedProto;
  if (proto === true) {
    const importPath = `${o.name.replaceAll('-', '_')}.proto`;
    loaded = await loadProto(resolve(o.dir, contractDir, importPath), { text: starterProto(o.name, o.module), displayPath: `${contractDir}/${importPath}` });
  } else {
    loaded = await loadProto(proto, { cwd, includes: o.includes ?? [] });
  }
  const copies = [...loaded.files.values()].filter((f) => !f.fromLibrary).map((f) => artifact(`${contractDir}/${f.path}`, f.text));
  const settings: ProjectSettings = {
    name: o.name,
    module: o.module,
    contract: { kind: 'proto', path: `${contractDir}/${loaded.main[0]!}` },
    features: { transports: ['http', 'grpc'], database: o.database },
    deploy: defaultDeploySettings(o.name),
  };
  return generate(settings, { path: resolve(cwd, typeof o.proto === 'string' ? o.proto : settings.contract.path), displayPath: loaded.displayPath, loaded }, {
    fs: o.fs,
    force: o.force ?? false,
    dryRun: o.dryRun ?? false,
    extra: copies,
  });
}

/** The starter proto: the same resource as the OpenAPI starter, with google.api.http bindings. */
export function starterProto(name: string, module: string): string {
  return renderTemplate('starter/proto.proto.hbs', { ...starterNames(name), module, pkg: packageName(name), contractDir: contractDirOf(name) });
}

/** The names the starter contracts use for their resource. */
function starterNames(name: string) {
  const resource = resourceOf(name);
  return { name, resource, Resource: pascal(resource), resources: plural(resource), Resources: pascal(plural(resource)) };
}

/** The resource a service is about: `product` → product, `order-service` → order. */
export function resourceOf(name: string): string {
  const ws = words(name).filter((w) => !['service', 'svc', 'api', 'server'].includes(w));
  return singular(ws[ws.length - 1] ?? 'item');
}

export function starterContract(name: string): string {
  return renderTemplate('starter/openapi.yaml.hbs', starterNames(name));
}

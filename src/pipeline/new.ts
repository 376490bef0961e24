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
import { checkModulePath, checkServiceName } from './names.js';

export interface NewServiceOptions {
  name: string;
  module: string;
  /** The service root on the file system `fs` is rooted at (for messages). */
  dir: string;
  fs: FileSystem;
  /** An OpenAPI file to start from instead of the starter contract. */
  openapi?: string;
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

/** The resource a service is about: `product` → product, `order-service` → order. */
export function resourceOf(name: string): string {
  const ws = words(name).filter((w) => !['service', 'svc', 'api', 'server'].includes(w));
  return singular(ws[ws.length - 1] ?? 'item');
}

export function starterContract(name: string): string {
  const resource = resourceOf(name);
  return renderTemplate('starter/openapi.yaml.hbs', {
    name,
    resource,
    Resource: pascal(resource),
    resources: plural(resource),
    Resources: pascal(plural(resource)),
  });
}

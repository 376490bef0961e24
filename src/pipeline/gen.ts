import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { readSettings, type ProjectSettings } from '../project/settings.js';
import { generate, type ContractInput, type GenerateResult } from './generate.js';
import { checkModulePath, checkServiceName } from './names.js';
import { contractDirOf } from '../render/proto/index.js';

export interface GenApiOptions {
  /** The service root (for resolving the contract and for messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
}

/** Re-generates a service from its contract, as `svc.yaml` names it. */
export async function genApi(o: GenApiOptions): Promise<GenerateResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  return generate(settings, contract, o);
}

/** Reads and checks an existing service's svc.yaml and the contract it names. */
export async function readService(fs: FileSystem, dir: string): Promise<{ settings: ProjectSettings; contract: ContractInput }> {
  const settings = await readSettings(fs, dir);
  checkServiceName(settings.name);
  checkModulePath(settings.module);
  const text = await fs.read(settings.contract.path);
  if (text === undefined) throw new UserError(`contract file not found: ${settings.contract.path} (named in svc.yaml)`);
  const contract: ContractInput = { path: join(dir, settings.contract.path), displayPath: settings.contract.path, text };
  // A proto contract's imports resolve from its folder, the contract folder's root.
  if (settings.contract.kind === 'proto') contract.includes = [join(dir, contractDirOf(settings.name))];
  return { settings, contract };
}

import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { readSettings } from '../project/settings.js';
import { generate, type GenerateResult } from './generate.js';
import { checkModulePath, checkServiceName } from './names.js';

export interface GenApiOptions {
  /** The service root (for resolving the contract and for messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
}

/** Re-generates a service from its contract, as `svc.yaml` names it. */
export async function genApi(o: GenApiOptions): Promise<GenerateResult> {
  const settings = await readSettings(o.fs, o.dir);
  checkServiceName(settings.name);
  checkModulePath(settings.module);
  const text = await o.fs.read(settings.contract.path);
  if (text === undefined) throw new UserError(`contract file not found: ${settings.contract.path} (named in svc.yaml)`);
  return generate(settings, { path: join(o.dir, settings.contract.path), displayPath: settings.contract.path, text }, o);
}

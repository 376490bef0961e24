import { join, posix } from 'node:path';
import { referencedFiles } from '../load/files.js';
import { UserError } from '../errors.js';
import { inTransaction, type FileSystem } from '../fs/types.js';
import { countActions } from '../plan/plan.js';
import { readSettings, type ProjectSettings } from '../project/settings.js';
import { generate, type ContractInput, type GenerateOptions, type GenerateResult } from './generate.js';
import { followModule } from './module.js';
import { checkModulePath, checkServiceName } from './names.js';
import { contractDirOf } from '../render/proto/index.js';

export interface GenApiOptions {
  /** The service root (for resolving the contract and for messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
}

export interface GenApiResult extends GenerateResult {
  /**
   * Edits the user must make to their own files for the tree to compile,
   * `path:line: what to change`; a run that leaves any exits non-zero.
   */
  edits: string[];
  /**
   * The files the contract references, relative to the service root: the
   * inputs a fingerprint of the run (`recordFingerprint`) hashes besides the
   * ones read through the file system. Absent when the run cannot be
   * fingerprinted (a proto contract, clients of other services' contracts, a
   * platform's service).
   */
  fingerprintInputs?: string[];
}

/** Re-generates a service from its contract, as `svc.yaml` names it. */
export async function genApi(o: GenApiOptions): Promise<GenApiResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const result = await inTransaction(o.fs, () => generateService(settings, contract, o));
  if (settings.contract.kind !== 'openapi' || settings.clients || settings.platform || contract.text === undefined) return result;
  const refs = await referencedFiles(contract.path, contract.text, contract.displayPath);
  const folder = posix.dirname(settings.contract.path);
  return { ...result, fingerprintInputs: refs.map((f) => posix.join(folder, f.path)) };
}

/**
 * Generates a service and keeps go.mod's module line in step with svc.yaml;
 * the edits the user's own files need are computed from the tree as it will
 * stand. The caller commits a staged file system.
 */
export async function generateService(settings: ProjectSettings, contract: ContractInput, o: GenerateOptions): Promise<GenApiResult> {
  const result = await generate(settings, contract, o);
  const follow = await followModule(o.fs, settings.module, result.plan);
  // A conflict keeps every file as it was; go.mod too.
  if (follow.goMod && countActions(result.plan).conflict === 0) {
    // The plan keeps the user's go.mod; its module line is the one change svc makes to it.
    result.plan.changes = result.plan.changes.filter((c) => c.artifact.path !== 'go.mod');
    result.plan.changes.push(follow.goMod);
    result.plan.changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
    if (!o.dryRun) {
      await o.fs.write('go.mod', follow.goMod.artifact.content);
      result.written.push('go.mod');
    }
  }
  return { ...result, edits: follow.edits };
}

/** Reads and checks an existing service's svc.yaml and the contract it names. */
export async function readService(fs: FileSystem, dir: string): Promise<{ settings: ProjectSettings; contract: ContractInput }> {
  const settings = await readSettings(fs, dir);
  checkServiceName(settings.name);
  checkModulePath(settings.module);
  const text = await fs.read(settings.contract.path);
  if (text === undefined) throw new UserError(`contract file not found: ${settings.contract.path} (named in svc.yaml)`);
  const contract: ContractInput = { path: join(dir, settings.contract.path), displayPath: settings.contract.path, text, root: dir };
  // A proto contract's imports resolve from its folder, the contract folder's root.
  // In a platform, its root too: the contract may import shared/proto/... .
  if (settings.contract.kind === 'proto') contract.includes = [join(dir, contractDirOf(settings.name)), ...(settings.platform ? [join(dir, settings.platform.root)] : [])];
  return { settings, contract };
}

import { basename, extname, relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { UsageError, UserError } from '../errors.js';
import { inTransaction, type FileSystem } from '../fs/types.js';
import { buildModel } from '../build/index.js';
import { loadContract } from '../load/index.js';
import type { ServiceModel } from '../model/types.js';
import { applyPlan } from '../apply/apply.js';
import { planChanges } from '../plan/plan.js';
import { regenerationReports } from '../plan/reports.js';
import { readManifest } from '../project/manifest.js';
import { CLIENT_NAME, type ProjectSettings } from '../project/settings.js';
import type { Artifact } from '../render/artifact.js';
import { otherClientDir } from '../render/go/otherclients.js';
import { generateService, readService, type GenApiResult } from './gen.js';
import { clientContractKind } from './clients.js';
import { serviceSettingsOf } from '../render/project.js';
import type { GenerateResult } from './generate.js';

export type ClientLanguage = 'go' | 'ts';
export const CLIENT_LANGUAGES: readonly ClientLanguage[] = ['go', 'ts'];

export interface GenClientOptions {
  lang: ClientLanguage;
  /** The service folder (it holds svc.yaml), when there is one. */
  dir: string;
  /** The file system of the service folder. */
  fs: FileSystem;
  /** Another service's contract to build the client of; this service's own when absent. */
  contract?: string;
  /** `--lang ts`: where the package goes (default: `sdk/ts` in the service). */
  out?: string;
  /** `--lang go --contract`: the client's name, its package under internal/client/ (default: from the contract's file name). */
  package?: string;
  /** The file system of a folder (for `--out`). */
  fsFor: (dir: string) => FileSystem;
  cwd: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface GenClientResult extends GenerateResult {
  /** Where the client was written. */
  where: string;
  edits: string[];
}

/**
 * `svc gen client`. Go: inside a service, its own client is pkg/client, kept
 * by every `svc gen api`; with `--contract`, a client of another service is
 * recorded in svc.yaml (clients.<name>) and generated into
 * internal/client/<name>/, and `svc gen api` keeps it in step from then on.
 * TypeScript: an npm package from this service's contract or `--contract`,
 * written to `--out`.
 */
export async function genClient(o: GenClientOptions): Promise<GenClientResult> {
  if (o.lang === 'go') return genGoClient(o);
  return genTsClient(o);
}

async function genGoClient(o: GenClientOptions): Promise<GenClientResult> {
  if (o.out !== undefined) {
    throw new UsageError('--out is for --lang ts: a Go client is written into the service, as pkg/client (its own) or internal/client/<name> (--contract)');
  }
  const { settings, contract } = await readService(o.fs, o.dir);
  if (o.contract === undefined) {
    if (o.package !== undefined) throw new UsageError('--package names a client of another service: give its --contract');
    // The service's own client and what it is built on, and nothing else.
    const own = (path: string) => /^pkg\/(client|api|models|httpclient)\//.test(path);
    const result = await inTransaction(o.fs, () => generateService(settings, contract, { fs: o.fs, force: o.force ?? false, dryRun: o.dryRun ?? false, only: own }));
    return { ...result, where: 'pkg/client' };
  }
  const path = resolve(o.cwd, o.contract);
  if (!existsSync(path)) throw new UserError(`contract file not found: ${o.contract}`);
  const name = o.package ?? clientNameOf(path);
  if (!CLIENT_NAME.test(name)) {
    throw new UsageError(`client name "${name}" must be lower-case letters and digits, starting with a letter (it names a Go package): give one with --package`);
  }
  const rel = relative(o.dir, path).split('\\').join('/');
  const clients = { ...(settings.clients ?? {}), [name]: { contract: rel } };
  const updated: ProjectSettings = { ...settings, clients };
  const result: GenApiResult = await inTransaction(o.fs, () => generateService(updated, contract, { fs: o.fs, force: o.force ?? false, dryRun: o.dryRun ?? false }));
  return { ...result, where: otherClientDir(name) };
}

/**
 * A client's name from its contract's path: the file's stem, or, when that
 * says nothing (`openapi.yaml`), the nearest folder that does:
 * `../user/userproto/openapi/user.yaml` → `user`, `fixtures/orders/openapi.yaml` → `orders`,
 * `payment-api.v2.json` → `paymentapi`.
 */
export function clientNameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const stem = basename(path, extname(path)).split('.')[0]!;
  for (const part of [stem, ...parts.slice(0, -1).reverse()]) {
    const name = part.toLowerCase().replace(/proto$/, '').replace(/[^a-z0-9]/g, '').replace(/^[0-9]+/, '');
    if (name && !GENERIC.has(name) && !/^v[0-9]+$/.test(name)) return name;
  }
  return '';
}

/** Names of contract files and folders that do not name a service. */
const GENERIC = new Set(['openapi', 'swagger', 'api', 'apis', 'spec', 'specs', 'contract', 'contracts', 'schema', 'proto', 'protos', 'docs']);

async function genTsClient(o: GenClientOptions): Promise<GenClientResult> {
  if (o.package !== undefined) throw new UsageError('--package is for --lang go; the npm package is named after the service (edit package.json to rename it)');
  // ts-morph (and the TypeScript compiler in it) loads only for this command.
  const { TS_SDK_TARGET } = await import('../render/ts/index.js');
  const { gatewayModel } = await import('../render/proto/gatewaymodel.js');
  let model: ServiceModel;
  let name: string;
  let outDir: string;
  if (o.contract !== undefined) {
    const path = resolve(o.cwd, o.contract);
    if (!existsSync(path)) throw new UserError(`contract file not found: ${o.contract}`);
    const kind = clientContractKind({ contract: path });
    name = clientNameOf(path) || 'api';
    model = await gatewayModel(buildModel(await loadContract(path, kind, undefined, o.contract, kind === 'proto' ? [resolve(path, '..')] : undefined), name));
    outDir = resolve(o.cwd, o.out ?? `${name}-client`);
  } else {
    const { settings, contract } = await readService(o.fs, o.dir);
    name = settings.name;
    const loaded = await loadContract(contract.path, settings.contract.kind, contract.text, contract.displayPath, contract.includes);
    // A proto service's SDK speaks its REST gateway: the model of the OpenAPI document the gateway serves.
    model = await gatewayModel(buildModel(loaded, settings.name, settings.security), serviceSettingsOf(settings));
    outDir = o.out !== undefined ? resolve(o.cwd, o.out) : resolve(o.dir, 'sdk/ts');
  }
  const artifacts: Artifact[] = TS_SDK_TARGET.render({ model, opts: { packageName: `${name}-client`, description: `TypeScript client of the ${name} service` } });
  const fs = o.fsFor(outDir);
  const result = await inTransaction(fs, async () => {
    const manifest = await readManifest(fs);
    const plan = await planChanges(artifacts, fs, manifest, { force: o.force ?? false });
    const { actions: reports, notes, buildBroken } = regenerationReports(plan, artifacts);
    const r: GenerateResult = { model, plan, written: [], reports, notes, buildBroken };
    if (o.dryRun) return r;
    const { written } = await applyPlan(plan, fs, manifest);
    return { ...r, written };
  });
  return { ...result, where: outDir, edits: [] };
}

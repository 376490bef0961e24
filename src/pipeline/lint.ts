import { basename, dirname, extname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { UsageError, UserError, type SourceLocation } from '../errors.js';
import { SubFileSystem } from '../fs/sub.js';
import type { FileSystem } from '../fs/types.js';
import { buildModel } from '../build/index.js';
import { loadContract, type LoadedContract } from '../load/index.js';
import type { ServiceModel } from '../model/types.js';
import { readPlatformSettings, platformServices, SERVICES_DIR } from '../project/platform.js';
import { SETTINGS_PATH } from '../project/settings.js';
import { breakingChanges, type BreakingChange } from '../lint/breaking.js';
import { locatorFor } from '../lint/locate.js';
import { API_SNAPSHOT_PATH, apiSnapshotOf, parseApiSnapshot } from '../lint/snapshot.js';
import { addContractEvents } from './events.js';
import { readService, type GenApiResult } from './gen.js';
import type { ContractInput } from './generate.js';

/** One finding of `svc lint`, located in a contract file when it has a place. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  location?: SourceLocation;
}

export interface LintOptions {
  /** Where relative paths are from. */
  cwd: string;
  /** The service folder (`--dir`, or the current folder). */
  dir: string;
  /** The file system of files under a folder (memory in tests). */
  fsFor: (dir: string) => FileSystem;
  /** The contract to lint; the service's, as svc.yaml names it, when absent. */
  file?: string;
  /** A recorded API to compare with instead of the service's `.svc/api.yaml` (another branch's, say). */
  against?: string;
  /** A proto FILE's import folders besides its own (relative to cwd); a service's come from svc.yaml. */
  includes?: string[];
}

export interface LintResult {
  /** The contract linted, as messages name it. */
  contract: string;
  /** The loader's and builder's findings: at most one error (loading stops at the first), and every warning. */
  diagnostics: Diagnostic[];
  /** Breaking changes against the API recorded at the last generation. */
  breaking: BreakingChange[];
  /** Why breaking changes were not looked for, when they were not (a contract outside a service, no API recorded yet). */
  unchecked?: string;
}

/**
 * Loads and builds a contract without rendering anything, and compares it
 * with the API `svc gen api` last recorded (`.svc/api.yaml`) when it is the
 * service's own contract; at a platform root without FILE, every service's.
 * A contract that does not load is a finding, not a thrown error; svc.yaml
 * problems are thrown (UserError), as for `gen api`.
 */
export async function lintContracts(o: LintOptions): Promise<LintResult[]> {
  const root = o.fsFor(o.dir);
  if (o.file === undefined && (await readPlatformSettings(root))) {
    if (o.against !== undefined) throw new UsageError('--against is the recorded API of one service: at a platform root, give the service with --dir services/<name>');
    const results: LintResult[] = [];
    for (const name of await platformServices(root)) {
      const prefix = `${SERVICES_DIR}/${name}`;
      const fs = new SubFileSystem(root, prefix);
      results.push(within(prefix, await lintContract({ ...o, dir: join(o.dir, prefix), fsFor: () => fs })));
    }
    return results;
  }
  return [await lintContract(o)];
}

/** A service's result with its paths made relative to the platform root. */
function within(prefix: string, r: LintResult): LintResult {
  const move = (l: SourceLocation): SourceLocation => (isAbsolute(l.file) ? l : { ...l, file: posix.join(prefix, l.file) });
  return {
    ...r,
    contract: posix.join(prefix, r.contract),
    diagnostics: r.diagnostics.map((d) => (d.location ? { ...d, location: move(d.location) } : d)),
    breaking: r.breaking.map((b) => (b.location ? { ...b, location: move(b.location) } : b)),
  };
}

/** One contract: the service's (FILE absent or naming it), or a FILE linted on its own. */
export async function lintContract(o: LintOptions): Promise<LintResult> {
  const fs = o.fsFor(o.dir);
  const inService = (await fs.read(SETTINGS_PATH)) !== undefined;
  const file = o.file === undefined ? undefined : resolve(o.cwd, o.file);
  if (!inService && file === undefined) {
    throw new UserError(`${o.dir} is not an svc service: no ${SETTINGS_PATH}; name the contract to lint: svc lint FILE`);
  }
  const against = o.against === undefined ? undefined : await readAgainst(o.against, o);
  if (inService) {
    const { settings, contract } = await readService(fs, o.dir);
    if (file === undefined || file === contract.path) {
      const built = await buildContract(contract, settings.contract.kind, settings.name, settings.security, (model) => addContractEvents(model, settings, fs));
      const recorded = against ?? { name: API_SNAPSHOT_PATH, text: await fs.read(API_SNAPSHOT_PATH) };
      return compare(contract.displayPath, built, recorded, `no API recorded yet (${API_SNAPSHOT_PATH}): \`svc gen api\` records it`);
    }
  }
  return lintFile(file!, o, against);
}

/** The recorded API `--against` names (e.g. the main branch's .svc/api.yaml). */
async function readAgainst(path: string, o: LintOptions): Promise<{ name: string; text: string }> {
  const abs = resolve(o.cwd, path);
  const text = await o.fsFor(dirname(abs)).read(basename(abs));
  if (text === undefined) throw new UserError(`recorded API not found: ${path} (--against)`);
  return { name: path, text };
}

/** The findings, and the breaking changes against the recorded API when there is one to compare with. */
function compare(contract: string, built: Built, recorded: { name: string; text: string | undefined }, missing: string): LintResult {
  const result: LintResult = { contract, diagnostics: built.diagnostics, breaking: [] };
  if (!built.model || !built.loaded) return { ...result, unchecked: 'the contract does not load' };
  if (recorded.text === undefined) return { ...result, unchecked: missing };
  const old = parseApiSnapshot(recorded.text, recorded.name);
  result.breaking = breakingChanges(old, apiSnapshotOf(built.model), locatorFor(built.loaded, built.model.rpc));
  return result;
}

/** A contract outside a service: its kind from its extension; compared only with a recorded API given `--against`. */
async function lintFile(file: string, o: LintOptions, against: { name: string; text: string } | undefined): Promise<LintResult> {
  const display = relative(o.cwd, file).startsWith('..') ? file : relative(o.cwd, file) || file;
  const text = await o.fsFor(dirname(file)).read(basename(file));
  if (text === undefined) throw new UserError(`contract file not found: ${display}`);
  const kind = extname(file) === '.proto' ? 'proto' : 'openapi';
  const contract: ContractInput = { path: file, displayPath: display, text, includes: [dirname(file), ...(o.includes ?? []).map((d) => resolve(o.cwd, d))] };
  const name = basename(file, extname(file)).toLowerCase().replace(/[^a-z0-9]/g, '') || 'service';
  const built = await buildContract(contract, kind, /^[a-z]/.test(name) ? name : 'service');
  return compare(display, built, { name: against?.name ?? '', text: against?.text }, 'the contract is not the contract of a service (no svc.yaml names it); give a recorded API with --against');
}

interface Built {
  diagnostics: Diagnostic[];
  loaded?: LoadedContract;
  model?: ServiceModel;
}

async function buildContract(
  contract: ContractInput,
  kind: 'openapi' | 'proto',
  name: string,
  security?: Record<string, unknown>,
  more?: (model: ServiceModel) => Promise<void>,
): Promise<Built> {
  let loaded: LoadedContract;
  let model: ServiceModel;
  try {
    loaded = await loadContract(contract.path, kind, contract.text, contract.displayPath, contract.includes);
    model = buildModel(loaded, name, security);
    await more?.(model);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const d: Diagnostic = { severity: 'error', message: err.message };
    if (err.location) d.location = err.location;
    return { diagnostics: [d] };
  }
  return { diagnostics: model.warnings.map(warningOf), loaded, model };
}

/** A builder warning reads `file:line: message` when it has a place: the place is taken apart from the message. */
export function warningOf(text: string): Diagnostic {
  const m = /^([^\s:]+\.(?:ya?ml|json|proto))(?::(\d+))?(?::(\d+))?: ([\s\S]+)$/.exec(text);
  if (!m) return { severity: 'warning', message: text };
  const location: SourceLocation = { file: m[1]! };
  if (m[2] !== undefined) location.line = Number(m[2]);
  if (m[3] !== undefined) location.column = Number(m[3]);
  return { severity: 'warning', message: m[4]!, location };
}

/** `file:line:col: severity: message`, the form editors and CI annotate; the location as far as it is known. */
export function formatDiagnostic(d: Diagnostic, fallbackFile: string): string {
  const loc = d.location ?? { file: fallbackFile };
  let where = loc.file;
  if (loc.line !== undefined) where += `:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`;
  return `${where}: ${d.severity}: ${d.message}`;
}

/** Whether `svc lint` fails: an error or a breaking change; warnings alone pass. */
export function lintFails(r: LintResult): boolean {
  return r.breaking.length > 0 || r.diagnostics.some((d) => d.severity === 'error');
}

/** The files a run would change and the actions it needs: what `svc gen api --check` reports. */
export interface OutOfStep {
  changes: { action: 'create' | 'overwrite' | 'delete' | 'conflict'; path: string; reason: string }[];
  actions: string[];
}

/** What keeps a service or platform (its dry-run regeneration) from being in step with its contract; empty when it is. */
export function outOfStep(result: Pick<GenApiResult, 'plan' | 'reports' | 'edits'>): OutOfStep {
  const changes: OutOfStep['changes'] = [];
  for (const c of result.plan.changes) {
    if (c.action === 'create' || c.action === 'overwrite' || c.action === 'delete' || c.action === 'conflict') {
      changes.push({ action: c.action, path: c.artifact.path, reason: c.reason });
    }
  }
  return { changes, actions: [...result.reports, ...result.edits] };
}

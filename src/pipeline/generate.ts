import type { FileSystem } from '../fs/types.js';
import { buildModel, protoFiles } from '../build/index.js';
import { loadContract, type LoadedContract } from '../load/index.js';
import type { ServiceModel } from '../model/types.js';
import { applyPlan } from '../apply/apply.js';
import { planChanges, type Plan } from '../plan/plan.js';
import { regenerationReports } from '../plan/reports.js';
import { hashContent, readManifest } from '../project/manifest.js';
import { serializeSettings, SETTINGS_PATH, type ProjectSettings } from '../project/settings.js';
import { artifact, type Artifact } from '../render/artifact.js';
import { renderService } from '../render/index.js';
import { serviceSettingsOf } from '../render/project.js';
import { protocJob } from '../render/proto/index.js';
import { PROTOC_CACHE_PATH, startServiceProtoc } from './protoc.js';
import { CACHE_GITIGNORE, cachesEnabled } from './cachedir.js';
import { renderDeploy } from '../render/deploy.js';
import { migrationArtifacts } from './database.js';
import { loadClients } from './clients.js';
import { serviceChart } from './helm.js';
import { addContractEvents } from './events.js';
import { readServiceTemplates } from './templates.js';
import { withTemplates } from '../render/templates.js';
import { reconcileOverlays } from './overlays.js';

/** Where the contract text comes from. */
export interface ContractInput {
  /** Path on disk used to resolve relative `$ref`s. */
  path: string;
  /** How errors name the file. */
  displayPath: string;
  /** The text, when already read (or made up, for the starter). */
  text?: string;
  /** Include folders on disk for a proto contract's imports. */
  includes?: string[];
  /** The contract, when the caller has loaded it already. */
  loaded?: LoadedContract;
  /** The service root on disk, which svc.yaml's client contracts are relative to. */
  root?: string;
}

export interface GenerateOptions {
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
  /** Extra files to plan with the service (e.g. the starter contract). */
  extra?: Artifact[];
  /** Plan only the files whose path passes (e.g. `svc gen k8s`'s own); all when absent. */
  only?: (path: string) => boolean;
  /** Render the Helm chart (`svc gen helm`); without it, only a service that has one gets it. */
  helm?: boolean;
}

export interface GenerateResult {
  model: ServiceModel;
  plan: Plan;
  written: string[];
  /**
   * What the user must do by hand, one `path:line: the edit` a line: files in
   * conflict (then nothing was written), orphaned operation files, changed
   * signatures. Computed from the disk and the contract on every run.
   */
  reports: string[];
  /** What svc did that the user should know of (an operation file carried to its new name, an edited file saved before --force). */
  notes: string[];
  /** The service as this run leaves it will not compile until the user makes the edits in `reports`: the CLI exits non-zero. */
  buildBroken: boolean;
}

/**
 * The whole pipeline: load the contract → build the model → render the files →
 * plan the changes against what is on the file system → apply them (unless a
 * dry run, or a file is in conflict: then nothing is written). Throws
 * UserError for any mistake in the input before anything is written.
 */
export async function generate(settings: ProjectSettings, contract: ContractInput, options: GenerateOptions): Promise<GenerateResult> {
  const loaded = contract.loaded ?? await loadContract(contract.path, settings.contract.kind, contract.text, contract.displayPath, contract.includes);
  // A proto contract loaded with its protoc check deferred (loadProto's
  // deferCheck): the check runs while the model is built and protoc
  // generates, and what it finds is reported before any other mistake, and
  // before protoc's output is used.
  const checked = loaded.kind === 'proto' ? loaded.checked : undefined;
  const serviceSettings = serviceSettingsOf(settings);
  // protoc starts on the contract's files before the model is built, and runs
  // while the rest is built and rendered (synchronous work that would
  // otherwise wait for it). Should anything fail before its files are used,
  // it is stopped, and its scratch folder removed, before the error is thrown.
  const stop = new AbortController();
  const job = loaded.kind === 'proto' ? protocJob(protoFiles(loaded), serviceSettings) : undefined;
  const cached = job && cachesEnabled() ? await options.fs.read(PROTOC_CACHE_PATH) : undefined;
  const fromTree = async (paths: readonly string[]): Promise<Artifact[] | undefined> => {
    const { generated } = await readManifest(options.fs);
    const out: Artifact[] = [];
    for (const path of paths) {
      const text = await options.fs.read(path);
      if (text === undefined || generated[path] === undefined || hashContent(text) !== generated[path]) return undefined;
      out.push(artifact(path, text));
    }
    return out;
  };
  const protoc = await startServiceProtoc(job, { signal: stop.signal, ...(cached !== undefined ? { cached: { text: cached, read: fromTree } } : {}) });
  const protocOutput = protoc();
  const protocFiles = protocOutput.then((o) => o.artifacts);
  protocFiles.catch(() => undefined); // awaited below; an earlier error must not leave it unhandled
  const stopped = async (err: unknown): Promise<never> => {
    stop.abort();
    await protocFiles.catch(() => undefined);
    throw err;
  };
  const { model, migrations, clients, templates } = await checkFailsFirst(checked, async () => {
    const model = buildModel(loaded, settings.name, settings.security);
    await addContractEvents(model, settings, options.fs, options.extra);
    if (settings.contract.kind === 'proto' && (settings.features.cache ?? 'off') !== 'off') {
      model.warnings.push(`svc.yaml: features.cache: ${settings.features.cache}: the cache runtime is generated, but a proto service's repositories are not put behind it yet (OpenAPI services only)`);
    }
    const migrations = await migrationArtifacts(model, settings, options.fs);
    model.warnings.push(...migrations.warnings);
    const clients = settings.clients && contract.root ? await loadClients(settings, contract.root) : [];
    // The service's own templates (svc template init) stand in for the built-ins, for this service alone.
    const templates = await readServiceTemplates(options.fs, settings);
    model.warnings.push(...templates.warnings);
    return { model, migrations, clients, templates };
  }).catch(stopped);
  const artifacts = await withTemplates(templates.overrides, async () => {
    // Everything but protoc's files is rendered while protoc runs.
    let service: Artifact[];
    let deploy: Artifact[];
    let svcYaml: Artifact;
    try {
      service = renderService(model, serviceSettings, clients);
      deploy = renderDeploy(model, settings);
      svcYaml = artifact(SETTINGS_PATH, serializeSettings(settings));
    } catch (err) {
      return checkFailsFirst(checked, () => stopped(err));
    }
    const others = [...migrations.artifacts, ...deploy, svcYaml, ...(options.extra ?? [])];
    // A new service's files are put in its staging folder while protoc runs
    // (they stay out of the plan's sight, and are kept when it asks for them).
    if (model.rpc && !options.dryRun) await options.fs.writeAhead?.([...service, ...others].filter((a) => !options.only || options.only(a.path)));
    const rendered = [...service, ...(await checkedFirst(checked, () => protocFiles)), ...others];
    rendered.push(...(await serviceChart(options.fs, model, settings, rendered, options.helm ?? false)));
    return rendered;
  });
  const planned = options.only ? artifacts.filter((a) => options.only!(a.path)) : artifacts;
  const manifest = await readManifest(options.fs);
  const plan = await planChanges(planned, options.fs, manifest, {
    force: options.force ?? false,
    produced: new Set(artifacts.map((a) => a.path)),
    ...(options.only ? { scope: options.only } : {}),
  });
  const { actions: reports, notes, buildBroken } = regenerationReports(plan, artifacts);
  reports.push(...(await reconcileOverlays(plan, options.fs, manifest, settings)));
  const result: GenerateResult = { model, plan, written: [], reports, notes, buildBroken };
  if (options.dryRun) return result;
  // A plan with a conflict writes nothing at all.
  const { written } = await applyPlan(plan, options.fs, manifest);
  // protoc's output is kept for the next run, beside the files it went into.
  const { cache } = await protocOutput;
  if (cache !== undefined && !plan.changes.some((c) => c.action === 'conflict') && cachesEnabled()) {
    await options.fs.write(CACHE_GITIGNORE.path, CACHE_GITIGNORE.content);
    await options.fs.write(PROTOC_CACHE_PATH, cache);
  }
  return { ...result, written };
}

/**
 * `fn`'s result, without waiting for a deferred protoc check; when `fn`
 * fails, the check is waited for, and its mistake, if it finds one, is the
 * one reported.
 */
async function checkFailsFirst<T>(checked: Promise<void> | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await checked;
    throw err;
  }
}

/** `fn`'s result once a deferred protoc check (if any) has passed: the check's mistake comes first. */
async function checkedFirst<T>(checked: Promise<void> | undefined, fn: () => Promise<T>): Promise<T> {
  const result = await checkFailsFirst(checked, fn);
  await checked;
  return result;
}

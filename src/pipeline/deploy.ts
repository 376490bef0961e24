import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { applyPlan } from '../apply/apply.js';
import type { FileSystem } from '../fs/types.js';
import type { PlannedChange } from '../plan/plan.js';
import { applyDeployFlags, ENVIRONMENTS, type DeployFlags, type DeploySettings } from '../project/deploy.js';
import { readManifest } from '../project/manifest.js';
import { SETTINGS_PATH } from '../project/settings.js';
import { overlayDir, ownedBy } from '../render/deploy.js';
import { chartDirOf } from '../render/helm/chart.js';
import { overriddenBy } from './overlays.js';
import { readService } from './gen.js';
import { generate, type GenerateResult } from './generate.js';

export type DeployKind = 'docker' | 'k8s';

export interface GenDeployOptions {
  /** The service root (for messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
  /** `svc gen k8s` flags; remembered in svc.yaml's deploy section. */
  flags?: DeployFlags;
}

export interface GenDeployResult extends GenerateResult {
  /** Things the user should know, e.g. an overlay of theirs that new values did not reach. */
  notes: string[];
}

/**
 * `svc gen docker` and `svc gen k8s`: re-renders the service and plans only
 * the files the command owns (plus svc.yaml when the flags change its deploy
 * section), through the same plan and apply as `svc gen api`. The flags are
 * checked before anything is written.
 */
export async function genDeploy(kind: DeployKind, o: GenDeployOptions): Promise<GenDeployResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const deploy = applyDeployFlags(settings.deploy, o.flags ?? {});
  const next = { ...settings, deploy };
  const result = await generate(next, contract, { fs: o.fs, force: o.force ?? false, dryRun: true, only: (p) => ownedBy(kind, p) });

  const settingsChange = await updateSettingsFile(o.fs, settings.deploy, deploy);
  if (settingsChange) {
    result.plan.changes.push(settingsChange);
    result.plan.changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
  }
  // An overlay of the user's may set, after svc/, what a flag just changed.
  const overridden = ENVIRONMENTS.filter((env) => deploy.image !== settings.deploy.image || !isDeepStrictEqual(settings.deploy.environments[env], deploy.environments[env])).flatMap((env) => {
    const kept = result.plan.changes.find((c) => c.artifact.path === `${overlayDir(env)}/kustomization.yaml` && c.action === 'skip');
    return kept?.previous !== undefined ? overriddenBy(env, kept.previous, settings.name) : [];
  });
  // A chart's values-<env>.yaml is the user's too, and has no component to carry the new values.
  const values = ENVIRONMENTS.filter((env) => !isDeepStrictEqual(settings.deploy.environments[env], deploy.environments[env]))
    .map((env) => `${chartDirOf(settings.name)}/values-${env}.yaml`)
    .filter((path) => result.plan.changes.some((c) => c.artifact.path === path && c.action === 'skip'))
    .map((path) => `${path} is yours and was left as it is: svc.yaml now holds the new values; set them there too (helm reads that file last)`);
  const notes = [...result.notes, ...overridden, ...values];
  if (o.dryRun) return { ...result, notes };
  const { written } = await applyPlan(result.plan, o.fs, await readManifest(o.fs));
  o.fs.commit?.(); // a staged file system: every file lands at once
  return { ...result, written, notes };
}

/**
 * The change to svc.yaml that records new deploy settings: only the values
 * that changed are set, so the user's comments and layout stay. Undefined
 * when nothing changed.
 */
async function updateSettingsFile(fs: FileSystem, before: DeploySettings, after: DeploySettings): Promise<PlannedChange | undefined> {
  const changed = leafChanges(before, after, ['deploy']);
  if (changed.length === 0) return undefined;
  const previous = (await fs.read(SETTINGS_PATH)) ?? '';
  const doc = parseDocument(previous);
  for (const [path, value] of changed) doc.setIn(path, value);
  const content = doc.toString({ lineWidth: 0 });
  return {
    action: 'overwrite',
    artifact: { path: SETTINGS_PATH, content, owner: 'user' },
    previous,
    reason: 'deploy settings changed by the flags',
  };
}

/** The paths and new values of the leaves that differ between two plain objects. */
function leafChanges(a: unknown, b: unknown, path: string[]): [string[], unknown][] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => leafChanges((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]));
  }
  return a === b ? [] : [[path, b]];
}

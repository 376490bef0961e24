import type { FileSystem } from '../fs/types.js';
import { inTransaction } from '../fs/types.js';
import type { ServiceModel } from '../model/types.js';
import type { ProjectSettings } from '../project/settings.js';
import type { Artifact } from '../render/artifact.js';
import { chartDirOf, renderHelmChart } from '../render/helm/chart.js';
import { CONFIG_FILE } from '../render/runtime.js';
import { readService } from './gen.js';
import { generate, type GenerateResult } from './generate.js';

export interface GenHelmOptions {
  /** The service root (for messages). */
  dir: string;
  fs: FileSystem;
  force?: boolean;
  dryRun?: boolean;
}

/**
 * `svc gen helm`: renders the service's Helm chart into charts/<name>/ and
 * plans only its files, through the same plan and apply as `svc gen api`
 * (generated files rewritten, values-<env>.yaml created once). From then on
 * `svc gen api` and `svc gen k8s` keep the chart in step too (see
 * `serviceChart`).
 */
export async function genHelm(o: GenHelmOptions): Promise<GenerateResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const prefix = `${chartDirOf(settings.name)}/`;
  return inTransaction(o.fs, () =>
    generate(settings, contract, { fs: o.fs, force: o.force ?? false, dryRun: o.dryRun ?? false, helm: true, only: (p) => p.startsWith(prefix) }),
  );
}

/**
 * The files of the service's chart, when the run asks for it (`svc gen helm`)
 * or the service has one (charts/<name>/Chart.yaml on disk): a service that
 * has a chart keeps it in step with its contract and svc.yaml on every run,
 * and its files are never taken for stale ones. The ConfigMap's content is
 * configs/config.yaml as it stands on disk (the user's file), else as this
 * run renders it.
 */
export async function serviceChart(
  fs: FileSystem,
  model: ServiceModel,
  settings: ProjectSettings,
  rendered: readonly Artifact[],
  asked: boolean,
): Promise<Artifact[]> {
  if (!asked && !(await fs.exists(`${chartDirOf(settings.name)}/Chart.yaml`))) return [];
  const config = (await fs.read(CONFIG_FILE)) ?? rendered.find((a) => a.path === CONFIG_FILE)?.content;
  return renderHelmChart(model, settings, config !== undefined ? { config } : {});
}

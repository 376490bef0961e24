import { DiskFileSystem } from '../fs/disk.js';
import type { FileSystem } from '../fs/types.js';
import { addPlan } from './json.js';
import type { Output } from './report.js';

const IN_STEP = 'in step with the contract: no file would change';

/**
 * `svc gen api --check`: regenerates the service (or, at a platform root,
 * the platform) as a dry run and prints every file that would change and
 * every action needed; 1 when there is any, 0 when all is in step. Writes
 * nothing.
 */
export async function runGenApiCheck(dir: string, fs: FileSystem, io: Output): Promise<number> {
  // Nothing changed since a run found the service in step (its fingerprint holds): in step.
  if (fs instanceof DiskFileSystem) {
    const { cachedGenApi } = await import('../pipeline/fingerprint.js');
    const cached = cachedGenApi(fs.root);
    if (cached) {
      if (io.json) addPlan(io.json, cached.plan, true);
      io.out(IN_STEP);
      return 0;
    }
  }
  const { outOfStep } = await import('../pipeline/lint.js');
  const { readPlatformSettings } = await import('../project/platform.js');
  let result: Parameters<typeof outOfStep>[0];
  if (await readPlatformSettings(fs)) {
    const { genPlatform } = await import('../pipeline/platform.js');
    result = await genPlatform({ dir, fs, dryRun: true, force: false });
  } else {
    const { genApi } = await import('../pipeline/gen.js');
    result = await genApi({ dir, fs, dryRun: true, force: false });
  }
  const found = outOfStep(result);
  if (io.json) {
    addPlan(io.json, result.plan, true);
    io.json.actionsNeeded.push(...found.actions);
  }
  for (const c of found.changes) io.out(`${c.action.padEnd(10)} ${c.path}${c.action === 'conflict' ? `  (${c.reason})` : ''}`);
  for (const a of found.actions) io.err(`action needed: ${a}`);
  if (found.changes.length === 0 && found.actions.length === 0) {
    io.out(IN_STEP);
    return 0;
  }
  const what = [`${found.changes.length} file(s) would change`, ...(found.actions.length > 0 ? [`${found.actions.length} action(s) needed`] : [])].join(', ');
  io.err(`error: not in step with the contract: ${what}; run \`svc gen api\`${found.actions.length > 0 ? ' and make the edits named under "action needed"' : ''}`);
  return 1;
}

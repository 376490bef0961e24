// Wall time and peak RSS of svc and of other commands, for the benchmarks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');

/** Runs svc (this checkout's, or the bin/svc.js given) with args in cwd: wall time (ms), svc's own peak RSS (MiB) and its stdout. */
export function svc(args, cwd, bin = BIN) {
  const rssFile = join(cwd, '.rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SVC_RSS_FILE: rssFile } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${args.join(' ')}: ${r.stderr}`);
  return { ms, mib: Number(readFileSync(rssFile, 'utf8')) / 1024, out: r.stdout };
}

/** Wall time and peak RSS of any command, from GNU time. */
export function timed(cmd, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-2).join(' ') };
  const [secs, kib] = r.stderr.trim().split('\n').pop().split(' ');
  return { ms: Number(secs) * 1000, mib: Number(kib) / 1024 };
}

/** `  2.61 s    377 MiB`, or why the command failed. */
export const fmt = (r) => (r.error ? `failed: ${r.error}` : `${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.mib.toFixed(0).padStart(5)} MiB`);

const scratchFolders = [];
process.on('exit', () => {
  for (const dir of scratchFolders) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh temporary folder, removed when the bench exits rather than after
 * the run that used it. On ext4, creating a file looks past every inode of
 * its group deleted in the last minute or so (the kernel's
 * \`recently_deleted\`, reading their inode table blocks): a bench that
 * deleted each run's thousands of files before the next run measured svc on
 * a disk it had just churned itself (GitHub's 3,485 files: 0.4-0.5 s of
 * system time on a disk left alone, 1.5-3 s in the minutes after a deletion).
 */
export function scratch(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchFolders.push(dir);
  return dir;
}

/** Removes `name VALUE` from args (a script's argv) and returns VALUE, or undefined when absent. */
export function takeOption(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
}

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { SETTINGS_PATH } from '../project/settings.js';

/**
 * The folder a command works on: `--dir` when given (it must exist), else the
 * nearest folder holding svc.yaml from `cwd` up, as git, go and npm find
 * their roots; `cwd` itself when there is none (the command then says it is
 * not a service). Off disk (tests' memory file systems) nothing is searched.
 */
export function commandRoot(cwd: string, given: string | undefined, onDisk: boolean): string {
  if (given !== undefined) {
    const dir = resolve(cwd, given);
    if (onDisk && !existsSync(dir) && !underAFile(dir)) throw new UserError(`${dir} does not exist`);
    return dir;
  }
  const start = resolve(cwd);
  if (!onDisk) return start;
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SETTINGS_PATH))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** Whether the nearest existing folder above `dir` is a file (the file system names that mistake itself). */
function underAFile(dir: string): boolean {
  let at = dirname(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return statSync(at).isFile();
}

/**
 * Rewrites the few spellings commander would read the wrong way:
 * `svc help gen api` becomes `svc gen api --help`, and a bare `--proto`
 * (the starter proto) moves to the end when what follows it is not a
 * path, so that `svc new --proto cart` keeps `cart` as the name. A proto
 * file is a path (it has a dot or a slash); a service name never has either.
 */
export function normaliseArgs(argv: string[]): string[] {
  if (argv[0] === 'help' && argv.length > 1) return [...argv.slice(1), '--help'];
  const out = [...argv];
  const end = out.indexOf('--') === -1 ? out.length : out.indexOf('--');
  for (let i = 0; i < end; i++) {
    const next = out[i + 1];
    if (out[i] !== '--proto' || next === undefined || i + 1 >= end || next.startsWith('-') || /[./\\]/.test(next)) continue;
    out.splice(i, 1);
    out.splice(end - 1, 0, '--proto');
    break;
  }
  return out;
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { onInterrupt, setInterruptOutcome } from './interrupt.js';
import { UserError } from '../errors.js';
import { type FileSystem, textOf } from './types.js';

export interface DiskOptions {
  /**
   * Stage every write and removal until `commit()`, so that an interrupt or
   * a failure before it leaves the tree as it was:
   * - a missing or empty root is built whole in a hidden sibling folder,
   *   `.<name>.svc-new-<pid>-<random>`, renamed into place by `commit()`;
   * - an existing tree gets its changes in memory, written by `commit()` in
   *   one synchronous pass (each file through a temporary file and a rename),
   *   which no signal handler can interrupt.
   * A staged file system first removes the temporary files and folders that
   * killed runs (SIGKILL, power loss) left.
   */
  staged?: boolean;
}

type Mode = 'direct' | 'folder' | 'files';

/** How many files are written between two turns of the event loop. */
const YIELD_EVERY = 32;

/** The real file system under a root folder. Every write is atomic: a reader never sees half a file. */
export class DiskFileSystem implements FileSystem {
  readonly root: string;
  /** Stray temporary files and folders of killed runs that this instance removed, relative to the root's parent. */
  readonly swept: string[] = [];
  /** Folders this instance already created: each is made once, not once per file. */
  private readonly made = new Set<string>();
  private mode: Mode = 'direct';
  /** Folder mode: where the new tree is built. */
  private stage = '';
  /** Files mode: the staged content of each path, null for a removal. */
  private readonly pending = new Map<string, { content: string; mode: number } | null>();
  private unregister: () => void = () => {};
  private writes = 0;
  /** Folder mode: removes the staging folder and the folders made for it. */
  private undo: () => void = () => {};
  /** Folder mode: files written ahead of the plan (writeAhead) and not yet asked for, by path, with what they hold. */
  private readonly ahead = new Map<string, { content: string | null; mode: number }>();
  /** Folder mode, once files were written ahead: how many files asked for each folder holds, by path ('.' the root). */
  private readonly shown = new Map<string, number>();
  /** Folder mode: how many files written ahead and not asked for each folder holds. */
  private readonly aheadUnder = new Map<string, number>();

  constructor(root: string, options: DiskOptions = {}) {
    this.root = resolve(root);
    checkRoot(this.root);
    if (!options.staged) return;
    this.swept = sweep(this.root);
    if (isMissingOrEmpty(this.root)) {
      this.mode = 'folder';
      this.stage = join(dirname(this.root), `.${basename(this.root)}.svc-new-${process.pid}-${randomBytes(4).toString('hex')}`);
      // The folders above the root that do not exist yet are made for the
      // staging folder; undone, they go with it.
      let outermost = this.stage;
      for (let dir = dirname(this.root); !existsSync(dir); dir = dirname(dir)) outermost = dir;
      this.undo = () => rmSync(outermost, { recursive: true, force: true, maxRetries: 3 });
      this.unregister = onInterrupt(this.undo);
    } else {
      this.mode = 'files';
    }
  }

  /** The folder a new tree is being built in before `commit()` renames it into place, once written to. */
  stagedFolder(): string | undefined {
    return this.mode === 'folder' && existsSync(this.stage) ? this.stage : undefined;
  }

  private abs(path: string): string {
    return join(this.mode === 'folder' ? this.stage : this.root, path);
  }

  async read(path: string): Promise<string | undefined> {
    const staged = this.pending.get(key(path));
    if (staged !== undefined) return staged?.content;
    if (this.hidden(key(path))) return undefined;
    try {
      return readFileSync(this.abs(path), 'utf8');
    } catch (err) {
      if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async write(path: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
    if (this.mode === 'files') {
      this.pending.set(key(path), { content: textOf(content), mode });
      return;
    }
    if (this.shown.size > 0) {
      // Files were written ahead: this one may be among them.
      const k = key(path);
      const early = this.ahead.get(k);
      if (early) this.forget(k);
      this.count(this.shown, k, 1);
      if (early && early.content === content && early.mode === mode) return;
      // Written anew, with its mode (which writing over a file keeps).
      if (early) rmSync(this.abs(path), { force: true });
    }
    await this.put(path, content, mode);
  }

  /** Writes a file into the staging folder (folder mode) or atomically in place (direct mode). */
  private async put(path: string, content: string | Uint8Array, mode: number): Promise<void> {
    const target = this.abs(path);
    const dir = dirname(target);
    // Synchronous calls: for thousands of small files they beat the thread
    // pool's four workers, the rename keeps every write atomic, and no
    // folder is being made in the background when an interrupt removes the
    // staging folder.
    try {
      if (!this.made.has(dir)) {
        makeFolders(dir);
        this.made.add(dir);
      }
      // A staging folder is invisible until `commit()` renames it whole: its
      // files need no temporary file and rename of their own.
      if (this.mode === 'folder') writeFileSync(target, content, { mode });
      else writeAtomically(target, content, mode);
    } catch (err) {
      throw writeError(err, this.root);
    }
    // Synchronous writes never give the event loop a turn: every few files,
    // one lets Ctrl-C be handled now rather than after the last file.
    if (++this.writes % YIELD_EVERY === 0) await new Promise((next) => setImmediate(next));
  }

  async writeAhead(files: readonly { path: string; content: string; mode?: number }[]): Promise<void> {
    // Only into a staging folder nothing was written to yet: every file there is one of these.
    if (this.mode !== 'folder' || this.writes > 0) return;
    this.shown.set('.', 0);
    for (const f of files) {
      const k = key(f.path);
      if (k === '.' || this.ahead.has(k) || (this.aheadUnder.get(k) ?? 0) > 0) continue;
      const mode = f.mode ?? 0o644;
      let written = true;
      try {
        await this.put(f.path, f.content, mode);
      } catch {
        written = false;
      }
      // A file that could not be written is kept out of sight all the same
      // (whatever part of it there is), for the plan's own write to redo.
      this.ahead.set(k, { content: written ? f.content : null, mode });
      this.count(this.aheadUnder, k, 1);
      if (!written) return;
    }
  }

  /** Folder mode: a file written ahead and not asked for, or a folder that holds only such files. */
  private hidden(k: string): boolean {
    if (this.shown.size === 0 || k === '.') return false;
    return this.ahead.has(k) || ((this.aheadUnder.get(k) ?? 0) > 0 && (this.shown.get(k) ?? 0) === 0);
  }

  /** A file written ahead is asked for, or removed: it is no longer one. */
  private forget(k: string): void {
    this.ahead.delete(k);
    this.count(this.aheadUnder, k, -1);
  }

  /** Adds `by` to the count of each folder above a file. */
  private count(counts: Map<string, number>, k: string, by: number): void {
    for (let dir = posix.dirname(k); ; dir = posix.dirname(dir)) {
      counts.set(dir, (counts.get(dir) ?? 0) + by);
      if (dir === '.') break;
    }
  }

  async remove(path: string): Promise<void> {
    if (this.mode === 'files') this.pending.set(key(path), null);
    else this.removeNow(this.abs(path));
  }

  /** Deletes a file, and the folders it leaves empty up to the root. */
  private removeNow(file: string): void {
    rmSync(file, { force: true });
    const top = this.mode === 'folder' ? this.stage : this.root;
    for (let dir = dirname(file); dir.startsWith(`${top}/`); dir = dirname(dir)) {
      if (!existsSync(dir) || safeReaddir(dir).length > 0) break;
      rmdirSync(dir);
      this.made.delete(dir);
    }
  }

  async exists(path: string): Promise<boolean> {
    const staged = this.pending.get(key(path));
    if (staged !== undefined) return staged !== null;
    if (this.mode === 'files' && this.stagedUnder(key(path)).length > 0) return true;
    if (this.hidden(key(path))) return false;
    try {
      await stat(this.abs(path));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(path: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.abs(path));
    } catch (err) {
      if (!isNotFound(err) && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
      names = [];
    }
    if (this.mode !== 'files') {
      const dir = key(path);
      return (this.shown.size === 0 ? names : names.filter((n) => !this.hidden(dir === '.' ? n : `${dir}/${n}`))).sort();
    }
    const dir = key(path);
    const all = new Set(names.filter((n) => this.pending.get(dir === '.' ? n : `${dir}/${n}`) !== null));
    for (const p of this.stagedUnder(dir)) all.add(p);
    return [...all].sort();
  }

  /** Files mode: the first path segment of each staged (not removed) file under a folder. */
  private stagedUnder(dir: string): string[] {
    const prefix = dir === '.' ? '' : `${dir}/`;
    const out: string[] = [];
    for (const [p, v] of this.pending) if (v !== null && p.startsWith(prefix)) out.push(p.slice(prefix.length).split('/')[0]!);
    return out;
  }

  /**
   * Makes every staged change visible. Synchronous, so that a signal handler
   * cannot run in the middle: a new tree is one rename; changes to an
   * existing tree are all written to temporary files first (a failure there
   * removes them and changes nothing), then renamed into place.
   */
  commit(): void {
    if (this.mode === 'folder') {
      // Files written ahead that no write asked for are not part of the tree.
      for (const k of [...this.ahead.keys()]) {
        this.removeNow(this.abs(k));
        this.forget(k);
      }
      if (existsSync(this.stage)) {
        if (existsSync(this.root)) rmdirSync(this.root); // empty: checked when staging began
        renameSync(this.stage, this.root);
        setInterruptOutcome(`the files were written to ${this.root}`);
      }
      this.unregister();
      this.mode = 'direct';
      return;
    }
    if (this.pending.size === 0) return;
    const temps: [string, string][] = [];
    try {
      // First: the folder whose presence tells a later run's sweep to look here for temporary files.
      makeFolders(join(this.root, '.svc'));
      for (const [path, change] of this.pending) {
        if (change === null) continue;
        const target = join(this.root, path);
        makeFolders(dirname(target));
        const temp = tempName(target);
        temps.push([temp, target]);
        writeFileSync(temp, change.content, { mode: change.mode });
      }
    } catch (err) {
      for (const [temp] of temps) rmSync(temp, { force: true });
      throw writeError(err, this.root);
    }
    for (const [temp, target] of temps) renameSync(temp, target);
    for (const [path, change] of this.pending) if (change === null) this.removeNow(join(this.root, path));
    this.pending.clear();
    setInterruptOutcome(`the files were written to ${this.root}`);
  }

  /** Drops every staged change: the tree is left as it was. */
  discard(): void {
    if (this.mode === 'folder') this.undo();
    this.unregister();
    this.pending.clear();
  }
}

/**
 * A service folder must be a folder, or a path where one can be made: a file
 * there, or a file above it, is said in one line before anything is done.
 */
function checkRoot(root: string): void {
  let at = root;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UserError(`cannot use the folder ${root}: ${describe(err)}`);
      const up = dirname(at);
      if (up === at) return;
      at = up;
      continue;
    }
    if (isDir) return;
    throw new UserError(at === root ? `${root} is a file, not a folder` : `cannot use the folder ${root}: ${at} is a file, not a folder`);
  }
}

/**
 * Makes a folder and the missing ones above it, one at a time: node's
 * recursive mkdir never returns where mkdir fails with ENOENT under an
 * existing folder (as anywhere under /proc).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** An error writing a service's files, in one line naming the service folder. */
function writeError(err: unknown, root: string): Error {
  if (err instanceof UserError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return err as Error;
  const where = typeof e.path === 'string' ? dirname(e.path) : undefined;
  let why: string;
  if (e.code === 'ENOENT' && e.syscall === 'mkdir' && where !== undefined) why = `${where} does not accept new folders`;
  else if (e.code === 'ENOTDIR') why = 'a part of the path is a file, not a folder';
  else if (e.code === 'EACCES' || e.code === 'EPERM') why = `permission denied${where !== undefined ? ` in ${where}` : ''}`;
  else why = describe(err);
  return new UserError(`cannot write the service to ${root}: ${why}`);
}

/** An operating-system error in words: `no space left on device (ENOSPC)`. */
function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /^[A-Z]+: ([^,]+)/.exec(e?.message ?? '');
  return m ? `${m[1]!} (${e.code})` : String(e?.message ?? err);
}

function writeAtomically(target: string, content: string | Uint8Array, mode: number): void {
  const temp = tempName(target);
  try {
    writeFileSync(temp, content, { mode });
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** A temporary file beside the target, named after the process that writes it. */
function tempName(target: string): string {
  return `${target}.svc-${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

/** `<file>.svc-<pid>-<hex>.tmp` (and the older `<file>.svc-<hex>.tmp`). */
const TEMP_FILE = /\.svc-(?:(\d+)-)?[0-9a-f]+\.tmp$/;
/** `.<name>.svc-new-<pid>-<hex>`, a new service's staging folder. */
const STAGE_FOLDER = /^\.(.+)\.svc-new-(\d+)-[0-9a-f]+$/;
/** Folders no svc run writes temporary files into. */
const NOT_OURS = new Set(['.git', 'node_modules', 'vendor']);

/**
 * Removes what killed svc runs left: temporary files under the root, and
 * staging folders of the root beside it. Those of a process still running
 * (another svc run) are left alone. Returns what was removed.
 */
function sweep(root: string): string[] {
  const removed: string[] = [];
  const parent = dirname(root);
  for (const name of safeReaddir(parent)) {
    const m = STAGE_FOLDER.exec(name);
    if (!m || m[1] !== basename(root) || isAlive(Number(m[2]))) continue;
    rmSync(join(parent, name), { recursive: true, force: true, maxRetries: 3 });
    removed.push(name);
  }
  // Temporary files are only ever written into a service (or a folder
  // becoming one, which has .svc from the start of the commit).
  if (!['svc.yaml', '.svc', 'go.mod'].some((marker) => existsSync(join(root, marker)))) return removed;
  const walk = (rel: string) => {
    for (const e of safeReaddir(join(root, rel), true)) {
      const path = rel ? posix.join(rel, e.name) : e.name;
      if (e.isDirectory()) {
        if (!NOT_OURS.has(e.name)) walk(path);
        continue;
      }
      const m = TEMP_FILE.exec(e.name);
      if (!m || (m[1] !== undefined && isAlive(Number(m[1])))) continue;
      rmSync(join(root, path), { force: true });
      removed.push(posix.join(basename(root), path));
    }
  };
  walk('');
  return removed;
}

function safeReaddir(dir: string): string[];
function safeReaddir(dir: string, withTypes: true): import('node:fs').Dirent[];
function safeReaddir(dir: string, withTypes?: true): string[] | import('node:fs').Dirent[] {
  try {
    return withTypes ? readdirSync(dir, { withFileTypes: true }) : readdirSync(dir);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isMissingOrEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch (err) {
    return isNotFound(err);
  }
}

function key(path: string): string {
  const p = posix.normalize(path.replaceAll('\\', '/'));
  return p.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FileSystem } from './types.js';

/**
 * The real file system under a root folder. Writes go to a temporary file in
 * the same folder and are renamed into place, so a reader never sees half a
 * file and an interrupted run leaves the old content intact.
 */
export class DiskFileSystem implements FileSystem {
  readonly root: string;
  /** Folders this instance already created: each is made once, not once per file. */
  private readonly made = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  private abs(path: string): string {
    return join(this.root, path);
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return readFileSync(this.abs(path), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async write(path: string, content: string, mode = 0o644): Promise<void> {
    const target = this.abs(path);
    const dir = dirname(target);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.made.add(dir);
    }
    const temp = `${target}.svc-${randomBytes(6).toString('hex')}.tmp`;
    // Synchronous calls: for thousands of small files they beat the thread
    // pool's four workers, and the rename keeps every write atomic.
    try {
      writeFileSync(temp, content, { mode });
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
  }

  async remove(path: string): Promise<void> {
    rmSync(this.abs(path), { force: true });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(this.abs(path));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(this.abs(path))).sort();
    } catch (err) {
      if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

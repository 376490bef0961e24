import { posix } from 'node:path';
import type { FileSystem } from './types.js';

/**
 * A folder of another file system seen as a file system of its own: a
 * platform's services/<name> for the pipeline that generates one service.
 * Staging is the parent's: commit and discard go to it, so that every
 * service of a platform lands with the others, or none does.
 */
export class SubFileSystem implements FileSystem {
  constructor(
    readonly parent: FileSystem,
    /** The folder, relative to the parent's root. */
    readonly prefix: string,
  ) {}

  private at(path: string): string {
    return posix.join(this.prefix, path);
  }

  read(path: string): Promise<string | undefined> {
    return this.parent.read(this.at(path));
  }

  write(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    return this.parent.write(this.at(path), content, mode);
  }

  exists(path: string): Promise<boolean> {
    return this.parent.exists(this.at(path));
  }

  list(path: string): Promise<string[]> {
    return this.parent.list(this.at(path));
  }

  remove(path: string): Promise<void> {
    return this.parent.remove(this.at(path));
  }
}

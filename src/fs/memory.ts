import { posix } from 'node:path';
import { type FileSystem, textOf } from './types.js';

/** An in-memory file system for tests: a map from normalised path to text. */
export class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  writes = 0;

  constructor(initial: Record<string, string> = {}) {
    for (const [path, content] of Object.entries(initial)) this.files.set(normalize(path), content);
  }

  async read(path: string): Promise<string | undefined> {
    return this.files.get(normalize(path));
  }

  async write(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    const key = normalize(path);
    this.files.set(key, textOf(content));
    if (mode !== undefined) this.modes.set(key, mode);
    this.writes++;
  }

  async exists(path: string): Promise<boolean> {
    const key = normalize(path);
    if (key === '.') return this.files.size > 0;
    if (this.files.has(key)) return true;
    const prefix = `${key}/`;
    for (const name of this.files.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  async remove(path: string): Promise<void> {
    const key = normalize(path);
    if (this.files.delete(key)) this.writes++;
    this.modes.delete(key);
  }

  async list(path: string): Promise<string[]> {
    const key = normalize(path);
    const prefix = key === '.' ? '' : `${key}/`;
    const names = new Set<string>();
    for (const name of this.files.keys()) {
      if (name.startsWith(prefix)) names.add(name.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }
}

function normalize(path: string): string {
  const p = posix.normalize(path.replaceAll('\\', '/'));
  return p.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
}

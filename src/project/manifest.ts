import { createHash } from 'node:crypto';
import type { FileSystem } from '../fs/types.js';
import { UserError } from '../errors.js';

/** Where a service records what the generator wrote. */
export const MANIFEST_PATH = '.svc/manifest.json';

/**
 * The record of a generation run: the content hash of every generated file as
 * written, and the user-owned files the generator created once. A later run
 * compares a generated file on disk with its hash to tell an untouched file
 * from one edited by hand.
 */
export interface Manifest {
  version: 1;
  generated: Record<string, string>;
  created: string[];
}

export function emptyManifest(): Manifest {
  return { version: 1, generated: {}, created: [] };
}

export function hashContent(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

export async function readManifest(fs: FileSystem): Promise<Manifest> {
  const text = await fs.read(MANIFEST_PATH);
  if (text === undefined) return emptyManifest();
  try {
    const data = JSON.parse(text) as Partial<Manifest>;
    if (data.version !== 1 || typeof data.generated !== 'object' || !Array.isArray(data.created)) {
      throw new Error('unexpected shape');
    }
    return { version: 1, generated: { ...data.generated }, created: [...data.created] };
  } catch (err) {
    throw new UserError(`${MANIFEST_PATH} is not a valid svc manifest (${(err as Error).message}); delete it and re-run with --force`);
  }
}

export function serializeManifest(m: Manifest): string {
  const generated = Object.fromEntries(Object.entries(m.generated).sort(([a], [b]) => a.localeCompare(b)));
  const created = [...new Set(m.created)].sort();
  return `${JSON.stringify({ version: 1, generated, created }, null, 2)}\n`;
}

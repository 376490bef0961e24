import { createHash } from 'node:crypto';
import type { FileSystem } from '../fs/types.js';
import { UserError } from '../errors.js';
import type { OperationFacts } from '../render/artifact.js';

/** Where a service records what the generator wrote. */
export const MANIFEST_PATH = '.svc/manifest.json';

/** What the manifest knows of one user-owned file svc created. */
export interface CreatedFile {
  /**
   * The hash of the content svc last wrote. While the file still has it, the
   * file is svc's to update (or delete); once edited it is the user's.
   * Absent for files recorded by svc before it kept hashes.
   */
  hash?: string;
  /** For a file that implements one operation: the renderer's facts about it, to recognise renames and orphans. */
  operation?: OperationFacts;
}

/**
 * The record of a generation run: the content hash of every generated file as
 * written, and the user-owned files the generator created. A later run
 * compares a file on disk with its hash to tell an untouched file from one
 * edited by hand.
 */
export interface Manifest {
  version: 2;
  /** The svc version that last wrote the tree; absent in a manifest written before svc recorded it. */
  svc?: string;
  generated: Record<string, string>;
  created: Record<string, CreatedFile>;
}

export function emptyManifest(): Manifest {
  return { version: 2, generated: {}, created: {} };
}

export function hashContent(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * Reads the manifest; one written by an older svc (version 1, whose `created`
 * is a list of paths without hashes) is migrated: its user files are known but
 * counted as the user's until a run finds them identical to what svc renders.
 */
export async function readManifest(fs: FileSystem): Promise<Manifest> {
  const text = await fs.read(MANIFEST_PATH);
  if (text === undefined) return emptyManifest();
  try {
    const data = JSON.parse(text) as { version?: unknown; svc?: unknown; generated?: unknown; created?: unknown };
    if (typeof data.generated !== 'object' || data.generated === null) throw new Error('unexpected shape');
    const generated = { ...(data.generated as Record<string, string>) };
    const svc = typeof data.svc === 'string' ? { svc: data.svc } : {};
    if (data.version === 1 && Array.isArray(data.created)) {
      return { version: 2, generated, created: Object.fromEntries((data.created as string[]).map((p) => [p, {}])) };
    }
    if (data.version !== 2 || typeof data.created !== 'object' || data.created === null || Array.isArray(data.created)) {
      throw new Error('unexpected shape');
    }
    return { version: 2, ...svc, generated, created: { ...(data.created as Record<string, CreatedFile>) } };
  } catch (err) {
    throw new UserError(`${MANIFEST_PATH} is not a valid svc manifest (${(err as Error).message}); delete it and re-run with --force`);
  }
}

export function serializeManifest(m: Manifest): string {
  const sorted = <T>(r: Record<string, T>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: 2, ...(m.svc !== undefined ? { svc: m.svc } : {}), generated: sorted(m.generated), created: sorted(m.created) }, null, 2)}\n`;
}

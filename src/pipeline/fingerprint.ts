import { createHash } from 'node:crypto';
import { type Dirent, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import type { Action, Plan } from '../plan/plan.js';
import { MANIFEST_PATH } from '../project/manifest.js';
import { SVC_VERSION } from '../project/version.js';
import { PACKAGE_ROOT } from '../project/root.js';
import { CACHE_GITIGNORE, SERVICE_CACHE_DIR, cachesEnabled } from './cachedir.js';

/**
 * `svc gen api` on a service whose inputs and files have not changed since
 * svc last ran there: the run's outcome is known without loading the
 * contract or rendering a file.
 *
 * A run that finds the service in step with its contract records, in
 * `.svc/cache/gen-api.json` (a folder that ignores itself in git), a
 * fingerprint of what that outcome depends on:
 * - the svc build (its version and the size and time of every file of dist/
 *   and templates/);
 * - every file the run read or planned, with its size and modification time
 *   (nanoseconds), and for the inputs (svc.yaml, the contract, every file it
 *   references, template overrides, …) a hash of the content;
 * - every folder it listed, with its names;
 * - what a second run would report (every file unchanged or, for a file the
 *   user owns and edited, kept; the warnings; the resources).
 * A later run whose every recorded fact still holds reports that outcome
 * (`cachedGenApi`); any doubt (a file missing, another time, another build, an
 * unreadable record) and it takes the normal path. `SVC_GEN_CACHE=off` turns
 * this off.
 */

export { SERVICE_CACHE_DIR };
/** The fingerprint of the last run that left the service in step. */
export const FINGERPRINT_PATH = `${SERVICE_CACHE_DIR}/gen-api.json`;

/** What the CLI prints of a run besides its plan, kept as printed. */
export interface ReportView {
  warnings: string[];
  /** One line per resource recognised (`describeResources`). */
  resourceLines: string[];
  /** The same, as the --json document has them (`resourceFacts`). */
  resourceFacts: unknown[];
}

/** A run's outcome, replayed without generating. */
export interface CachedRun extends ReportView {
  plan: Plan;
}

interface FileFact {
  path: string;
  /** Absent: the run found no file here. */
  size?: number;
  mtimeNs?: string;
  /** For an input: its content's hash (its time may change; its content may not). */
  hash?: string;
}

interface Fingerprint {
  version: 1;
  build: string;
  files: FileFact[];
  /** Folders listed, with a hash of their sorted names. */
  lists: { path: string; names: string }[];
  changes: { path: string; action: Extract<Action, 'unchanged' | 'skip'>; reason: string; owner: 'generated' | 'user' }[];
  view: ReportView;
}

/** Whether the fingerprint is in use: on, unless SVC_GEN_CACHE=off. */
export function fingerprintEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return cachesEnabled(env);
}

/**
 * A file system that notes every path read, tested and listed through it,
 * for the fingerprint of the run that uses it.
 */
export class RecordingFileSystem implements FileSystem {
  readonly read: FileSystem['read'];
  readonly exists: FileSystem['exists'];
  readonly list: FileSystem['list'];
  readonly write: FileSystem['write'];
  readonly remove: FileSystem['remove'];
  readonly commit?: () => void;
  readonly discard?: () => void;
  readonly stagedFolder?: () => string | undefined;
  /** Paths read or tested. */
  readonly seen = new Set<string>();
  /** Folders listed. */
  readonly listed = new Set<string>();

  constructor(readonly inner: FileSystem) {
    this.read = (path) => (this.seen.add(norm(path)), inner.read(path));
    this.exists = (path) => (this.seen.add(norm(path)), inner.exists(path));
    this.list = (path) => (this.listed.add(norm(path)), inner.list(path));
    this.write = (path, content, mode) => inner.write(path, content, mode);
    this.remove = (path) => inner.remove(path);
    if (inner.commit) this.commit = () => inner.commit!();
    if (inner.discard) this.discard = () => inner.discard!();
    if (inner.stagedFolder) this.stagedFolder = () => inner.stagedFolder!();
  }
}

/**
 * Records the fingerprint of a run under `root` that found every file in step
 * (each unchanged, or the user's and kept) and had nothing to report: a
 * second run on the same inputs reports the same. `inputs` are the files read outside the file system (the files the
 * contract references), relative to `root`. Never throws: a fingerprint not
 * written only costs the next run its shortcut.
 */
export function recordFingerprint(root: string, fs: RecordingFileSystem, plan: Plan, view: ReportView, inputs: readonly string[] = []): boolean {
  try {
    if (!fingerprintEnabled()) return false;
    const changes: Fingerprint['changes'] = [];
    const outputs = new Map<string, number | undefined>();
    for (const c of plan.changes) {
      if (c.carriedFrom || c.backup !== undefined || c.declaredIn) return false;
      const owner = c.artifact.owner;
      // Only a run that found every file in step is its own second run: one that
      // wrote files may plan others the next time (a migration is created once).
      if (c.action === 'unchanged') {
        changes.push({ path: c.artifact.path, action: 'unchanged', reason: c.reason, owner });
        outputs.set(c.artifact.path, Buffer.byteLength(c.artifact.content));
      } else if (c.action === 'skip') {
        changes.push({ path: c.artifact.path, action: 'skip', reason: c.reason, owner });
        outputs.set(c.artifact.path, undefined);
      } else return false;
    }
    if (plan.orphans.length > 0) return false;
    const files: FileFact[] = [];
    const paths = new Set([...fs.seen, ...outputs.keys(), ...inputs.map(norm), MANIFEST_PATH]);
    paths.delete(FINGERPRINT_PATH);
    for (const path of [...paths].sort()) {
      const fact = factOf(root, path, !outputs.has(path) && path !== MANIFEST_PATH);
      // A file found in step must still be the size rendered; otherwise it changed during the run.
      const size = outputs.get(path);
      if (size !== undefined && fact.size !== size) return false;
      files.push(fact);
    }
    const lists = [...fs.listed].sort().map((path) => ({ path, names: namesHash(root, path) }));
    const record: Fingerprint = { version: 1, build: buildId(), files, lists, changes, view };
    writeRecord(root, `${JSON.stringify(record)}\n`);
    return true;
  } catch {
    return false;
  }
}

/** The outcome the fingerprint under `root` records, when every fact of it still holds; otherwise undefined. */
export function cachedGenApi(root: string): CachedRun | undefined {
  if (!fingerprintEnabled()) return undefined;
  let record: Fingerprint;
  try {
    record = JSON.parse(readFileSync(join(root, FINGERPRINT_PATH), 'utf8')) as Fingerprint;
  } catch {
    return undefined;
  }
  try {
    if (record.version !== 1 || record.build !== buildId()) return undefined;
    for (const f of record.files) if (!holds(root, f)) return undefined;
    for (const l of record.lists) if (namesHash(root, l.path) !== l.names) return undefined;
  } catch {
    return undefined;
  }
  const changes = record.changes.map((c) => ({ action: c.action, artifact: { path: c.path, content: '', owner: c.owner }, reason: c.reason }));
  return { plan: { changes, orphans: [], forgotten: [] }, ...record.view };
}

/** The facts of a file now: absent, or its size and time (and, for an input, its hash). */
function factOf(root: string, path: string, input: boolean): FileFact {
  const abs = join(root, path);
  const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
  if (!st) return { path };
  if (!st.isFile()) return { path, size: -1, mtimeNs: '' };
  const fact: FileFact = { path, size: Number(st.size), mtimeNs: st.mtimeNs.toString() };
  if (input) fact.hash = hashOf(readFileSync(abs));
  return fact;
}

/** Whether a recorded fact still holds: an input by its content, any other file by its size and time. */
function holds(root: string, f: FileFact): boolean {
  const abs = join(root, f.path);
  const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
  if (!st) return f.size === undefined;
  if (f.size === undefined) return false;
  if (!st.isFile()) return f.size === -1;
  if (Number(st.size) !== f.size) return false;
  if (f.hash !== undefined) return hashOf(readFileSync(abs)) === f.hash;
  return st.mtimeNs.toString() === f.mtimeNs;
}

function namesHash(root: string, path: string): string {
  let names: string[];
  try {
    names = readdirSync(join(root, path)).sort();
  } catch {
    names = [];
  }
  // The fingerprint's own folder comes and goes with it.
  if (norm(path) === '.svc') names = names.filter((n) => n !== 'cache');
  return hashOf(names.join('\0'));
}

function hashOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('base64url');
}

/** Writes the record atomically, in a folder that tells git to ignore it. */
function writeRecord(root: string, text: string): void {
  const dir = join(root, SERVICE_CACHE_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, CACHE_GITIGNORE.path), CACHE_GITIGNORE.content);
  const tmp = join(dir, `.gen-api.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(root, FINGERPRINT_PATH));
}

let build: string | undefined;

/**
 * This build of svc: its version, and the path, size and time of every file
 * of dist/ (but its source maps and code cache) and templates/. Another build, a template
 * edited: another id.
 */
export function buildId(): string {
  if (build !== undefined) return build;
  const h = createHash('sha256').update(SVC_VERSION);
  for (const top of ['dist', 'templates']) {
    const base = join(PACKAGE_ROOT, top);
    const cache = join(base, '.cache');
    const files: string[] = [];
    let entries: Dirent[];
    try {
      entries = readdirSync(base, { recursive: true, withFileTypes: true });
    } catch {
      // Run from the sources (the tests): no dist/ yet.
      h.update(`\0${top} absent`);
      continue;
    }
    for (const e of entries) {
      // Source maps do not run; the code cache is checked entry by entry.
      if (e.isFile() && !e.name.endsWith('.map') && !e.parentPath.startsWith(cache)) files.push(join(e.parentPath, e.name));
    }
    for (const p of files.sort()) {
      const st = statSync(p);
      h.update(`\0${p.slice(PACKAGE_ROOT.length)}\0${st.size}\0${st.mtimeMs}`);
    }
  }
  build = h.digest('base64url');
  return build;
}

function norm(path: string): string {
  return path.replace(/^\.\//, '').replaceAll('\\', '/');
}

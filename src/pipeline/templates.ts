import { posix } from 'node:path';
import { createTwoFilesPatch } from './patch.js';
import { UserError } from '../errors.js';
import { SubFileSystem } from '../fs/sub.js';
import { inTransaction, type FileSystem } from '../fs/types.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { hashContent } from '../project/manifest.js';
import type { ProjectSettings } from '../project/settings.js';
import { SVC_VERSION } from '../project/version.js';
import { matches } from '../render/target.js';
import { builtinTemplate, recordTemplates, type TemplateOverrides } from '../render/templates.js';
import { readService } from './gen.js';
import { generate } from './generate.js';

/**
 * A service's own templates (`svc template init`, `svc template diff`): copies
 * of the built-in templates it uses, in `.svc/templates/` (or the folder
 * svc.yaml's `templates:` names), each overriding its built-in for that
 * service. The record beside them says, for each copy, the svc version and
 * the hash of the built-in it was copied from, and `.base/` keeps that
 * built-in's text, so that a later svc can show what changed in it since.
 */

/** Where a service's templates are when svc.yaml does not say. */
export const TEMPLATES_FOLDER = '.svc/templates';
/** The record of the copies, in the templates folder. */
export const TEMPLATE_RECORD = '.svc-templates.json';
/** The built-ins as they were copied, in the templates folder. */
const BASE_FOLDER = '.base';

/** What the record knows of one copy. */
export interface CopiedTemplate {
  /** The svc version that copied it. */
  svc: string;
  /** The hash of the built-in template it was copied from. */
  hash: string;
}

export interface TemplateRecord {
  version: 1;
  templates: Record<string, CopiedTemplate>;
}

/** The service's templates folder, relative to its root. */
export function templatesDirOf(settings: Pick<ProjectSettings, 'templates'>): string {
  return posix.normalize(settings.templates ?? TEMPLATES_FOLDER).replace(/\/+$/, '');
}

/** The overrides a service's render uses, and what the user should know of them. */
export interface ServiceTemplates {
  /** Undefined when the service has none: the built-ins alone. */
  overrides?: TemplateOverrides;
  /** An override that overrides nothing (svc has no built-in of its name). */
  warnings: string[];
}

/** Reads the service's overrides from its file system (none when the folder is absent). */
export async function readServiceTemplates(fs: FileSystem, settings: Pick<ProjectSettings, 'templates'>): Promise<ServiceTemplates> {
  const dir = templatesDirOf(settings);
  const files = await readTemplateFiles(fs, dir);
  if (files.size === 0) return { warnings: [] };
  // A platform's service is named from the platform's root, where the run started.
  const display = (name: string) => (fs instanceof SubFileSystem ? posix.join(fs.prefix, dir, name) : `${dir}/${name}`);
  const warnings = [...files.keys()]
    .filter((name) => builtinTemplate(name) === undefined)
    .map((name) => `${display(name)}: svc has no built-in template of that name, so it is not used (svc template init lists the ones a service uses)`);
  return { overrides: { files, display }, warnings };
}

/** Every file under the templates folder by name relative to it, leaving out svc's own (`.`-names: the record, `.base/`). */
async function readTemplateFiles(fs: FileSystem, dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const name of await fs.list(rel === '' ? dir : `${dir}/${rel}`)) {
      if (name.startsWith('.')) continue;
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = `${dir}/${path}`;
      if ((await fs.list(full)).length > 0) {
        await walk(path);
        continue;
      }
      const text = await readIfFile(fs, full);
      if (text !== undefined) out.set(path, text);
    }
  };
  await walk('');
  return out;
}

/** A file's text; undefined for an empty folder. */
async function readIfFile(fs: FileSystem, path: string): Promise<string | undefined> {
  try {
    return await fs.read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw err;
  }
}

/** Reads the record of the copies; none yet is an empty one. */
export async function readTemplateRecord(fs: FileSystem, dir: string): Promise<TemplateRecord> {
  const path = `${dir}/${TEMPLATE_RECORD}`;
  const text = await fs.read(path);
  if (text === undefined) return { version: 1, templates: {} };
  try {
    const data = JSON.parse(text) as Partial<TemplateRecord>;
    if (data.version !== 1 || typeof data.templates !== 'object' || data.templates === null) throw new Error('unexpected shape');
    for (const [name, t] of Object.entries(data.templates)) {
      if (typeof t?.svc !== 'string' || typeof t.hash !== 'string') throw new Error(`${name}: needs svc and hash`);
    }
    return { version: 1, templates: { ...data.templates } };
  } catch (err) {
    throw new UserError(`${path} is not a valid record of copied templates (${(err as Error).message}); delete it and run svc template init again`);
  }
}

function serializeRecord(r: TemplateRecord): string {
  const templates = Object.fromEntries(Object.entries(r.templates).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ version: 1, templates }, null, 2)}\n`;
}

export interface TemplateInitOptions {
  /** The service root (for messages). */
  dir: string;
  fs: FileSystem;
  /** Copy only the templates whose name or rendered path matches (`*`, `**`, `{a,b}`). */
  only?: string;
  dryRun?: boolean;
}

export interface TemplateInitResult {
  /** One change per template: create (copied), unchanged (a copy identical to the built-in), skip (the user's, kept). */
  plan: Plan;
  written: string[];
  /** The templates folder, relative to the service root. */
  folder: string;
}

/**
 * `svc template init`: copies the built-in templates the service renders for
 * its settings (its files, its image and manifests) into its templates
 * folder. A copy already there is the user's and is kept; one still
 * identical to the built-in has its record refreshed. All of it lands at
 * once, or nothing.
 */
export async function templateInit(o: TemplateInitOptions): Promise<TemplateInitResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const folder = templatesDirOf(settings);
  const { used } = await recordTemplates(() => generate(settings, contract, { fs: o.fs, dryRun: true }));
  const names = [...used].filter(([name, paths]) => !o.only || selected(o.only, name, paths)).map(([name]) => name).sort();
  if (o.only && names.length === 0) {
    throw new UserError(`--only ${o.only}: no template this service uses matches it (templates are named like service/Makefile.hbs; the files they render, like internal/config/config.go, match too)`);
  }
  const record = await readTemplateRecord(o.fs, folder);
  const changes: PlannedChange[] = [];
  const writes: { path: string; content: string }[] = [];
  for (const name of names) {
    const builtin = builtinTemplate(name)!;
    const path = `${folder}/${name}`;
    const previous = await o.fs.read(path);
    const artifact = { path, content: builtin, owner: 'user' as const };
    if (previous !== undefined && previous !== builtin) {
      changes.push({ action: 'skip', artifact, previous, reason: 'your template: kept (svc template diff shows what changed in the built-in)' });
      continue;
    }
    changes.push(previous === undefined ? { action: 'create', artifact, reason: 'copied from the built-in' } : { action: 'unchanged', artifact, previous, reason: 'as the built-in' });
    record.templates[name] = { svc: SVC_VERSION, hash: hashContent(builtin) };
    if (previous === undefined) writes.push({ path, content: builtin });
    writes.push({ path: `${folder}/${BASE_FOLDER}/${name}`, content: builtin });
  }
  const plan: Plan = { changes, orphans: [], forgotten: [] };
  if (o.dryRun) return { plan, written: [], folder };
  const recordText = serializeRecord(record);
  if ((await o.fs.read(`${folder}/${TEMPLATE_RECORD}`)) !== recordText) writes.push({ path: `${folder}/${TEMPLATE_RECORD}`, content: recordText });
  const written: string[] = [];
  await inTransaction(o.fs, async () => {
    for (const w of writes) {
      if ((await o.fs.read(w.path)) === w.content) continue;
      await o.fs.write(w.path, w.content);
      written.push(w.path);
    }
  });
  return { plan, written, folder };
}

/** Whether `--only` selects a template: by its name (with or without .hbs, with or without `templates/`) or a path it renders. */
function selected(glob: string, name: string, paths: readonly string[]): boolean {
  const bare = name.replace(/\.hbs$/, '');
  return [name, bare, `templates/${name}`, `templates/${bare}`, ...paths].some((p) => matches(glob, p));
}

/** One copied template whose built-in changed since it was copied. */
export interface TemplateChange {
  /** The template's name, e.g. service/Makefile.hbs. */
  name: string;
  /** Its copy, relative to the service root. */
  path: string;
  /** The svc version it was copied from. */
  from: string;
  /** svc has no such built-in any more: the copy is unused. */
  gone?: boolean;
  /** A unified diff from the built-in at copy time (or, without it, the copy) to the built-in now. */
  patch?: string;
  /** What the patch starts from. */
  base?: 'built-in' | 'copy';
}

export interface TemplateDiffResult {
  folder: string;
  changes: TemplateChange[];
  /** Templates in the folder that svc template init did not record: nothing to compare them with. */
  unrecorded: string[];
}

/**
 * `svc template diff`: for each copy whose built-in changed since it was
 * copied, what changed, so that the user can port it to their copy.
 */
export async function templateDiff(o: { dir: string; fs: FileSystem }): Promise<TemplateDiffResult> {
  const { settings } = await readService(o.fs, o.dir);
  return changedTemplates(o.fs, settings);
}

/** The copies of the service whose built-in changed since they were copied (no diff computed when `patches` is false). */
export async function changedTemplates(fs: FileSystem, settings: Pick<ProjectSettings, 'templates'>, patches = true): Promise<TemplateDiffResult> {
  const folder = templatesDirOf(settings);
  const record = await readTemplateRecord(fs, folder);
  const files = await readTemplateFiles(fs, folder);
  const changes: TemplateChange[] = [];
  for (const [name, copied] of Object.entries(record.templates).sort(([a], [b]) => a.localeCompare(b))) {
    const path = `${folder}/${name}`;
    const copy = files.get(name);
    if (copy === undefined) continue; // the user deleted the copy: the built-in is used again
    const now = builtinTemplate(name);
    if (now === undefined) {
      changes.push({ name, path, from: copied.svc, gone: true });
      continue;
    }
    if (hashContent(now) === copied.hash) continue;
    const change: TemplateChange = { name, path, from: copied.svc };
    if (patches) {
      const kept = await fs.read(`${folder}/${BASE_FOLDER}/${name}`);
      const base = kept !== undefined && hashContent(kept) === copied.hash ? kept : undefined;
      change.base = base !== undefined ? 'built-in' : 'copy';
      const label = base !== undefined ? `built-in of svc ${copied.svc}` : 'your copy';
      // Without its `Index:`/`===` lines: the patch starts at `--- a/...`.
      const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, base ?? copy, now, label, `built-in of svc ${SVC_VERSION}`, { context: 3 });
      change.patch = patch.slice(patch.indexOf('--- ')).trimEnd();
    }
    changes.push(change);
  }
  const unrecorded = [...files.keys()].filter((name) => !(name in record.templates)).map((name) => `${folder}/${name}`);
  return { folder, changes, unrecorded };
}

import { posix } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { artifact } from '../render/artifact.js';

/**
 * What keeping a service's Go module path in step with svc.yaml's `module:`
 * takes beyond the generated files: go.mod's module line (go.mod is the
 * user's, but its module line is svc's to keep in step), and the edits the
 * user must make to their own Go files that still import an old path.
 */
export interface ModuleFollowUp {
  /** The change to go.mod's module line, when it differs from svc.yaml's. */
  goMod?: PlannedChange;
  /** `path:line: ...` for each import in a user-owned Go file that no longer resolves, with the exact edit when there is one. */
  edits: string[];
}

/** Go's marker of a generated file (svc's own and protoc's). */
const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.$/m;
/** Folders the go tool ignores or that are not the service's code. */
const SKIPPED = new Set(['vendor', 'node_modules', 'testdata']);

/**
 * Compares go.mod with the module svc.yaml names, and checks every
 * user-owned Go file of the tree as it stands after the plan: an import of
 * the old module path, or of a package of this module that no longer
 * exists, is an edit the user must make. Computed from the files, not
 * remembered: once fixed, the line disappears.
 */
export async function followModule(fs: FileSystem, module: string, plan: Plan): Promise<ModuleFollowUp> {
  const goModText = await fs.read('go.mod');
  if (goModText === undefined) return { edits: [] };
  const declared = /^module\s+"?([^\s"]+)"?\s*$/m.exec(goModText)?.[1];
  const out: ModuleFollowUp = { edits: [] };
  let requires = requiredModules(goModText);
  if (declared !== undefined && declared !== module) {
    const content = goModText.replace(/^module\s+.*$/m, `module ${module}`);
    out.goMod = {
      action: 'overwrite',
      artifact: artifact('go.mod', content),
      previous: goModText,
      reason: `its module line follows svc.yaml (${declared} → ${module}); the rest of go.mod stays yours`,
    };
    requires = requiredModules(content);
  }

  const tree = await finalGoFiles(fs, plan);
  const packages = new Set([...tree.keys()].map((p) => posix.dirname(p)));
  const old = declared !== undefined && declared !== module ? declared : undefined;
  for (const [path, read] of [...tree].sort(([a], [b]) => a.localeCompare(b))) {
    const text = await read();
    if (text === undefined || GENERATED.test(text.slice(0, text.indexOf('\npackage ') >>> 0))) continue;
    for (const { line, importPath } of imports(text)) {
      const edit = importEdit(importPath, { module, old, requires, packages });
      if (edit !== undefined) out.edits.push(`${path}:${line}: ${edit}`);
    }
  }
  return out;
}

interface ImportContext {
  module: string;
  old: string | undefined;
  requires: string[];
  /** Every folder of the module that has Go files after this run. */
  packages: ReadonlySet<string>;
}

/** What to do about one import, or undefined when it resolves (or is none of svc's business). */
function importEdit(path: string, c: ImportContext): string | undefined {
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  if (under(c.module)) {
    const dir = path === c.module ? '.' : path.slice(c.module.length + 1);
    return c.packages.has(dir) ? undefined : `imports "${path}", which is no package of this module any more; import the package that replaced it`;
  }
  if (c.old !== undefined && under(c.old)) {
    return `imports "${path}" from the old module path; change it to "${c.module}${path.slice(c.old.length)}"`;
  }
  const first = path.split('/')[0]!;
  if (!first.includes('.') || c.requires.some(under)) return undefined;
  // An import of no module go.mod requires, naming a package of this module
  // by its tail (the module path changed in an earlier run): say which.
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(i).join('/');
    if (c.packages.has(dir)) return `imports "${path}", which no module in go.mod provides; if it is this service's package, change it to "${c.module}/${dir}"`;
  }
  return undefined;
}

/** The module paths go.mod requires. */
function requiredModules(goMod: string): string[] {
  const out: string[] = [];
  const block = /^require\s*\(([\s\S]*?)^\)/gm;
  for (const m of goMod.matchAll(block)) {
    for (const line of m[1]!.split('\n')) {
      const path = line.trim().split(/\s+/)[0];
      if (path && !path.startsWith('//')) out.push(path);
    }
  }
  for (const m of goMod.matchAll(/^require\s+([^\s(]+)\s/gm)) out.push(m[1]!);
  return out;
}

/** The import paths of a Go file with their 1-based line numbers. */
export function imports(text: string): { line: number; importPath: string }[] {
  const out: { line: number; importPath: string }[] = [];
  const lines = text.split('\n');
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (inBlock) {
      if (l.startsWith(')')) {
        inBlock = false;
        continue;
      }
      const m = /^(?:[\w.]+\s+)?"([^"]+)"/.exec(l);
      if (m) out.push({ line: i + 1, importPath: m[1]! });
      continue;
    }
    if (/^import\s*\($/.test(l)) inBlock = true;
    else {
      const m = /^import\s+(?:[\w.]+\s+)?"([^"]+)"/.exec(l);
      if (m) out.push({ line: i + 1, importPath: m[1]! });
    }
    // Imports come before any declaration.
    if (/^(func|type|var|const)\b/.test(l)) break;
  }
  return out;
}

/**
 * Every Go file of the tree after the plan, with a reader of its final
 * content: the plan's text for the files it writes, the disk's otherwise.
 */
async function finalGoFiles(fs: FileSystem, plan: Plan): Promise<Map<string, () => Promise<string | undefined>>> {
  const files = new Map<string, () => Promise<string | undefined>>();
  const walk = async (dir: string) => {
    for (const name of await fs.list(dir)) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      if (name.endsWith('.go')) files.set(path, () => fs.read(path));
      else if (!name.startsWith('.') && !name.startsWith('_') && !SKIPPED.has(name) && !/\.\w+$/.test(name)) await walk(path);
    }
  };
  await walk('.');
  for (const change of plan.changes) {
    const { path, content } = change.artifact;
    if (!path.endsWith('.go')) continue;
    if (change.action === 'delete') files.delete(path);
    else if (change.action === 'create' || change.action === 'overwrite' || change.action === 'unchanged') files.set(path, async () => content);
  }
  return files;
}

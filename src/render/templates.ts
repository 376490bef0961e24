import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
// A static import, so that the bundle (scripts/build.js) holds it.
import handlebarsRuntime from 'handlebars/runtime.js';
import { codeCache, codeKey } from '../codecache.js';
import { UserError } from '../errors.js';
import { artifact, type Artifact } from './artifact.js';
import { PACKAGE_ROOT } from '../project/root.js';
import { sortImportGroups } from './go/imports.js';

/** The templates folder shipped with the package (next to `src/` and `dist/`). */
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');

const require = createRequire(import.meta.url);

/** The helpers every template may call. */
function registerHelpers(env: typeof Handlebars): typeof Handlebars {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return env;
}

/**
 * Handlebars' runtime, which runs precompiled templates: all a run needs when
 * the code cache holds every built-in template it renders.
 */
const hbs = registerHelpers((handlebarsRuntime as typeof Handlebars).create());

let full: typeof Handlebars | undefined;

/** Handlebars with its compiler, loaded at the first template to compile (a cache miss, a service's override). */
function compiler(): typeof Handlebars {
  full ??= registerHelpers((require('handlebars') as typeof Handlebars).create());
  return full;
}

/**
 * A service's own versions of built-in templates (`svc template init`): the
 * text of each by its name relative to `templates/` (`service/Makefile.hbs`).
 * The pipeline reads them from the service's file system and renders within
 * `withTemplates`, so that rendering stays a function of its input and two
 * services rendered in one process never see each other's.
 */
export interface TemplateOverrides {
  files: ReadonlyMap<string, string>;
  /** How an error names an override: its path from the service root, e.g. `.svc/templates/service/Makefile.hbs`. */
  display(name: string): string;
}

/** What a render scope knows: the overrides, and the templates used so far (when asked). */
interface Scope {
  overrides?: TemplateOverrides;
  /** Template name → the paths it rendered, for `svc template init`. */
  used?: Map<string, string[]>;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs `fn` with a service's template overrides in force (none: the built-ins alone). */
export function withTemplates<T>(overrides: TemplateOverrides | undefined, fn: () => T): T {
  const outer = scope.getStore();
  return scope.run({ ...(outer?.used ? { used: outer.used } : {}), ...(overrides ? { overrides } : {}) }, fn);
}

/**
 * Runs `fn` and returns, with its result, every built-in template it
 * rendered to a file (by name, with the paths it rendered): the templates a
 * service uses for its settings.
 */
export async function recordTemplates<T>(fn: () => Promise<T>): Promise<{ result: T; used: Map<string, string[]> }> {
  const used = new Map<string, string[]>();
  const result = await scope.run({ used }, fn);
  return { result, used };
}

/** The built-in text of a template, or undefined when svc has none of that name. */
export function builtinTemplate(name: string): string | undefined {
  try {
    return readFileSync(join(TEMPLATES_DIR, name), 'utf8');
  } catch {
    return undefined;
  }
}

const builtins = new Map<string, HandlebarsTemplateDelegate>();

/**
 * How every template compiles: no HTML escaping (svc writes code), and a
 * missing variable is an error. Frozen, and copied for Handlebars, which adds
 * its defaults to the options it is given: they are part of the cache key.
 */
const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

/** Compiles a built-in template, through the cache of precompiled ones. */
function compileBuiltin(name: string): HandlebarsTemplateDelegate {
  const text = readFileSync(join(TEMPLATES_DIR, name), 'utf8');
  const key = codeKey(text, hbs.VERSION, COMPILE_OPTIONS);
  // The precompiled source is an object literal of the template's functions.
  const spec = codeCache('templates', (source) => source).load(name, key, () => compiler().precompile(text, { ...COMPILE_OPTIONS }) as unknown as string);
  return hbs.template(spec as TemplateSpecification);
}
const overridden = new Map<string, HandlebarsTemplateDelegate>();

/** The compiled template of a name: the service's override when it has one, else the built-in. */
function template(name: string): { run: HandlebarsTemplateDelegate; override?: string } {
  const text = scope.getStore()?.overrides?.files.get(name);
  if (text !== undefined) {
    let t = overridden.get(text);
    if (!t) {
      t = compiler().compile(text, { ...COMPILE_OPTIONS });
      overridden.set(text, t);
    }
    return { run: t, override: name };
  }
  let t = builtins.get(name);
  if (!t) {
    t = compileBuiltin(name);
    builtins.set(name, t);
  }
  return { run: t };
}

/** Renders a template; an override that does not compile or render is the user's mistake, named by file and line. */
function run(name: string, context: object): string {
  const t = template(name);
  if (t.override === undefined) return t.run(context);
  try {
    return t.run(context);
  } catch (err) {
    const { line, message } = templateError(err as Error & { lineNumber?: number }, scope.getStore()!.overrides!.files.get(name)!);
    throw new UserError(message, { file: scope.getStore()!.overrides!.display(name), ...(line !== undefined ? { line } : {}) });
  }
}

/** The line and a one-line message of a Handlebars compile or render error in `text`. */
export function templateError(err: Error & { lineNumber?: number }, text: string): { line?: number; message: string } {
  const parse = /^Parse error on line (\d+):[\s\S]*\n(Expecting [^\n]*|[^\n]*)$/.exec(err.message);
  if (parse) {
    // The parser stops at the end of the file: the block it still waits for is the one to name.
    const open = parse[2]!.endsWith("got 'EOF'") ? unclosedBlock(text) : undefined;
    if (open) return { line: open.line, message: `template syntax: {{#${open.name}}} is never closed (no {{/${open.name}}})` };
    return { line: Number(parse[1]), message: `template syntax: ${parse[2]}` };
  }
  const strict = /^"([^"]+)" not defined in .* - (\d+):\d+$/.exec(err.message);
  if (strict) return { line: Number(strict[2]), message: `"${strict[1]}" is not in the template's context (the built-in template shows what it has)` };
  const first = err.message.split('\n')[0] ?? String(err);
  // Handlebars ends other messages with ` - line:column`.
  const at = / - (\d+):\d+$/.exec(first);
  if (at) return { line: Number(at[1]), message: `template: ${first.slice(0, at.index)}` };
  return { ...(err.lineNumber !== undefined ? { line: err.lineNumber } : {}), message: `template: ${first}` };
}

/** The last block helper opened and not closed in a template's text, with its 1-based line. */
function unclosedBlock(text: string): { name: string; line: number } | undefined {
  const open: { name: string; line: number }[] = [];
  for (const m of text.matchAll(/\{\{~?\s*([#/])\s*([\w-]+)/g)) {
    if (m[1] === '#') open.push({ name: m[2]!, line: text.slice(0, m.index).split('\n').length });
    else if (open.at(-1)?.name === m[2]) open.pop();
  }
  return open.at(-1);
}

function used(name: string, path: string): void {
  const u = scope.getStore()?.used;
  if (!u) return;
  const paths = u.get(name) ?? [];
  if (!paths.includes(path)) paths.push(path);
  u.set(name, paths);
}

/** Renders one template file (path relative to `templates/`). */
export function renderTemplate(name: string, context: object): string {
  const out = run(name, context);
  used(name, name.replace(/\.hbs$/, ''));
  return out;
}

/**
 * Renders every file of a template tree. Files ending in `.hbs` go through
 * Handlebars, others are copied; `__name__` in a path becomes the service name.
 * A template that renders to nothing but white space is left out. `place`,
 * when given, decides where each output path goes (undefined: left out).
 */
export function renderTree(tree: string, context: { name: string } & object, place?: (path: string) => string | undefined): Artifact[] {
  const root = join(TEMPLATES_DIR, tree);
  const out: Artifact[] = [];
  for (const file of walk(root)) {
    const rel = relative(root, file).split(sep).join('/');
    const name = `${tree}/${rel}`;
    const natural = rel.replace(/\.hbs$/, '').replaceAll('__name__', context.name).replace(/(^|\/)_dot_/g, '$1.');
    const path = place ? place(natural) : natural;
    if (path === undefined) continue;
    const rendered = rel.endsWith('.hbs') ? run(name, context) : (scope.getStore()?.overrides?.files.get(name) ?? readFileSync(file, 'utf8'));
    // Runtime imports may point to another module (a platform's shared/pkg): their order is gofmt's.
    const content = path.endsWith('.go') ? sortImportGroups(rendered) : rendered;
    if (content.trim() === '') continue;
    used(name, path);
    const executable = (statSync(file).mode & 0o111) !== 0;
    out.push(artifact(path, content, executable ? 0o755 : undefined));
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

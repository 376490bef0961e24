import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { artifact, type Artifact } from './artifact.js';
import { sortImportGroups } from './go/imports.js';

/** The templates folder shipped with the package (next to `src/` and `dist/`). */
export const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

const hbs = Handlebars.create();
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);

const cache = new Map<string, HandlebarsTemplateDelegate>();

function compile(file: string): HandlebarsTemplateDelegate {
  let t = cache.get(file);
  if (!t) {
    t = hbs.compile(readFileSync(file, 'utf8'), { noEscape: true, strict: true });
    cache.set(file, t);
  }
  return t;
}

/** Renders one template file (path relative to `templates/`). */
export function renderTemplate(name: string, context: object): string {
  return compile(join(TEMPLATES_DIR, name))(context);
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
    const natural = rel.replace(/\.hbs$/, '').replaceAll('__name__', context.name).replace(/(^|\/)_dot_/g, '$1.');
    const path = place ? place(natural) : natural;
    if (path === undefined) continue;
    const rendered = rel.endsWith('.hbs') ? compile(file)(context) : readFileSync(file, 'utf8');
    // Runtime imports may point to another module (a platform's shared/pkg): their order is gofmt's.
    const content = path.endsWith('.go') ? sortImportGroups(rendered) : rendered;
    if (content.trim() === '') continue;
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

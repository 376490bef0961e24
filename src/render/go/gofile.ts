import { GO_GENERATED_HEADER, artifact, type Artifact } from '../artifact.js';
import { alignColumns, formatDocComments } from './format.js';

/**
 * One Go source file being written: it tracks the imports its code uses, so
 * emitters ask for a package (`f.use('net/http')`) where they need it and the
 * import block comes out complete, grouped and sorted.
 */
export class GoFile {
  private readonly imports = new Map<string, string>();
  private readonly chunks: string[] = [];

  constructor(
    readonly path: string,
    readonly pkg: string,
    private readonly options: { generated: boolean; doc?: string } = { generated: true },
  ) {}

  /** Imports a package and returns the name to qualify its identifiers with. */
  use(importPath: string, alias?: string): string {
    const name = alias ?? defaultName(importPath);
    const existing = this.imports.get(importPath);
    if (existing !== undefined) return existing;
    this.imports.set(importPath, name);
    return name;
  }

  /** Appends a declaration or statement block; blocks are separated by a blank line. */
  add(...lines: string[]): this {
    this.chunks.push(lines.join('\n'));
    return this;
  }

  /** modulePath: the import path prefix(es) of the local group (the service's module; in a platform, also the platform's). */
  render(modulePath: string | readonly string[]): string {
    const parts: string[] = [];
    if (this.options.generated) parts.push(GO_GENERATED_HEADER, '');
    if (this.options.doc) parts.push(...comment(this.options.doc));
    parts.push(`package ${this.pkg}`, '');
    const block = importBlock(this.imports, modulePath);
    if (block) parts.push(block, '');
    parts.push(this.chunks.join('\n\n'));
    return `${formatDocComments(alignColumns(parts.join('\n'))).trimEnd()}\n`;
  }

  toArtifact(modulePath: string | readonly string[]): Artifact {
    return artifact(this.path, this.render(modulePath));
  }
}

function defaultName(importPath: string): string {
  const last = importPath.split('/').pop() ?? importPath;
  if (/^v[0-9]+$/.test(last)) return importPath.split('/').slice(-2)[0]!.replace(/[^A-Za-z0-9_]/g, '');
  return last.replace(/[^A-Za-z0-9_]/g, '');
}

/** Standard library first, then third-party, then the module's own packages, each sorted. */
function importBlock(imports: Map<string, string>, modulePath: string | readonly string[]): string {
  if (imports.size === 0) return '';
  const locals = typeof modulePath === 'string' ? [modulePath] : modulePath;
  const isLocal = (path: string) => locals.some((m) => path === m || path.startsWith(`${m}/`));
  const groups: string[][] = [[], [], []];
  for (const [path, name] of [...imports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const spec = name === defaultName(path) ? `"${path}"` : `${name} "${path}"`;
    const group = isLocal(path) ? 2 : path.split('/')[0]!.includes('.') ? 1 : 0;
    groups[group]!.push(spec);
  }
  const nonEmpty = groups.filter((g) => g.length > 0);
  if (imports.size === 1) return `import ${nonEmpty[0]![0]}`;
  return `import (\n${nonEmpty.map((g) => g.map((s) => `\t${s}`).join('\n')).join('\n\n')}\n)`;
}

/**
 * Lines of a `//` comment, wrapped at about 80 columns, one paragraph per
 * blank line. Contract text is free text: any run of white space (unicode's,
 * as gofmt trims it, so U+0085 too) separates words, and control characters
 * are dropped (NUL is illegal in Go source; the others only garble the
 * comment). What gofmt would rewrite in a doc comment ('' and ``, headings,
 * link definitions) GoFile.render rewrites the same way, for the whole
 * comment group (formatDocComments).
 */
export function comment(text: string, indent = ''): string[] {
  const out: string[] = [];
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x08\x0e-\x1f\x7f\x85]/g, (c) => (c === '\x85' ? ' ' : ''));
  const paragraphs = clean.trim().split(/\n\s*\n/);
  paragraphs.forEach((para, i) => {
    if (i > 0) out.push(`${indent}//`);
    const lines: string[] = [];
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + word.length + 1 > 76) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) lines.push(line);
    out.push(...lines.map((l) => `${indent}// ${l}`));
  });
  return out;
}

/** Text that goes on after a colon: "Gets a product." → "gets a product." (an acronym keeps its case). */
export function continueSentence(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/**
 * A doc comment that starts with the identifier, as Go style wants:
 * "A product in the catalogue." becomes "Product is a product in the catalogue."
 */
export function docComment(ident: string, text: string | undefined, fallback: string, indent = ''): string[] {
  const body = (text ?? '').trim();
  if (!body) return comment(`${ident} ${fallback}`, indent);
  if (body.startsWith(`${ident} `)) return comment(body, indent);
  const lowered = body.charAt(0).toLowerCase() + body.slice(1);
  const verb = /^the\s/i.test(body) ? 'holds' : 'is';
  return comment(`${ident} ${verb} ${lowered}`, indent);
}

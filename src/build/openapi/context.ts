import type { OpenAPIDocument, SourceFile } from '../../load/index.js';
import type { TypeDecl } from '../../model/types.js';
import { UserError } from '../../errors.js';
import { parsePointer, toPointer } from '../../load/source.js';

export type Json = Record<string, unknown>;

/**
 * State shared by the transforms of one build: the document, the named types
 * found so far, and the warnings to report.
 */
export class BuildContext {
  readonly types = new Map<string, TypeDecl>();
  /** Schema pointer → the type name chosen for it, so a schema maps to one type. */
  readonly names = new Map<string, string>();
  /** Inline types by name → the type whose file holds them (see DeclPlacement). */
  readonly owners = new Map<string, string>();
  /** The first type named under an operation (or other non-schema part): the file its siblings join. */
  readonly groupRoots = new Map<string, string>();
  /** Every type name handed out, so a new one never repeats one. */
  readonly takenNames = new Set<string>();
  readonly warnings: string[] = [];

  constructor(
    readonly doc: OpenAPIDocument,
    readonly source: SourceFile,
  ) {}

  private readonly refs = new Map<string, { segments: string[]; pointer: string }>();

  /** A local `$ref`'s segments and normal pointer, parsed once however often it is followed. */
  private parseRef(ref: string): { segments: string[]; pointer: string } {
    let parsed = this.refs.get(ref);
    if (!parsed) {
      const segments = parsePointer(ref);
      parsed = { segments, pointer: toPointer(segments) };
      this.refs.set(ref, parsed);
    }
    return parsed;
  }

  /** Follows a local `$ref` chain to its target, returning the target's pointer too. */
  resolve(value: unknown, at: string): { node: Json; pointer: string } {
    let node = value;
    let pointer = at;
    const seen = new Set<string>();
    while (isObject(node) && typeof node.$ref === 'string') {
      const ref = node.$ref;
      if (!ref.startsWith('#')) throw this.source.error(`${pointer}/$ref`, `unsupported external $ref "${ref}" after bundling`);
      if (seen.has(ref)) throw this.source.error(`${pointer}/$ref`, `$ref cycle through "${ref}"`);
      seen.add(ref);
      const parsed = this.parseRef(ref);
      const target = get(this.doc, parsed.segments);
      if (target === undefined) throw this.source.error(`${pointer}/$ref`, `broken $ref "${ref}": no such target`);
      pointer = parsed.pointer;
      node = target;
    }
    if (!isObject(node)) throw this.source.error(pointer, 'expected an object');
    return { node, pointer };
  }

  error(pointer: string, message: string): UserError {
    return this.source.error(pointer, message);
  }

  private pending: { index: number; pointer: string; message: string }[] = [];

  /** A warning located at `pointer`: its place in the file is looked up by locateWarnings, all at once. */
  warn(pointer: string, message: string): void {
    this.pending.push({ index: this.warnings.length, pointer, message });
    this.warnings.push(message);
  }

  /** Prefixes every warning with the file and line of its pointer. */
  locateWarnings(): void {
    const locations = this.source.locateMany(this.pending.map((p) => p.pointer));
    this.pending.forEach((p, i) => {
      const loc = locations[i]!;
      this.warnings[p.index] = `${loc.file}${loc.line ? `:${loc.line}` : ''}: ${p.message}`;
    });
    this.pending = [];
  }

  private readonly grouped = new Map<string, { pointer: string; items: string[] }>();

  /**
   * A fallback that repeats across a contract (every XML response of an API):
   * noted here, warned once per kind by flushGrouped, with how many and which.
   */
  warnGrouped(kind: string, pointer: string, item: string): void {
    const g = this.grouped.get(kind);
    if (g) g.items.push(item);
    else this.grouped.set(kind, { pointer, items: [item] });
  }

  flushGrouped(): void {
    for (const [kind, { pointer, items }] of this.grouped) {
      const shown = items.slice(0, 3).join(', ');
      const more = items.length > 3 ? `, and ${items.length - 3} more` : '';
      this.warn(pointer, `${kind} (${items.length}): ${shown}${more}`);
    }
    this.grouped.clear();
  }
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(root: unknown, segments: string[]): unknown {
  let node = root;
  for (const s of segments) {
    if (Array.isArray(node)) node = node[Number(s)];
    else if (isObject(node)) node = node[s];
    else return undefined;
  }
  return node;
}

export function ptr(base: string, ...segments: (string | number)[]): string {
  return `${base}/${segments.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

import type { AliasDecl, Constraints, TypeRef } from '../../model/types.js';
import type { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goRawString, goString } from './naming.js';

/**
 * Emits Go statements that check a value against the contract's constraints.
 * Each check returns a *models.ValidationError naming the field's path.
 */
export interface ValueCheck {
  /** Go expression of the value, e.g. `m.Price` or `*m.Description`. */
  expr: string;
  ref: TypeRef;
  constraints: Constraints;
  /** Go expression of the field path, e.g. `"price"` or `fmt.Sprintf("tags[%d]", i)`. */
  path: string;
  /** Name stem for package-level regexp variables. */
  patternVar: string;
  /** How many loops enclose this check: nested loops need their own variables. */
  depth?: number;
}

function loopVars(depth: number): { index: string; item: string; key: string } {
  const index = ['i', 'j', 'k'][depth] ?? `i${depth}`;
  return { index, item: depth === 0 ? 'item' : `item${depth + 1}`, key: depth === 0 ? 'key' : `key${depth + 1}` };
}

/** The package-level declaration of the checks' variables: one `var` or a `var (...)` block. */
export function varDecl(vars: readonly string[]): string[] {
  if (vars.length === 0) return [];
  if (vars.length === 1) return [`var ${vars[0]!.replace('\v', ' ')}`];
  return ['var (', ...vars.map((x) => `\t${x}`), ')'];
}

/**
 * Whether a named type is declared as an alias of time.Time (`type T =
 * time.Time`): a date-time with nothing to check, which keeps time.Time's
 * methods (JSON, UTC) for the handlers and the SQL layer. A checked one is a
 * type of its own, without them.
 */
export function isTimeAlias(decl: AliasDecl): boolean {
  // A scalar's checks are its own: what needsCheck asks of it.
  return decl.type.kind === 'scalar' && decl.type.scalar === 'datetime' && !hasOwnChecks(decl.type, decl.constraints);
}

export class Validation {
  /** Package-level `var` declarations (compiled patterns) the checks need. */
  readonly vars: string[] = [];

  constructor(
    private readonly gm: GoModel,
    private readonly f: GoFile,
  ) {}

  private q(name: string): string {
    return this.f.pkg === 'models' ? name : `${this.f.use(this.gm.modelsPkg)}.${name}`;
  }

  private fail(path: string, reason: string, indent: string): string[] {
    return [`${indent}\treturn ${this.q('Invalid')}(${path}, ${goString(reason)})`];
  }

  /** Whether a value of this type with these constraints needs any check at all. */
  needsCheck(ref: TypeRef, c: Constraints, seen = new Set<string>()): boolean {
    if (hasOwnChecks(ref, c)) return true;
    if (ref.kind === 'array') return this.needsCheck(ref.items, ref.itemConstraints ?? {}, seen);
    if (ref.kind === 'map') return this.needsCheck(ref.values, {}, seen);
    if (ref.kind === 'named') return this.typeNeedsCheck(ref.name, seen);
    return false;
  }

  typeNeedsCheck(name: string, seen = new Set<string>()): boolean {
    if (seen.has(name)) return false;
    seen.add(name);
    const d = this.gm.decl(name);
    if (d.kind === 'enum') return true;
    if (d.kind === 'alias') return this.needsCheck(d.type, d.constraints, seen);
    if (d.kind === 'union') return d.variants.some((v) => this.needsCheck(v.type, v.constraints, seen));
    return d.fields.some((fl) => this.needsCheck(fl.type, fl.constraints, seen));
  }

  /** Statements checking one value; empty when nothing applies. */
  check(v: ValueCheck, indent: string): string[] {
    const out: string[] = [];
    const { ref, constraints: c, expr, path } = v;
    if (ref.kind === 'scalar') {
      if (['string', 'uuid', 'date'].includes(ref.scalar)) out.push(...this.stringChecks(v, indent));
      else if (['int32', 'int64', 'float32', 'float64'].includes(ref.scalar)) out.push(...this.numberChecks(expr, integerBounds(ref.scalar, c), path, indent));
      return out;
    }
    if (ref.kind === 'array') {
      const len = `len(${expr})`;
      if (c.minItems !== undefined && c.minItems > 0) {
        out.push(`${indent}if ${len} < ${c.minItems} {`, ...this.fail(path, `must have at least ${c.minItems} items`, indent), `${indent}}`);
      }
      if (c.maxItems !== undefined) {
        out.push(`${indent}if ${len} > ${c.maxItems} {`, ...this.fail(path, `must have at most ${c.maxItems} items`, indent), `${indent}}`);
      }
      if (this.needsCheck(ref.items, ref.itemConstraints ?? {})) {
        const fmt = this.f.use('fmt');
        const lv = loopVars(v.depth ?? 0);
        const inner = this.check(
          { expr: lv.item, ref: ref.items, constraints: ref.itemConstraints ?? {}, path: indexPath(fmt, path, lv.index, '%d'), patternVar: `${v.patternVar}Item`, depth: (v.depth ?? 0) + 1 },
          `${indent}\t`,
        );
        if (inner.length > 0) out.push(`${indent}for ${lv.index}, ${lv.item} := range ${expr} {`, ...inner, `${indent}}`);
      }
      return out;
    }
    if (ref.kind === 'map') {
      if (this.needsCheck(ref.values, {})) {
        const fmt = this.f.use('fmt');
        const lv = loopVars(v.depth ?? 0);
        const inner = this.check(
          { expr: lv.item, ref: ref.values, constraints: {}, path: indexPath(fmt, path, lv.key, '%q'), patternVar: `${v.patternVar}Value`, depth: (v.depth ?? 0) + 1 },
          `${indent}\t`,
        );
        if (inner.length > 0) out.push(`${indent}for ${lv.key}, ${lv.item} := range ${expr} {`, ...inner, `${indent}}`);
      }
      return out;
    }
    if (ref.kind === 'named') {
      const d = this.gm.decl(ref.name);
      // Methods are callable through a pointer: no need to dereference.
      const recv = expr.startsWith('*') ? expr.slice(1) : expr;
      if (d.kind === 'enum') {
        const allowed = d.values.map((x) => String(x.value)).join(', ');
        out.push(`${indent}if !${recv}.Valid() {`, ...this.fail(path, `must be one of ${allowed}`, indent), `${indent}}`);
      } else if (this.typeNeedsCheck(ref.name)) {
        const wrapped = path === '""' ? 'err' : `${this.q('Within')}(${path}, err)`;
        out.push(`${indent}if err := ${recv}.Validate(); err != nil {`, `${indent}\treturn ${wrapped}`, `${indent}}`);
      }
    }
    return out;
  }

  private stringChecks(v: ValueCheck, indent: string): string[] {
    const { expr, constraints: c, path } = v;
    const out: string[] = [];
    const str = v.ref.kind === 'scalar' ? expr : `string(${expr})`;
    const min = c.minLength ?? 0;
    if (min > 0 || c.maxLength !== undefined) {
      const n = `${this.f.use('unicode/utf8')}.RuneCountInString(${str})`;
      if (min > 0 && c.maxLength !== undefined) {
        out.push(`${indent}if n := ${n}; n < ${min} || n > ${c.maxLength} {`, ...this.fail(path, lengthReason(min, c.maxLength), indent), `${indent}}`);
      } else if (min > 0) {
        out.push(`${indent}if ${n} < ${min} {`, ...this.fail(path, `must be at least ${min} characters long`, indent), `${indent}}`);
      } else {
        out.push(`${indent}if ${n} > ${c.maxLength} {`, ...this.fail(path, `must be at most ${c.maxLength} characters long`, indent), `${indent}}`);
      }
    }
    if (c.pattern !== undefined && isRE2(c.pattern)) {
      const name = this.gm.packageVar(this.f.pkg, `${v.patternVar}Pattern`);
      this.vars.push(`${name}\v= ${this.f.use('regexp')}.MustCompile(${goRawString(re2Pattern(c.pattern))})`);
      out.push(`${indent}if !${name}.MatchString(${str}) {`, ...this.fail(path, `must match ${c.pattern}`, indent), `${indent}}`);
    }
    const format = c.format;
    if (format === 'uuid' || format === 'date') {
      const fn = format === 'uuid' ? 'IsUUID' : 'IsDate';
      out.push(`${indent}if !${this.q(fn)}(${str}) {`, ...this.fail(path, format === 'uuid' ? 'must be a UUID' : 'must be a date (YYYY-MM-DD)', indent), `${indent}}`);
    }
    return out;
  }

  private numberChecks(expr: string, c: Constraints, path: string, indent: string): string[] {
    const out: string[] = [];
    if (c.minimum !== undefined) {
      const op = c.exclusiveMinimum ? '<=' : '<';
      const reason = c.exclusiveMinimum ? `must be > ${c.minimum}` : `must be >= ${c.minimum}`;
      out.push(`${indent}if ${expr} ${op} ${c.minimum} {`, ...this.fail(path, reason, indent), `${indent}}`);
    }
    if (c.maximum !== undefined) {
      const op = c.exclusiveMaximum ? '>=' : '>';
      const reason = c.exclusiveMaximum ? `must be < ${c.maximum}` : `must be <= ${c.maximum}`;
      out.push(`${indent}if ${expr} ${op} ${c.maximum} {`, ...this.fail(path, reason, indent), `${indent}}`);
    }
    return out;
  }
}

/** `"tags"` + i → `fmt.Sprintf("tags[%d]", i)`; a computed path is formatted in. */
function indexPath(fmt: string, path: string, index: string, verb: string): string {
  if (/^"[^"%\\]*"$/.test(path)) return `${fmt}.Sprintf("${path.slice(1, -1)}[${verb}]", ${index})`;
  return `${fmt}.Sprintf("%s[${verb}]", ${path}, ${index})`;
}

const INT_RANGE: Record<string, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1] };

/**
 * Bounds an integer can be compared with: fractional bounds rounded inwards
 * (x >= 1.5 is x >= 2), bounds beyond the type's range dropped (they always hold).
 */
function integerBounds(scalar: string, c: Constraints): Constraints {
  const range = INT_RANGE[scalar];
  if (!range) return c;
  const out = { ...c };
  if (out.minimum !== undefined) {
    let min = out.exclusiveMinimum ? Math.floor(out.minimum) + 1 : Math.ceil(out.minimum);
    delete out.exclusiveMinimum;
    if (min <= range[0] || !Number.isSafeInteger(min)) delete out.minimum;
    else out.minimum = Math.min(min, range[1]);
  }
  if (out.maximum !== undefined) {
    const max = out.exclusiveMaximum ? Math.ceil(out.maximum) - 1 : Math.floor(out.maximum);
    delete out.exclusiveMaximum;
    if (max >= range[1] || !Number.isSafeInteger(max)) delete out.maximum;
    else out.maximum = Math.max(max, range[0]);
  }
  return out;
}

function hasOwnChecks(ref: TypeRef, c: Constraints): boolean {
  if (ref.kind === 'scalar') {
    if (['string', 'uuid', 'date'].includes(ref.scalar)) {
      return (c.minLength ?? 0) > 0 || c.maxLength !== undefined || (c.pattern !== undefined && isRE2(c.pattern)) || c.format === 'uuid' || c.format === 'date';
    }
    if (['int32', 'int64', 'float32', 'float64'].includes(ref.scalar)) {
      const b = integerBounds(ref.scalar, c);
      return b.minimum !== undefined || b.maximum !== undefined;
    }
    return false;
  }
  if (ref.kind === 'array') return (c.minItems ?? 0) > 0 || c.maxItems !== undefined;
  return false;
}

function lengthReason(min: number, max: number): string {
  return min === max ? `must be exactly ${min} characters long` : `must be ${min} to ${max} characters long`;
}

/**
 * An ECMA-262 pattern (what OpenAPI writes) in RE2's syntax where the two
 * spell the same thing differently: a code point escape `\u0000` or
 * `\u{1F600}` is RE2's `\x{0000}` (RE2 refuses `\u`, and MustCompile would
 * panic when the package loads).
 */
export function re2Pattern(pattern: string): string {
  return pattern.replace(/(?<!\\)((?:\\\\)*)\\u(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4}))/g, (_, lead: string, braced?: string, four?: string) => `${lead}\\x{${braced ?? four}}`);
}

/** Whether Go's RE2 accepts the pattern: no lookaround, no backreferences, no repeat count above 1000. */
export function isRE2(pattern: string): boolean {
  return !/\(\?[=!<]|\\[1-9]|\\k</.test(pattern) && maxRepeat(pattern) <= 1000;
}

/** The largest repeat count (`{n}`, `{n,m}`) a pattern writes. */
export function maxRepeat(pattern: string): number {
  let largest = 0;
  for (const m of pattern.matchAll(/(?<!\\)\{(\d+)(?:,(\d*))?\}/g)) {
    for (const n of [m[1], m[2]]) if (n) largest = Math.max(largest, Number(n));
  }
  return largest;
}

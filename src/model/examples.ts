import { createRequire } from 'node:module';
import type RandExpType from 'randexp';
import type { Constraints, Field, TypeDecl, TypeRef } from './types.js';

/** randexp (with ret and drange), loaded at the first pattern an example must satisfy. */
let RandExp: typeof RandExpType | undefined;
function randExp(): typeof RandExpType {
  RandExp ??= createRequire(import.meta.url)('randexp') as typeof RandExpType;
  return RandExp;
}

/**
 * Builds a JSON value that satisfies a type and its constraints, preferring
 * the contract's own examples and defaults. Used to write valid requests for
 * generated tests. Read-only fields are left out: they are what servers set.
 */
export function exampleFor(ref: TypeRef, types: ReadonlyMap<string, TypeDecl>, constraints: Constraints = {}, depth = 0): unknown {
  switch (ref.kind) {
    case 'scalar':
      return scalarExample(ref.scalar, constraints);
    case 'array': {
      const count = Math.max(constraints.minItems ?? 0, depth > 2 ? 0 : 1);
      return Array.from({ length: count }, () => exampleFor(ref.items, types, ref.itemConstraints ?? {}, depth + 1));
    }
    case 'map':
      return {};
    case 'any':
      return {};
    case 'named': {
      const decl = types.get(ref.name);
      if (!decl) return null;
      if (decl.kind === 'enum') return decl.values[0]?.value ?? '';
      if (decl.kind === 'alias') return exampleFor(decl.type, types, decl.constraints, depth + 1);
      if (decl.kind === 'union') {
        const first = decl.variants[0];
        if (!first) return null;
        const value = exampleFor(first.type, types, {}, depth);
        if (decl.discriminator && first.tags[0] !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
          return { ...value, [decl.discriminator]: first.tags[0] };
        }
        return value;
      }
      // A schema that requires itself (directly or not) ends in null rather than never.
      if (depth > 6) return null;
      return objectExample(decl.fields, types, depth);
    }
  }
}

function objectExample(fields: Field[], types: ReadonlyMap<string, TypeDecl>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.readOnly) continue;
    if (!f.required && depth > 1) continue;
    if (f.example !== undefined) out[f.name] = f.example;
    else if (f.default !== undefined) out[f.name] = f.default;
    else out[f.name] = exampleFor(f.type, types, f.constraints, depth + 1);
  }
  return out;
}

function scalarExample(scalar: string, c: Constraints): unknown {
  switch (scalar) {
    case 'bool':
      return true;
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64': {
      let n = c.minimum !== undefined ? c.minimum + (c.exclusiveMinimum ? 1 : 0) : 1;
      if (c.maximum !== undefined && n > c.maximum) n = c.maximum - (c.exclusiveMaximum ? 1 : 0);
      return scalar.startsWith('int') ? Math.ceil(n) : n;
    }
    case 'datetime':
      return '2024-01-02T15:04:05Z';
    case 'date':
      return '2024-01-02';
    case 'uuid':
      return '3f2c1a7e-9b4d-4c8e-8f21-6d5a0b7c9e10';
    case 'bytes':
      return 'ZXhhbXBsZQ==';
    default:
      return stringExample(c);
  }
}

function stringExample(c: Constraints): string {
  const min = c.minLength ?? 0;
  const max = c.maxLength ?? Infinity;
  const fits = (s: string) => s.length >= min && s.length <= max;
  let s = 'example';
  if (s.length < min) s = s.padEnd(min, 'x');
  if (s.length > max) s = s.slice(0, max);
  if (c.pattern === undefined) return s;
  let re: RegExp;
  try {
    re = new RegExp(c.pattern, 'u');
  } catch {
    return s;
  }
  if (re.test(s) && fits(s)) return s;
  // A huge least repeat count ({1e400}) makes a string no one wants, or never ends.
  if ([...c.pattern.matchAll(/(?<!\\)\{(\d+)/g)].some((m) => Number(m[1]) > 1000)) return s;
  // The shortest string the pattern makes, choosing the first option everywhere:
  // deterministic, so golden files stay stable.
  const gen = new (randExp())(re);
  gen.max = Math.max(min, 1);
  gen.randInt = (from: number) => from;
  for (let attempt = 0; attempt < 3; attempt++) {
    const candidate = gen.gen();
    if (re.test(candidate) && fits(candidate)) return candidate;
    gen.randInt = (from: number, to: number) => Math.min(to, from + attempt + 1);
  }
  return s;
}

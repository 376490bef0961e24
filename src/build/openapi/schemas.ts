import type { Constraints, EnumDecl, Field, ObjectDecl, ScalarKind, TypeRef, UnionDecl } from '../../model/types.js';
import { pascal } from '../../model/names.js';
import { BuildContext, isObject, ptr, type Json } from './context.js';

const COMPONENT_PREFIX = '#/components/schemas/';

/** Converts every schema under components/schemas to a named type. */
export function buildComponentSchemas(ctx: BuildContext): void {
  const schemas = ctx.doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas).sort()) {
    namedTypeFor(ctx, `${COMPONENT_PREFIX}${escape(name)}`, name);
  }
}

/**
 * The type reference for a schema found at `pointer`. Inline objects and enums
 * become named types called `nameHint`; references keep the target's name.
 */
export function typeRefOf(ctx: BuildContext, schema: unknown, pointer: string, nameHint: string): TypeRef {
  if (isObject(schema) && typeof schema.$ref === 'string') {
    const { pointer: target } = ctx.resolve(schema, pointer);
    if (target.startsWith(COMPONENT_PREFIX)) {
      return { kind: 'named', name: namedTypeFor(ctx, target, unescape(target.slice(COMPONENT_PREFIX.length))) };
    }
    const { node } = ctx.resolve(schema, pointer);
    return typeRefOf(ctx, node, target, nameHint);
  }
  if (!isObject(schema)) return { kind: 'any' };
  return inlineType(ctx, schema, pointer, nameHint);
}

function inlineType(ctx: BuildContext, s: Json, pointer: string, nameHint: string): TypeRef {
  assertSatisfiable(ctx, s, pointer);
  if (Array.isArray(s.enum) || isObjectSchema(s) || Array.isArray(s.allOf)) {
    return { kind: 'named', name: namedTypeFor(ctx, pointer, nameHint, s) };
  }
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    const only = singleVariant(ctx, s, pointer);
    if (only) return typeRefOf(ctx, only.schema, only.pointer, nameHint);
    return { kind: 'named', name: namedTypeFor(ctx, pointer, nameHint, s) };
  }
  const type = schemaType(s);
  switch (type) {
    case 'array':
    {
      const items = typeRefOf(ctx, s.items, ptr(pointer, 'items'), `${nameHint}Item`);
      const itemConstraints = isObject(s.items) && typeof s.items.$ref !== 'string' ? constraintsOf(s.items) : {};
      return Object.keys(itemConstraints).length > 0 ? { kind: 'array', items, itemConstraints } : { kind: 'array', items };
    }
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { kind: 'scalar', scalar: scalarOf(type, s.format) };
    case 'object':
      if (isObject(s.additionalProperties)) {
        return { kind: 'map', values: typeRefOf(ctx, s.additionalProperties, ptr(pointer, 'additionalProperties'), `${nameHint}Value`) };
      }
      return { kind: 'map', values: { kind: 'any' } };
    default:
      return { kind: 'any' };
  }
}

/**
 * An inline schema's type goes into the file of what it is nested in: the
 * component schema around it, or the first type named under the same
 * operation (or response, parameter...). GitHub's contract has some 900
 * components and 6,000 inline schemas: one file each would be 7,000 files.
 */
function placeInline(ctx: BuildContext, pointer: string, name: string): void {
  const component = /^#\/components\/schemas\/([^/]+)\/./.exec(pointer);
  const parts = pointer.split('/');
  if (!component && parts.length <= 4) return;
  const key = component ? `${COMPONENT_PREFIX}${component[1]}` : parts.slice(0, 4).join('/');
  const owner = ctx.names.get(key) ?? ctx.groupRoots.get(key);
  if (owner === undefined) ctx.groupRoots.set(key, name);
  else if (owner !== name) ctx.owners.set(name, owner);
}

/** Registers (once) the named type for the schema at `pointer` and returns its name. */
function namedTypeFor(ctx: BuildContext, pointer: string, nameHint: string, inline?: Json): string {
  const known = ctx.names.get(pointer);
  if (known) return known;
  const name = uniqueName(ctx, pascal(nameHint) || 'Schema');
  ctx.names.set(pointer, name);
  placeInline(ctx, pointer, name);
  const schema = inline ?? ctx.resolve({ $ref: pointer }, pointer).node;
  assertSatisfiable(ctx, schema, pointer);
  const description = typeof schema.description === 'string' ? schema.description : undefined;

  if (Array.isArray(schema.enum)) {
    const isInt = schemaType(schema) === 'integer';
    const decl: EnumDecl = {
      kind: 'enum',
      name,
      base: isInt ? 'int' : 'string',
      // Each value once: contracts repeat values, and Go rejects duplicate cases.
      values: [...new Set(schema.enum.filter((v) => v !== null).map((v) => (isInt ? Number(v) : String(v))))].map((value) => ({ value })),
    };
    if (description) decl.description = description;
    ctx.types.set(name, decl);
    return name;
  }
  if ((Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) && !isObjectSchema(schema)) {
    const only = singleVariant(ctx, schema, pointer);
    if (only) {
      const decl = { kind: 'alias' as const, name, type: { kind: 'any' } as TypeRef, constraints: {} };
      ctx.types.set(name, decl);
      decl.type = typeRefOf(ctx, only.schema, only.pointer, `${name}Value`);
      if (description) Object.assign(decl, { description });
      return name;
    }
    const decl: UnionDecl = { kind: 'union', name, variants: [] };
    if (description) decl.description = description;
    ctx.types.set(name, decl);
    buildUnion(ctx, decl, schema, pointer);
    return name;
  }
  if (isObjectSchema(schema) || Array.isArray(schema.allOf)) {
    const decl: ObjectDecl = { kind: 'object', name, fields: [] };
    if (description) decl.description = description;
    ctx.types.set(name, decl); // registered before fields so recursive schemas terminate
    decl.fields = objectFields(ctx, schema, pointer, name);
    if (schema.additionalProperties === false) decl.closed = true;
    return name;
  }
  const decl = { kind: 'alias' as const, name, type: { kind: 'any' } as TypeRef, constraints: constraintsOf(schema) };
  ctx.types.set(name, decl);
  decl.type = inlineType(ctx, schema, pointer, `${name}Value`);
  if (description) Object.assign(decl, { description });
  return name;
}

/** The variants of a oneOf/anyOf other than `null` (which makes the value nullable). */
function variantsOf(s: Json, pointer: string): { schema: unknown; pointer: string }[] {
  const key = Array.isArray(s.oneOf) ? 'oneOf' : 'anyOf';
  const list = s[key] as unknown[];
  return list
    .map((v, i) => ({ schema: v, pointer: ptr(pointer, key, i) }))
    .filter(({ schema }) => !(isObject(schema) && (schema.type === 'null' || (schema.enum?.toString() === '' && schema.nullable === true))));
}

function singleVariant(ctx: BuildContext, s: Json, pointer: string): { schema: unknown; pointer: string } | undefined {
  const vs = variantsOf(s, pointer);
  if (vs.length === 0) ctx.warn(pointer, 'oneOf/anyOf without variants; using a free-form value');
  return vs.length === 1 ? vs[0] : vs.length === 0 ? { schema: {}, pointer } : undefined;
}

function buildUnion(ctx: BuildContext, decl: UnionDecl, schema: Json, pointer: string): void {
  const disc = isObject(schema.discriminator) ? schema.discriminator : undefined;
  const mapping = disc && isObject(disc.mapping) ? (disc.mapping as Record<string, unknown>) : {};
  if (disc && typeof disc.propertyName === 'string') decl.discriminator = disc.propertyName;
  variantsOf(schema, pointer).forEach(({ schema: v, pointer: at }, i) => {
    const type = typeRefOf(ctx, v, at, `${decl.name}Variant${i + 1}`);
    const tags: string[] = [];
    if (decl.discriminator && isObject(v) && typeof v.$ref === 'string') {
      const ref = v.$ref;
      for (const [value, target] of Object.entries(mapping)) {
        if (target === ref || (typeof target === 'string' && !target.startsWith('#') && ref.endsWith(`/${target}`))) tags.push(value);
      }
      // Without a mapping entry, the schema's own name is the value.
      if (tags.length === 0) tags.push(ref.slice(ref.lastIndexOf('/') + 1));
    }
    const inline = isObject(v) && typeof v.$ref !== 'string' ? constraintsOf(v) : {};
    decl.variants.push({ type, tags, constraints: inline });
  });
  if (decl.discriminator && decl.variants.some((v) => v.tags.length === 0)) {
    ctx.warn(pointer, `${decl.name}: discriminator "${decl.discriminator}" with inline variants; decoding tries the variants in order`);
    delete decl.discriminator;
  }
}

function objectFields(ctx: BuildContext, schema: Json, pointer: string, owner: string): Field[] {
  const fields: Field[] = [];
  const required = new Set<string>();
  const parts: { node: Json; pointer: string }[] = [];
  if (Array.isArray(schema.allOf)) {
    schema.allOf.forEach((part, i) => parts.push(ctx.resolve(part, ptr(pointer, 'allOf', i))));
  }
  parts.push({ node: schema, pointer });
  for (const part of parts) {
    if (Array.isArray(part.node.required)) for (const r of part.node.required) required.add(String(r));
    const props = isObject(part.node.properties) ? part.node.properties : {};
    for (const [name, prop] of Object.entries(props)) {
      const at = ptr(part.pointer, 'properties', name);
      const resolved = isObject(prop) && typeof prop.$ref === 'string' ? ctx.resolve(prop, at).node : isObject(prop) ? prop : {};
      const field: Field = {
        name,
        type: typeRefOf(ctx, prop, at, `${owner}${pascal(name)}`),
        required: false,
        nullable: allowsNull(ctx, prop, at) || allowsNull(ctx, resolved, at),
        readOnly: resolved.readOnly === true || (isObject(prop) && prop.readOnly === true),
        constraints: constraintsOf(resolved),
      };
      const description = (isObject(prop) && typeof prop.description === 'string' ? prop.description : undefined) ?? (typeof resolved.description === 'string' ? resolved.description : undefined);
      if (description) field.description = description;
      if (resolved.example !== undefined) field.example = resolved.example;
      if (resolved.default !== undefined) field.default = resolved.default;
      const existing = fields.findIndex((f) => f.name === name);
      if (existing >= 0) fields[existing] = field;
      else fields.push(field);
    }
  }
  for (const f of fields) f.required = required.has(f.name);
  return fields;
}

/**
 * Whether a property's schema admits null: `nullable: true` (3.0), a `null`
 * type (3.1), a `null` variant of its oneOf/anyOf, or null among its enum values.
 */
function allowsNull(ctx: BuildContext, s: unknown, pointer: string, depth = 0): boolean {
  if (!isObject(s) || depth > 8) return false;
  if (s.nullable === true || s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null'))) return true;
  if (Array.isArray(s.enum) && s.enum.includes(null)) return true;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    if (list.some((v, i) => allowsNull(ctx, isObject(v) && typeof v.$ref === 'string' ? ctx.resolve(v, ptr(pointer, key, i)).node : v, ptr(pointer, key, i), depth + 1))) return true;
  }
  return false;
}

/**
 * A schema no value can satisfy cannot be represented by any Go type: a lower
 * bound above its upper bound, or an allOf whose parts demand different types.
 * Such a contract is an error (file, line and pointer), not a fallback.
 */
function assertSatisfiable(ctx: BuildContext, s: Json, pointer: string): void {
  const bounds: [string, string][] = [
    ['minimum', 'maximum'],
    ['minLength', 'maxLength'],
    ['minItems', 'maxItems'],
    ['minProperties', 'maxProperties'],
  ];
  for (const [lo, hi] of bounds) {
    const min = s[lo];
    const max = s[hi];
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      throw ctx.error(ptr(pointer, lo), `${lo} ${min} is greater than ${hi} ${max}: no value satisfies the schema`);
    }
  }
  if (!Array.isArray(s.allOf)) return;
  const types: { type: string; at: string }[] = [];
  const own = explicitType(s);
  if (own) types.push({ type: own, at: pointer });
  s.allOf.forEach((part, i) => {
    const { node, pointer: at } = ctx.resolve(part, ptr(pointer, 'allOf', i));
    const type = explicitType(node);
    if (type) types.push({ type, at });
  });
  const number = (t: string) => (t === 'integer' ? 'number' : t);
  const clash = types.find((t) => number(t.type) !== number(types[0]!.type));
  if (clash) {
    throw ctx.error(ptr(pointer, 'allOf'), `allOf combines type "${types[0]!.type}" (${types[0]!.at}) with type "${clash.type}" (${clash.at}): no value is both`);
  }
}

/** The one non-null `type` a schema states, if it states exactly one. */
function explicitType(s: Json): string | undefined {
  if (typeof s.type === 'string') return s.type === 'null' ? undefined : s.type;
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    return types.length === 1 ? String(types[0]) : undefined;
  }
  return undefined;
}

export function constraintsOf(s: Json): Constraints {
  const c: Constraints = {};
  const num = (k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  const set = <K extends keyof Constraints>(k: K, v: Constraints[K] | undefined) => {
    if (v !== undefined) c[k] = v;
  };
  set('minLength', num('minLength'));
  set('maxLength', num('maxLength'));
  set('minimum', num('minimum'));
  set('maximum', num('maximum'));
  set('minItems', num('minItems'));
  set('maxItems', num('maxItems'));
  if (typeof s.pattern === 'string') c.pattern = s.pattern;
  if (typeof s.format === 'string') c.format = s.format;
  // OpenAPI 3.0 booleans; 3.1 numbers.
  if (s.exclusiveMinimum === true) c.exclusiveMinimum = true;
  if (s.exclusiveMaximum === true) c.exclusiveMaximum = true;
  if (typeof s.exclusiveMinimum === 'number') Object.assign(c, { minimum: s.exclusiveMinimum, exclusiveMinimum: true });
  if (typeof s.exclusiveMaximum === 'number') Object.assign(c, { maximum: s.exclusiveMaximum, exclusiveMaximum: true });
  return c;
}

export function schemaType(s: Json): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') as string | undefined;
  if (isObject(s.properties)) return 'object';
  return undefined;
}

function isObjectSchema(s: Json): boolean {
  return isObject(s.properties) && (s.type === undefined || schemaType(s) === 'object');
}

function scalarOf(type: string, format: unknown): ScalarKind {
  switch (type) {
    case 'integer':
      return format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return format === 'float' ? 'float32' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      switch (format) {
        case 'date-time':
          return 'datetime';
        case 'date':
          return 'date';
        case 'uuid':
          return 'uuid';
        case 'byte':
        case 'binary':
          return 'bytes';
        default:
          return 'string';
      }
  }
}

function uniqueName(ctx: BuildContext, base: string): string {
  let name = base;
  for (let i = 2; ctx.types.has(name) || ctx.takenNames.has(name); i++) name = `${base}${i}`;
  ctx.takenNames.add(name);
  return name;
}

function escape(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescape(name: string): string {
  return name.replaceAll('~1', '/').replaceAll('~0', '~');
}

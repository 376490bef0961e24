import type { Constraints, EnumDecl, Field, ObjectDecl, ScalarKind, TypeRef } from '../../model/types.js';
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
  if (Array.isArray(s.enum) || isObjectSchema(s) || Array.isArray(s.allOf)) {
    return { kind: 'named', name: namedTypeFor(ctx, pointer, nameHint, s) };
  }
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    ctx.warn(pointer, `${nameHint}: oneOf/anyOf is not supported yet; using a free-form value`);
    return { kind: 'any' };
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

/** Registers (once) the named type for the schema at `pointer` and returns its name. */
function namedTypeFor(ctx: BuildContext, pointer: string, nameHint: string, inline?: Json): string {
  const known = ctx.names.get(pointer);
  if (known) return known;
  const name = uniqueName(ctx, pascal(nameHint) || 'Schema');
  ctx.names.set(pointer, name);
  const schema = inline ?? ctx.resolve({ $ref: pointer }, pointer).node;
  const description = typeof schema.description === 'string' ? schema.description : undefined;

  if (Array.isArray(schema.enum)) {
    const isInt = schemaType(schema) === 'integer';
    const decl: EnumDecl = {
      kind: 'enum',
      name,
      base: isInt ? 'int' : 'string',
      values: schema.enum.filter((v) => v !== null).map((v) => ({ value: isInt ? Number(v) : String(v) })),
    };
    if (description) decl.description = description;
    ctx.types.set(name, decl);
    return name;
  }
  if (isObjectSchema(schema) || Array.isArray(schema.allOf)) {
    const decl: ObjectDecl = { kind: 'object', name, fields: [] };
    if (description) decl.description = description;
    ctx.types.set(name, decl); // registered before fields so recursive schemas terminate
    decl.fields = objectFields(ctx, schema, pointer, name);
    return name;
  }
  const decl = { kind: 'alias' as const, name, type: { kind: 'any' } as TypeRef, constraints: constraintsOf(schema) };
  ctx.types.set(name, decl);
  decl.type = inlineType(ctx, schema, pointer, `${name}Value`);
  if (description) Object.assign(decl, { description });
  return name;
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
        nullable: resolved.nullable === true || (Array.isArray(resolved.type) && resolved.type.includes('null')),
        readOnly: resolved.readOnly === true,
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
  for (let i = 2; ctx.types.has(name) || [...ctx.names.values()].includes(name); i++) name = `${base}${i}`;
  return name;
}

function escape(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescape(name: string): string {
  return name.replaceAll('~1', '/').replaceAll('~0', '~');
}

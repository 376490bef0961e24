import RandExp from 'randexp';

/**
 * Reads an OpenAPI document (the parsed YAML, no generator code involved) the
 * way a client would: finds its resources and writes example request bodies
 * from their schemas, so a field added to the contract is exercised without
 * the test naming it. Used by the contract-evolution tests.
 */

export type Schema = Record<string, unknown>;
type Doc = Record<string, unknown>;

/** A collection the contract serves: create, get and list, and update when it has one. */
export interface ResourceApi {
  /** `/products`: POST creates, GET lists. */
  collection: string;
  /** `/products/{id}`: GET reads, PATCH (when present) updates. */
  item: string;
  /** The item path's parameter, e.g. `id`. */
  param: string;
  /** The schema a created, read or listed item has. */
  schema: Schema;
  create: Schema;
  update?: Schema;
  /** The list response's array property, e.g. `items`. */
  listKey: string;
  /** The list operation's page-size and page-token query parameters. */
  pageSize?: string;
  pageToken?: string;
  /** The list response's next-page token property. */
  nextToken?: string;
  /** The operationIds of the standard methods. */
  ops: Record<'create' | 'get' | 'list' | 'update', string | undefined>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Follows `$ref`s (`#/components/schemas/X`, names may contain dots) and merges `allOf`. */
export function resolve(doc: Doc, schema: Schema | undefined): Schema {
  if (!schema) return {};
  let s = schema;
  for (let hops = 0; typeof s.$ref === 'string' && hops < 20; hops++) {
    const parts = s.$ref.replace(/^#\//, '').split('/');
    let node: unknown = doc;
    for (const p of parts) node = (node as Record<string, unknown> | undefined)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!node) throw new Error(`unresolved $ref ${s.$ref}`);
    s = node as Schema;
  }
  // A described or constrained $ref (`allOf: [$ref]` beside a description, readOnly or `not`) is that schema.
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && s.type === undefined && s.properties === undefined) {
    const { allOf, ...rest } = s;
    return { ...resolve(doc, (allOf as Schema[])[0]), ...rest };
  }
  // Alternatives without a type of their own (a proto integer as a number or a string): the first, the form written.
  if (Array.isArray(s.anyOf) && s.type === undefined && s.anyOf.length > 0) {
    const { anyOf, ...rest } = s;
    return { ...resolve(doc, (anyOf as Schema[])[0]), ...rest };
  }
  if (Array.isArray(s.allOf)) {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf as Schema[]) {
      const r = resolve(doc, part);
      Object.assign(merged.properties as object, r.properties ?? {});
      (merged.required as string[]).push(...((r.required as string[] | undefined) ?? []));
    }
    return merged;
  }
  return s;
}

export function properties(doc: Doc, schema: Schema): [string, Schema][] {
  return Object.entries((resolve(doc, schema).properties as Record<string, Schema> | undefined) ?? {});
}

function jsonBody(op: Record<string, unknown> | undefined): Schema | undefined {
  const content = (op?.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
  return content?.['application/json']?.schema;
}

function okResponse(op: Record<string, unknown> | undefined): Schema | undefined {
  const responses = (op?.responses ?? {}) as Record<string, { content?: Record<string, { schema?: Schema }> }>;
  const code = Object.keys(responses).find((c) => /^2\d\d$/.test(c) && responses[c]?.content);
  return code ? responses[code]!.content!['application/json']?.schema : undefined;
}

/**
 * The resources of a contract: every path with POST and GET whose item path
 * (one `{param}` segment more) has GET.
 */
export function resourcesOf(doc: Doc): ResourceApi[] {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const out: ResourceApi[] = [];
  for (const [collection, ops] of Object.entries(paths)) {
    if (!ops.post || !ops.get) continue;
    const itemPath = Object.keys(paths).find((p) => new RegExp(`^${collection.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}/\\{[^}/]+\\}$`).test(p) && paths[p]!.get);
    if (!itemPath) continue;
    const create = jsonBody(ops.post);
    const schema = okResponse(paths[itemPath]!.get);
    const list = okResponse(ops.get);
    if (!create || !schema || !list) continue;
    const listProps = properties(doc, list);
    const listKey = listProps.find(([, s]) => resolve(doc, s).type === 'array')?.[0];
    if (!listKey) continue;
    const params = [...((ops.get.parameters as Schema[] | undefined) ?? [])].map((p) => resolve(doc, p));
    const queryName = (re: RegExp) => params.find((p) => p.in === 'query' && re.test(String(p.name)))?.name as string | undefined;
    out.push({
      collection,
      item: itemPath,
      param: /\{([^}]+)\}$/.exec(itemPath)![1]!,
      schema,
      create,
      ...(paths[itemPath]!.patch ? { update: jsonBody(paths[itemPath]!.patch) } : {}),
      listKey,
      pageSize: queryName(/^page_?size$/i),
      pageToken: queryName(/^page_?token$/i),
      nextToken: listProps.find(([k]) => /^next_?page_?token$/i.test(k))?.[0],
      ops: {
        create: ops.post.operationId as string | undefined,
        get: paths[itemPath]!.get!.operationId as string | undefined,
        list: ops.get.operationId as string | undefined,
        update: paths[itemPath]!.patch?.operationId as string | undefined,
      },
    });
  }
  return out;
}

/** Every operationId of the contract with its method and path. */
export function operationsOf(doc: Doc): Map<string, { method: string; path: string }> {
  const out = new Map<string, { method: string; path: string }>();
  for (const [path, ops] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, { operationId?: string }>>)) {
    for (const m of HTTP_METHODS) if (ops[m]?.operationId) out.set(ops[m]!.operationId!, { method: m.toUpperCase(), path });
  }
  return out;
}

/** How a JSON mapping spells values: plain OpenAPI JSON, or protojson (int64 as strings, zero values omitted). */
export interface Dialect {
  proto: boolean;
}

/**
 * A value for schema that satisfies its constraints. variant 1 and 2 differ in
 * every scalar (so an update is visible); salt makes each step's values new.
 * Read-only properties are left out; every other property is set, optional
 * ones too. Never a zero value (protojson would omit it).
 */
export function example(doc: Doc, schema: Schema, variant: 1 | 2, salt: number, name = 'value', depth = 0): unknown {
  const s = resolve(doc, schema);
  if (Array.isArray(s.enum)) {
    const values = (s.enum as unknown[]).filter((v) => !/_UNSPECIFIED$/.test(String(v)));
    return variant === 1 ? values[values.length - 1] : values[0];
  }
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [k, p] of properties(doc, s)) {
        if (resolve(doc, p).readOnly || p.readOnly) continue;
        out[k] = example(doc, p, variant, salt, k, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = Math.max(Number(s.minItems ?? 0), Math.min(2, Number(s.maxItems ?? 2)));
      return Array.from({ length: n }, (_, i) => example(doc, (s.items ?? {}) as Schema, variant, salt + 17 * (i + 1), name, depth + 1));
    }
    case 'integer':
      return numberIn(s, variant * 3 + (salt % 11) + 1, true);
    case 'number':
      return numberIn(s, variant * 10.25 + (salt % 13) + 0.5, false);
    case 'boolean':
      // protojson omits false: a proto field would read back as absent; the comparison knows.
      return variant === 1;
    case 'string':
      return stringFor(s, variant, salt, name);
    default:
      return `${name}-${variant}`;
  }
}

function numberIn(s: Schema, wanted: number, integer: boolean): number | string {
  const min = s.minimum !== undefined ? Number(s.minimum) + (s.exclusiveMinimum === true ? 1 : 0) : undefined;
  const max = s.maximum !== undefined ? Number(s.maximum) - (s.exclusiveMaximum === true ? 1 : 0) : undefined;
  let v = integer ? Math.round(wanted) : wanted;
  if (min !== undefined && v < min) v = min + (integer ? 1 : 0.5);
  if (max !== undefined && v > max) v = max;
  if (v === 0) v = 1;
  // protojson writes 64-bit integers as strings; the derived schema says so.
  return s.type === 'string' ? String(v) : v;
}

function stringFor(s: Schema, variant: 1 | 2, salt: number, name: string): string {
  switch (s.format) {
    case 'date-time':
      return new Date(Date.UTC(2026, variant, 1 + (salt % 27), 8 + variant, salt % 60, 7)).toISOString().replace('.000Z', 'Z');
    case 'date':
      return `2026-0${variant}-${String(1 + (salt % 27)).padStart(2, '0')}`;
    case 'uuid':
      return `00000000-0000-4000-8000-${String(variant * 100000 + salt).padStart(12, '0')}`;
    case 'int64':
    case 'uint64':
      return String(variant * 1000 + salt + 1);
    case 'email':
      return `user${variant}-${salt}@example.com`;
    case 'uri':
      return `https://example.com/${name}/${variant}-${salt}`;
  }
  const min = Number(s.minLength ?? 0);
  const max = s.maxLength !== undefined ? Number(s.maxLength) : 64;
  let text: string;
  if (typeof s.pattern === 'string') {
    const gen = new RandExp(s.pattern);
    let n = variant * 7 + salt;
    gen.randInt = (a: number, b: number) => a + (n++ % (b - a + 1));
    gen.max = 4;
    text = gen.gen();
  } else {
    text = `${name}-${variant}-${salt}`;
  }
  if (text.length > max) text = text.slice(0, Math.max(max, 1));
  while (text.length < min) text += 'x';
  return text;
}

/** The value protojson leaves out for a schema (a proto3 field at its zero value is omitted). */
function zeroOf(doc: Doc, schema: Schema): unknown {
  const s = resolve(doc, schema);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).find((v) => /_UNSPECIFIED$/.test(String(v)));
  switch (s.type) {
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return s.format === 'int64' || s.format === 'uint64' ? '0' : '';
    default:
      return undefined;
  }
}

/**
 * Compares what was sent (or read before) with what came back, field by
 * field under schema, and describes each difference as `where: field ...`.
 * Date-times compare as instants, numbers numerically. With dialect.proto an
 * absent field equals its zero value.
 */
export function differences(doc: Doc, schema: Schema, want: unknown, got: unknown, where: string, dialect: Dialect, out: string[] = []): string[] {
  const s = resolve(doc, schema);
  if (want === undefined) return out;
  if (got === undefined && dialect.proto && JSON.stringify(zeroOf(doc, s)) === JSON.stringify(want)) return out;
  if (got === undefined || got === null) {
    if (want !== null) out.push(`${where}: missing, want ${JSON.stringify(want)}`);
    return out;
  }
  if (s.format === 'date-time' && typeof want === 'string' && typeof got === 'string') {
    if (Math.abs(Date.parse(want) - Date.parse(got)) > 1 || Number.isNaN(Date.parse(got))) out.push(`${where}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    return out;
  }
  if (typeof want === 'number' && typeof got === 'number') {
    if (Math.abs(want - got) > 1e-9 * Math.max(1, Math.abs(want))) out.push(`${where}: ${got}, want ${want}`);
    return out;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      out.push(`${where}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      return out;
    }
    want.forEach((w, i) => differences(doc, (s.items ?? {}) as Schema, w, got[i], `${where}[${i}]`, dialect, out));
    return out;
  }
  if (typeof want === 'object' && want !== null) {
    if (typeof got !== 'object' || Array.isArray(got)) {
      out.push(`${where}: ${JSON.stringify(got)}, want an object ${JSON.stringify(want)}`);
      return out;
    }
    const props = new Map(properties(doc, s));
    for (const [k, w] of Object.entries(want as Record<string, unknown>)) {
      differences(doc, props.get(k) ?? {}, w, (got as Record<string, unknown>)[k], `${where}.${k}`, dialect, out);
    }
    return out;
  }
  if (want !== got) out.push(`${where}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  return out;
}

/** The required properties of schema absent from value (protojson: only those not at a zero value). */
export function missingRequired(doc: Doc, schema: Schema, value: Record<string, unknown>, where: string, dialect: Dialect): string[] {
  const s = resolve(doc, schema);
  if (dialect.proto) return [];
  return ((s.required as string[] | undefined) ?? []).filter((k) => value[k] === undefined).map((k) => `${where}.${k}: required by the contract, missing`);
}

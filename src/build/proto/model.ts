import { parsePathTemplate, type PathTemplate } from '../../model/httppath.js';
import type { HttpRule, RpcField, RpcMessage, RpcMethod, RpcModel } from '../../model/rpc.js';
import type { Body, Field, HttpMethod, ObjectDecl, Operation, Parameter, Resource, TypeDecl, TypeRef } from '../../model/types.js';
import { recogniseResources } from '../resources.js';

/**
 * The contract-neutral part of the model of a proto contract: the same
 * types, operations and resources the OpenAPI builder produces, so that
 * resources, validation and storage see proto contracts too.
 *
 * - Every message becomes an object type and every enum a string enum (the
 *   proto3 JSON mapping), named as the contract does within its package
 *   (`Book`, `Book.Format`); a message of another package whose name is taken
 *   keeps its full name. Well-known types are the scalars their JSON form is.
 * - The main `google.api.http` binding of each unary RPC becomes an operation
 *   named after the RPC (prefixed with its service when two services share
 *   it). A variable is one path parameter named after the field it binds:
 *   `/v1/{name=shelves/*}` is `/v1/{name}`, whose value is `shelves/x`
 *   (the pattern constraint says so), as protoc-gen-openapiv2 writes it.
 * - Resources are recognised by `recogniseResources`, from REST paths and
 *   AIP standard method names alike.
 */
export function buildContractModel(rpc: RpcModel, contractPackages: ReadonlySet<string>, warnings: string[]): { types: TypeDecl[]; operations: Operation[]; resources: Resource[] } {
  const names = typeNames(rpc, contractPackages);
  const ref = (f: RpcField): TypeRef => fieldType(f, names);
  const types: TypeDecl[] = [];
  for (const [full, m] of Object.entries(rpc.messages)) {
    if (WELL_KNOWN[full]) continue;
    const keys = resourceNameFields(m);
    types.push({
      kind: 'object',
      name: names.get(full)!,
      ...(m.comment ? { description: m.comment } : {}),
      fields: m.fields.map((f) => modelField(f, ref(f), keys.has(f.name))),
    } satisfies ObjectDecl);
  }
  for (const [full, e] of Object.entries(rpc.enums)) {
    types.push({
      kind: 'enum',
      name: names.get(full)!,
      ...(e.comment ? { description: e.comment } : {}),
      base: 'string',
      values: e.values.map((v) => ({ value: v.name, ...(v.comment ? { description: v.comment } : {}) })),
    });
  }
  types.sort((a, b) => a.name.localeCompare(b.name));

  const operations: Operation[] = [];
  const taken = new Map<string, number>();
  for (const s of rpc.services) for (const m of s.methods) if (bindable(m)) taken.set(m.name, (taken.get(m.name) ?? 0) + 1);
  for (const s of rpc.services) {
    for (const m of s.methods) {
      if (!bindable(m)) continue;
      const name = taken.get(m.name)! > 1 ? `${s.name}${m.name}` : m.name;
      const op = operation(rpc, m, m.http.find(isModelMethod)!, name, s.name, names);
      if (!op) continue;
      m.operation = name;
      operations.push(op);
    }
  }
  const byName = new Map(types.map((t) => [t.name, t]));
  const resources = recogniseResources(operations, byName, warnings).map((r) => aipNaming(r, operations));
  return { types, operations, resources };
}

/**
 * AIP-133: the server names a new resource — from the create request's
 * `<resource>_id` when it has one (the client's choice), else on its own — and
 * a name the client puts in the resource is not used, though the resource's
 * name field is required by the rules that recognise it.
 */
function aipNaming(r: Resource, operations: readonly Operation[]): Resource {
  if (r.idAssignment !== 'client') return r;
  const create = operations.find((o) => o.name === r.operations.create);
  const idParam = `${r.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_id`;
  const chosen = create?.parameters.some((p) => p.in === 'query' && p.name === idParam);
  return chosen ? r : { ...r, idAssignment: 'uuid' };
}

const MODEL_METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function isModelMethod(rule: HttpRule): boolean {
  return MODEL_METHODS.has(rule.method);
}

/** A unary RPC with an HTTP binding of a standard method: what an operation describes. */
function bindable(m: RpcMethod): boolean {
  return !m.clientStreaming && !m.serverStreaming && m.http.some(isModelMethod);
}

/**
 * Well-known types as the scalar or free-form value of their JSON form;
 * `nullable` when the type exists to give a scalar presence (the wrappers).
 */
const WELL_KNOWN: Record<string, { type: TypeRef; nullable?: boolean; format?: string }> = {
  'google.protobuf.Timestamp': { type: { kind: 'scalar', scalar: 'datetime' } },
  'google.protobuf.Duration': { type: { kind: 'scalar', scalar: 'string' }, format: 'duration' },
  'google.protobuf.FieldMask': { type: { kind: 'scalar', scalar: 'string' }, format: 'field-mask' },
  'google.protobuf.Empty': { type: { kind: 'map', values: { kind: 'any' } } },
  'google.protobuf.Struct': { type: { kind: 'map', values: { kind: 'any' } } },
  'google.protobuf.Value': { type: { kind: 'any' } },
  'google.protobuf.ListValue': { type: { kind: 'array', items: { kind: 'any' } } },
  'google.protobuf.Any': { type: { kind: 'any' } },
  'google.protobuf.StringValue': { type: { kind: 'scalar', scalar: 'string' }, nullable: true },
  'google.protobuf.BytesValue': { type: { kind: 'scalar', scalar: 'bytes' }, nullable: true },
  'google.protobuf.BoolValue': { type: { kind: 'scalar', scalar: 'bool' }, nullable: true },
  'google.protobuf.Int32Value': { type: { kind: 'scalar', scalar: 'int32' }, nullable: true },
  'google.protobuf.UInt32Value': { type: { kind: 'scalar', scalar: 'int64' }, nullable: true },
  'google.protobuf.Int64Value': { type: { kind: 'scalar', scalar: 'int64' }, nullable: true },
  'google.protobuf.UInt64Value': { type: { kind: 'scalar', scalar: 'int64' }, nullable: true },
  'google.protobuf.FloatValue': { type: { kind: 'scalar', scalar: 'float32' }, nullable: true },
  'google.protobuf.DoubleValue': { type: { kind: 'scalar', scalar: 'float64' }, nullable: true },
};

const SCALAR: Record<string, TypeRef> = {
  double: { kind: 'scalar', scalar: 'float64' },
  float: { kind: 'scalar', scalar: 'float32' },
  int32: { kind: 'scalar', scalar: 'int32' },
  sint32: { kind: 'scalar', scalar: 'int32' },
  sfixed32: { kind: 'scalar', scalar: 'int32' },
  uint32: { kind: 'scalar', scalar: 'int64' },
  fixed32: { kind: 'scalar', scalar: 'int64' },
  int64: { kind: 'scalar', scalar: 'int64' },
  sint64: { kind: 'scalar', scalar: 'int64' },
  sfixed64: { kind: 'scalar', scalar: 'int64' },
  uint64: { kind: 'scalar', scalar: 'int64' },
  fixed64: { kind: 'scalar', scalar: 'int64' },
  bool: { kind: 'scalar', scalar: 'bool' },
  string: { kind: 'scalar', scalar: 'string' },
  bytes: { kind: 'scalar', scalar: 'bytes' },
};

/**
 * Model names of messages and enums: the name within the package
 * (`Book.Format`) for the contract's own packages first, then for the others
 * while free; the full name otherwise.
 */
function typeNames(rpc: RpcModel, contractPackages: ReadonlySet<string>): Map<string, string> {
  const all = [...Object.keys(rpc.messages).filter((n) => !WELL_KNOWN[n]), ...Object.keys(rpc.enums)];
  const pkg = (full: string) => {
    const file = rpc.messages[full]?.file ?? rpc.enums[full]?.file;
    return rpc.files.find((f) => f.path === file)?.package ?? '';
  };
  const own = (full: string) => contractPackages.has(pkg(full));
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const full of [...all.filter(own), ...all.filter((n) => !own(n))]) {
    const p = pkg(full);
    const short = p && full.startsWith(`${p}.`) ? full.slice(p.length + 1) : full;
    const name = used.has(short) ? full : short;
    used.add(name);
    names.set(full, name);
  }
  return names;
}

function messageType(full: string, names: ReadonlyMap<string, string>): TypeRef {
  return WELL_KNOWN[full]?.type ?? { kind: 'named', name: names.get(full)! };
}

function fieldType(f: RpcField, names: ReadonlyMap<string, string>): TypeRef {
  const value: TypeRef = f.kind === 'scalar' ? SCALAR[f.type]! : messageType(f.type, names);
  if (f.mapKey !== undefined) return { kind: 'map', values: value };
  return f.repeated ? { kind: 'array', items: value } : value;
}

/** The fields that hold a resource's name: `google.api.resource`'s name field. */
function resourceNameFields(m: RpcMessage): Set<string> {
  return new Set(m.resource ? [m.resource.nameField] : []);
}

/**
 * A model field. Required: `field_behavior` REQUIRED, or IDENTIFIER (the
 * resource name every stored resource has), or the name field of a
 * `google.api.resource`. Nullable: explicit presence (`optional`, a wrapper).
 */
function modelField(f: RpcField, type: TypeRef, resourceName: boolean): Field {
  const known = f.kind === 'message' && f.mapKey === undefined && !f.repeated ? WELL_KNOWN[f.type] : undefined;
  return {
    name: f.name,
    ...(f.comment ? { description: f.comment } : {}),
    type,
    required: f.behaviors.includes('REQUIRED') || f.behaviors.includes('IDENTIFIER') || resourceName,
    nullable: f.optional || Boolean(known?.nullable),
    readOnly: f.behaviors.includes('OUTPUT_ONLY'),
    constraints: known?.format ? { format: known.format } : {},
  };
}

function operation(rpc: RpcModel, m: RpcMethod, rule: HttpRule, name: string, group: string, names: ReadonlyMap<string, string>): Operation | undefined {
  let template: PathTemplate;
  try {
    template = parsePathTemplate(rule.path);
  } catch {
    return undefined;
  }
  const input = rpc.messages[m.input]!;
  const parameters: Parameter[] = [];
  const bound = new Set<string>();
  let bare = 0;
  const segments = template.segments.map((s) => {
    if (s.kind === 'literal') return s.value;
    if (s.kind === 'wildcard') {
      const param = `p${++bare}`;
      parameters.push({ name: param, in: 'path', type: { kind: 'scalar', scalar: 'string' }, required: true, constraints: { pattern: s.multi ? '^.+$' : '^[^/]+$' } });
      return `{${param}}`;
    }
    bound.add(s.field.split('.')[0]!);
    const field = fieldAt(rpc, input, s.field);
    const pattern = s.segments.map((x) => (x === '*' ? '[^/]+' : x === '**' ? '.+' : escape(x.literal))).join('/');
    parameters.push({
      name: s.field,
      in: 'path',
      ...(field?.comment ? { description: field.comment } : {}),
      type: field ? fieldType(field, names) : { kind: 'scalar', scalar: 'string' },
      required: true,
      constraints: { pattern: `^${pattern}$` },
    });
    return `{${s.field}}`;
  });
  const path = `/${segments.join('/')}${template.verb !== undefined ? `:${template.verb}` : ''}`;

  let body: Body | undefined;
  if (rule.body === '*') {
    body = { type: messageType(m.input, names), required: true, contentType: 'application/json' };
  } else if (rule.body !== undefined) {
    const field = input.fields.find((f) => f.name === rule.body);
    if (field) body = { type: fieldType(field, names), required: true, contentType: 'application/json' };
    bound.add(rule.body);
  }
  if (rule.body !== '*') {
    for (const f of input.fields) {
      if (bound.has(f.name) || f.mapKey !== undefined || f.kind === 'message' && !WELL_KNOWN[f.type]) continue;
      parameters.push({
        name: f.name,
        in: 'query',
        ...(f.comment ? { description: f.comment } : {}),
        type: fieldType(f, names),
        required: f.behaviors.includes('REQUIRED'),
        constraints: {},
      });
    }
  }
  const output = rule.responseBody ? rpc.messages[m.output]?.fields.find((f) => f.name === rule.responseBody) : undefined;
  const success = m.output === 'google.protobuf.Empty' && !output
    ? { status: 200 }
    : { status: 200, type: output ? fieldType(output, names) : messageType(m.output, names), contentType: 'application/json' };
  return {
    security: [],
    name,
    method: rule.method as HttpMethod,
    path,
    group,
    ...(m.comment ? { summary: m.comment.split('\n')[0]!.trim() } : {}),
    ...(m.comment ? { description: m.comment } : {}),
    deprecated: false,
    parameters,
    ...(body ? { body } : {}),
    success,
    otherResponses: [],
  };
}

/** The field a dotted path (`book.name`) reaches from a message. */
function fieldAt(rpc: RpcModel, message: RpcMessage, path: string): RpcField | undefined {
  let m: RpcMessage | undefined = message;
  let field: RpcField | undefined;
  for (const part of path.split('.')) {
    field = m?.fields.find((f) => f.name === part);
    if (!field) return undefined;
    m = field.kind === 'message' ? rpc.messages[field.type] : undefined;
  }
  return field;
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

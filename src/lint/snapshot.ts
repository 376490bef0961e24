import { parse } from 'yaml';
import { UserError } from '../errors.js';
import type { RpcField, RpcModel } from '../model/rpc.js';
import type { Operation, ServiceModel, TypeDecl, TypeRef } from '../model/types.js';
import { HASH_GENERATED_HEADER } from '../render/artifact.js';
import { stringifyBlockYaml } from '../render/blockyaml.js';

/**
 * The API a service was last generated for, as far as compatibility with its
 * callers depends on it: operations (method, path, parameters, body and
 * response types), types (fields with their type and required-ness, enum
 * values) and, for a proto contract, the RPCs and every field's number.
 * Built from the model, never from rendered text; `svc lint` compares the
 * contract as it stands with it to find breaking changes.
 */
export interface ApiSnapshot {
  version: 1;
  kind: 'openapi' | 'proto';
  /** By operation name (the operationId, or the RPC's operation). */
  operations: Record<string, SnapshotOperation>;
  /** By type name: the model's types (OpenAPI), or the proto messages and enums by full name. */
  types: Record<string, SnapshotType>;
  /** Proto only: RPCs by `package.Service/Method`. */
  rpcs?: Record<string, SnapshotRpc>;
}

export interface SnapshotOperation {
  method: string;
  path: string;
  /** `in:name` → type and whether it is required. */
  params: Record<string, { type: string; required: boolean }>;
  body?: { type: string; required: boolean };
  response?: string;
}

export type SnapshotType =
  | { kind: 'object'; fields: Record<string, SnapshotField> }
  | { kind: 'enum'; values: (string | number)[] }
  | { kind: 'alias'; type: string }
  | { kind: 'union'; variants: string[] };

export interface SnapshotField {
  type: string;
  required: boolean;
  /** Proto: the field number. */
  number?: number;
}

export interface SnapshotRpc {
  input: string;
  output: string;
  streaming: 'none' | 'client' | 'server' | 'bidi';
}

/** Where a service records the API it was last generated for. */
export const API_SNAPSHOT_PATH = '.svc/api.yaml';

/** The snapshot of a model: sorted, so the same contract always gives the same text. */
export function apiSnapshotOf(model: ServiceModel): ApiSnapshot {
  if (model.rpc) {
    return {
      version: 1,
      kind: 'proto',
      operations: sortKeys(Object.fromEntries(model.operations.map((o) => [o.name, { method: o.method, path: o.path, params: {} }]))),
      types: protoTypes(model.rpc),
      rpcs: protoRpcs(model.rpc),
    };
  }
  return {
    version: 1,
    kind: 'openapi',
    operations: sortKeys(Object.fromEntries(model.operations.map((o) => [o.name, operationOf(o)]))),
    types: sortKeys(Object.fromEntries(model.types.map((t) => [t.name, typeOf(t)]))),
  };
}

/** How a type reference reads in the snapshot and in messages: `string`, `Product`, `[]Tag`, `map[string]int64`, `any`. */
export function typeName(t: TypeRef): string {
  switch (t.kind) {
    case 'scalar':
      return t.scalar;
    case 'named':
      return t.name;
    case 'array':
      return `[]${typeName(t.items)}`;
    case 'map':
      return `map[string]${typeName(t.values)}`;
    case 'any':
      return 'any';
  }
}

function operationOf(o: Operation): SnapshotOperation {
  const params = sortKeys(Object.fromEntries(o.parameters.map((p) => [`${p.in}:${p.name}`, { type: typeName(p.type), required: p.required }])));
  const out: SnapshotOperation = { method: o.method, path: o.path, params };
  if (o.body) out.body = { type: typeName(o.body.type), required: o.body.required };
  if (o.success.type) out.response = typeName(o.success.type);
  return out;
}

function typeOf(t: TypeDecl): SnapshotType {
  switch (t.kind) {
    case 'object':
      return { kind: 'object', fields: sortKeys(Object.fromEntries(t.fields.map((f) => [f.name, { type: typeName(f.type), required: f.required }]))) };
    case 'enum':
      return { kind: 'enum', values: [...t.values.map((v) => v.value)].sort(compareValues) };
    case 'alias':
      return { kind: 'alias', type: typeName(t.type) };
    case 'union':
      return { kind: 'union', variants: t.variants.map((v) => typeName(v.type)) };
  }
}

/** The messages and enums of the files generated into the service (not those an existing Go module provides). */
function protoTypes(rpc: RpcModel): Record<string, SnapshotType> {
  const own = new Set(rpc.files.filter((f) => f.origin !== 'provided').map((f) => f.path));
  const types: Record<string, SnapshotType> = {};
  for (const m of Object.values(rpc.messages)) {
    if (!own.has(m.file)) continue;
    types[m.fullName] = { kind: 'object', fields: sortKeys(Object.fromEntries(m.fields.map((f) => [f.name, protoField(f)]))) };
  }
  for (const e of Object.values(rpc.enums)) {
    if (!own.has(e.file)) continue;
    types[e.fullName] = { kind: 'enum', values: e.values.map((v) => v.name).sort() };
  }
  return sortKeys(types);
}

function protoField(f: RpcField): SnapshotField {
  const type = f.mapKey !== undefined ? `map<${f.mapKey},${f.type}>` : f.repeated ? `repeated ${f.type}` : f.type;
  return { type, required: f.behaviors.includes('REQUIRED'), number: f.number };
}

function protoRpcs(rpc: RpcModel): Record<string, SnapshotRpc> {
  const out: Record<string, SnapshotRpc> = {};
  for (const s of rpc.services) {
    for (const m of s.methods) {
      const streaming = m.clientStreaming && m.serverStreaming ? 'bidi' : m.clientStreaming ? 'client' : m.serverStreaming ? 'server' : 'none';
      out[`${s.fullName}/${m.name}`] = { input: m.input, output: m.output, streaming };
    }
  }
  return sortKeys(out);
}

/** The snapshot as the file records it: generated YAML, keys sorted. */
export function serializeApiSnapshot(s: ApiSnapshot): string {
  return [
    HASH_GENERATED_HEADER,
    '#',
    '# The API this service was last generated for: what its callers depend on.',
    '# `svc lint` compares the contract with it and reports breaking changes',
    '# (removed operations or fields, changed types, new required fields).',
    '# Keep it under version control.',
    stringifyBlockYaml(s as unknown as Record<string, unknown>).trimEnd(),
    '',
  ].join('\n');
}

/** Reads a recorded snapshot; a file that is not one is a one-line error naming it. */
export function parseApiSnapshot(text: string, name: string = API_SNAPSHOT_PATH): ApiSnapshot {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new UserError(`${name}: not valid YAML (${(err as Error).message.split('\n')[0]}); \`svc gen api\` records the API again`);
  }
  const s = data as Partial<ApiSnapshot> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.version !== 1 ||
    (s.kind !== 'openapi' && s.kind !== 'proto') ||
    !isRecord(s.operations) ||
    !isRecord(s.types) ||
    (s.rpcs !== undefined && !isRecord(s.rpcs))
  ) {
    throw new UserError(`${name}: not an API record of svc (version 1); \`svc gen api\` records the API again`);
  }
  return s as ApiSnapshot;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function compareValues(a: string | number, b: string | number): number {
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

import { snake } from '../../model/names.js';
import { parsePathTemplate } from '../../model/httppath.js';
import type { RpcField, RpcMessage, RpcMethod, RpcModel, RpcService } from '../../model/rpc.js';
import type { CrudKind, Resource, ServiceModel } from '../../model/types.js';
import type { Table } from '../sql/schema.js';

/**
 * A resource of a proto service as its storage and its standard methods see
 * it: the message stored, the field that keys it, how a new resource name is
 * made, and which RPC is each standard method. Built from the model's
 * resources (recognised from the operations) and the RPC part beside them.
 */
export interface MessageResource {
  resource: Resource;
  /** The stored message. */
  entity: RpcMessage;
  /** The field holding the key: the resource name (`name`) or an id. */
  key: RpcField;
  /**
   * The name pattern's segments, `['shelves', '*', 'books', '*']`: the last
   * `*` is the id a create assigns, the literal before it the collection,
   * those before that the parent's pattern. Empty when the key is a bare id.
   */
  pattern: string[];
  /** Fields the server owns: cleared from what a client sends. */
  outputOnly: string[];
  /** Fields a client cannot change once set (IMMUTABLE, IDENTIFIER and the key). */
  immutable: string[];
  /** `create_time` and `update_time`, when they are Timestamps outside any oneof. */
  createTime?: RpcField;
  updateTime?: RpcField;
  methods: Partial<Record<CrudKind, { service: RpcService; method: RpcMethod }>>;
}

/** The table of each resource: its key, and the message in the protobuf binary encoding. */
export const DATA_COLUMN = 'data';

/** The resources of a proto service with the RPCs of their standard methods. */
export function messageResources(model: ServiceModel): MessageResource[] {
  const rpc = model.rpc!;
  const byOperation = new Map<string, { service: RpcService; method: RpcMethod }>();
  for (const service of rpc.services) for (const method of service.methods) if (method.operation) byOperation.set(method.operation, { service, method });
  const out: MessageResource[] = [];
  for (const r of model.resources) {
    const methods: MessageResource['methods'] = {};
    for (const [kind, op] of Object.entries(r.operations) as [CrudKind, string][]) {
      const m = byOperation.get(op);
      if (m) methods[kind] = m;
    }
    const get = methods.get;
    if (!get) continue;
    const entity = rpc.messages[get.method.output]!;
    const key = entity.fields.find((f) => f.name === r.idField);
    // The stores key records by a string: the resource name or a string id.
    if (!key || key.type !== 'string' || key.repeated || key.oneof) continue;
    const timestamp = (name: string) => entity.fields.find((f) => f.name === name && f.type === 'google.protobuf.Timestamp' && !f.repeated && !f.oneof);
    const createTime = timestamp('create_time');
    const updateTime = timestamp('update_time');
    out.push({
      resource: r,
      entity,
      key,
      pattern: namePattern(rpc, entity, get.method, r),
      outputOnly: entity.fields.filter((f) => f.behaviors.includes('OUTPUT_ONLY')).map((f) => f.name),
      immutable: entity.fields.filter((f) => f === key || f.behaviors.includes('IMMUTABLE') || f.behaviors.includes('IDENTIFIER')).map((f) => f.name),
      ...(createTime ? { createTime } : {}),
      ...(updateTime ? { updateTime } : {}),
      methods,
    });
  }
  return out;
}

/**
 * The name pattern: the message's `google.api.resource` pattern, else what
 * the get's HTTP binding binds to the key (`{name=shelves/*}`), else none.
 */
function namePattern(rpc: RpcModel, entity: RpcMessage, get: RpcMethod, r: Resource): string[] {
  const declared = entity.resource?.patterns[0];
  if (declared) return declared.split('/').map((s) => (/^\{.*\}$/.test(s) ? '*' : s));
  for (const rule of get.http) {
    try {
      for (const seg of parsePathTemplate(rule.path).segments) {
        if (seg.kind !== 'variable' || seg.field !== r.idField || seg.segments.includes('**')) continue;
        const parts = seg.segments.map((s) => (typeof s === 'object' ? s.literal : s));
        // Only `collection/*` pairs make a name a create can assign.
        if (parts.length >= 2 && parts.length % 2 === 0 && parts.every((p, i) => (i % 2 === 1) === (p === '*'))) return parts;
      }
    } catch {
      // An unparsable binding is reported by the builder; it gives no pattern.
    }
  }
  return [];
}

/** The field of `message` holding the entity (the create or update body). */
export function entityField(rpc: RpcModel, method: RpcMethod, entity: RpcMessage): RpcField | undefined {
  const input = rpc.messages[method.input]!;
  const body = method.http[0]?.body;
  const named = body && body !== '*' ? input.fields.find((f) => f.name === body) : undefined;
  if (named && named.type === entity.fullName) return named;
  return input.fields.find((f) => f.type === entity.fullName && !f.repeated && f.mapKey === undefined);
}

/** A string field of the request by name. */
export function stringField(rpc: RpcModel, method: RpcMethod, name: string): RpcField | undefined {
  return rpc.messages[method.input]!.fields.find((f) => f.name === name && f.type === 'string' && !f.repeated && f.mapKey === undefined);
}

/** The request field carrying the key of a get or a delete: the variable its binding ends with, or the key's own name. */
export function keyField(rpc: RpcModel, method: RpcMethod, r: MessageResource): RpcField | undefined {
  for (const rule of method.http) {
    const vars = /\{([A-Za-z_][A-Za-z0-9_]*)(=[^}]*)?\}[^{}]*$/.exec(rule.path);
    const field = vars ? stringField(rpc, method, vars[1]!) : undefined;
    if (field) return field;
  }
  return stringField(rpc, method, r.key.name);
}

/** The request field a create takes a client-chosen id from: `book_id` for a Book (AIP-133). */
export function idField(rpc: RpcModel, method: RpcMethod, r: MessageResource): RpcField | undefined {
  return stringField(rpc, method, `${snake(r.entity.name)}_id`);
}

/** The tables of a proto service: per resource its key and the encoded message. */
export function messageTables(model: ServiceModel): Table[] {
  const taken = new Set<string>();
  return messageResources(model).map((r) => {
    let name = snake(r.resource.plural) || 'items';
    for (let n = 2; taken.has(name); n++) name = `${snake(r.resource.plural)}_${n}`;
    taken.add(name);
    const key = snake(r.key.name) === DATA_COLUMN ? 'key' : snake(r.key.name);
    return {
      name,
      resource: r.resource.entity,
      columns: [
        { name: key, type: 'text' as const, notNull: true, primaryKey: true, field: r.key.name },
        { name: DATA_COLUMN, type: 'bytes' as const, notNull: true, primaryKey: false },
      ],
    };
  });
}

import type { CrudKind, Field, ListShape, ObjectDecl, Operation, Resource, TypeDecl, TypeRef } from '../model/types.js';
import { pascal, plural, singular } from '../model/names.js';

/**
 * Recognises resources in a model: entity types with standard operations the
 * generator can implement end to end (create, get, list, update, delete),
 * keyed by a string or integer identifier. A resource has the operations the
 * contract gives it: one without update or delete is stored all the same, and
 * so is a collection that only lists and creates.
 * Works on the model only, so every contract kind benefits. Three ways, in
 * order of precedence:
 *
 * 1. explicit markers on operations (`Operation.resourceMarker`, from
 *    `x-svc-resource` in OpenAPI), for shapes the rules below miss;
 * 2. REST: a collection path (`/products`) and its item path (`/products/{id}`);
 * 3. standard RPC names in the style of Google's AIP (`GetProduct`,
 *    `ListProducts`, `CreateProduct`, `UpdateProduct`, `DeleteProduct`).
 *
 * An operation belongs to at most one resource, and an entity type to at most
 * one resource. What a marker asks for but cannot be honoured is reported in
 * `warnings`.
 */
export function recogniseResources(operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>, warnings: string[] = []): Resource[] {
  const resources: Resource[] = [];
  const claimed = new Set<string>();
  const add = (r: Resource | undefined) => {
    // One store per entity: a second collection of the same type (e.g. a
    // nested path) is served by the operations alone.
    if (!r || resources.some((x) => x.entity === r.entity)) return;
    const concurrency = concurrencyField(types.get(r.entity) as ObjectDecl);
    if (concurrency) r.concurrency = concurrency;
    resources.push(r);
    for (const name of Object.values(r.operations)) claimed.add(name);
  };
  const excluded = new Set(operations.filter((o) => o.resourceMarker?.exclude).map((o) => o.name));

  for (const r of fromMarkers(operations, types, warnings)) add(r);

  const free = () => operations.filter((o) => !claimed.has(o.name) && !excluded.has(o.name) && !o.resourceMarker);
  const collections = new Set(free().map((o) => o.path).filter((p) => !p.endsWith('}')));
  for (const collection of [...collections].sort()) add(restAt(collection, free(), types));

  for (const r of fromRpcNames(free(), types)) add(r);
  return resources;
}

/** How to find the operations of one resource among a set of operations. */
interface Candidates {
  get?: Operation;
  create?: Operation;
  update?: Operation;
  delete?: Operation;
  list?: Operation;
}

/**
 * Builds a resource from its candidate operations, keeping those whose shape
 * the generated code implements. The entity is what the get returns; a
 * collection without a get (list and create only) is a resource too, its
 * entity what the create returns and the list holds. Undefined when neither
 * makes one.
 */
function assemble(c: Candidates, pluralName: string, types: ReadonlyMap<string, TypeDecl>, recognisedBy: Resource['recognisedBy'], why?: (msg: string) => void): Resource | undefined {
  const fail = (msg: string) => {
    why?.(msg);
    return undefined;
  };
  const get = c.get;
  let entity: ObjectDecl | undefined;
  let idParam: string | undefined;
  if (get) {
    entity = namedObject(get.success.type, types);
    if (!entity) return fail(`its get operation ${get.name} does not return an object type`);
    idParam = lastPathParam(get);
    if (!idParam) return fail(`its get operation ${get.name} has no path parameter for the identifier`);
  } else {
    // A collection without items of its own: records are created and listed.
    if (!c.list || !c.create) return fail('it has no get operation, nor a list and a create');
    entity = namedObject(c.create.success.type, types);
    if (!entity || !c.create.body) return fail(`its create operation ${c.create.name} does not take a body and return an object type`);
    if (!listShape(c.list, entity.name, types)) return fail(`its list operation ${c.list.name} does not return ${entity.name} records`);
  }
  const idField = entity.fields.find((f) => f.name === idParam) ?? entity.fields.find((f) => f.name === 'id');
  // The generated store keys records by a required identifier, a string or an integer.
  if (!idField || !idField.required || idField.nullable) return fail(`${entity.name} has no required identifier field ${idParam ? `"${idParam}" or ` : ''}"id"`);
  const key = idKind(idField.type);
  if (!key) return fail(`the identifier ${entity.name}.${idField.name} is neither a string nor an integer`);
  // An item operation names the record by a path parameter of the identifier's type.
  const keyedBy = (o: Operation | undefined) => {
    const name = o && lastPathParam(o);
    const param = name ? o.parameters.find((p) => p.in === 'path' && p.name === name) : undefined;
    return param !== undefined && sameKey(param.type, idField.type);
  };
  if (get && !keyedBy(get)) return fail(`the path parameter ${idParam} of ${get.name} does not have the type of ${entity.name}.${idField.name}`);

  const ops: Partial<Record<CrudKind, string>> = {};
  if (get) ops.get = get.name;
  const returnsEntity = (o: Operation | undefined) => o && namedObject(o.success.type, types)?.name === entity.name;
  if (returnsEntity(c.create) && c.create?.body) ops.create = c.create.name;
  if (returnsEntity(c.update) && c.update?.body && keyedBy(c.update)) ops.update = c.update.name;
  if (c.delete && keyedBy(c.delete) && (c.delete.success.type === undefined || returnsEntity(c.delete))) ops.delete = c.delete.name;

  const resource: Resource = {
    name: entity.name,
    plural: pluralName,
    entity: entity.name,
    idField: idField.name,
    idAssignment: idAssignment(idField, key, ops.create ? c.create : undefined, types),
    operations: ops,
    recognisedBy,
  };
  const shape = c.list ? listShape(c.list, entity.name, types) : undefined;
  if (c.list && shape) {
    ops.list = c.list.name;
    resource.list = shape;
  }
  return resource;
}

/** Whether an identifier is kept as a string or as an integer; undefined for any other type. */
function idKind(t: TypeRef): 'string' | 'integer' | undefined {
  if (t.kind !== 'scalar') return undefined;
  if (t.scalar === 'string' || t.scalar === 'uuid') return 'string';
  if (t.scalar === 'int32' || t.scalar === 'int64') return 'integer';
  return undefined;
}

/** A path parameter names a record when it has the identifier's type (any string for a string). */
function sameKey(param: TypeRef, id: TypeRef): boolean {
  if (param.kind !== 'scalar' || id.kind !== 'scalar') return false;
  return idKind(param) === 'string' ? idKind(id) === 'string' : param.scalar === id.scalar;
}

/**
 * How a new record gets its identifier: the client's when the create body
 * requires the identifier field, else the database's for an integer and a
 * UUID the service makes for a string.
 */
function idAssignment(idField: Field, key: 'string' | 'integer', create: Operation | undefined, types: ReadonlyMap<string, TypeDecl>): NonNullable<Resource['idAssignment']> {
  const body = create?.body ? namedObject(create.body.type, types) : undefined;
  const sent = body?.fields.find((f) => f.name === idField.name);
  // The same scalar, so that the body's value is copied as it is; a read-only identifier is never the client's.
  if (!idField.readOnly && sent?.required && sent.type.kind === 'scalar' && idField.type.kind === 'scalar' && sent.type.scalar === idField.type.scalar) return 'client';
  return key === 'integer' ? 'database' : 'uuid';
}

/**
 * The resource of a collection path and its item path; a collection with no
 * item path is one when it lists and creates records.
 */
function restAt(collection: string, operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>): Resource | undefined {
  const itemPath = operations.find((o) => isItemPath(o.path, collection))?.path;
  const find = (method: string, path: string | undefined) => operations.find((o) => o.method === method && o.path === path);
  return assemble(
    {
      get: find('GET', itemPath),
      create: find('POST', collection),
      update: find('PATCH', itemPath) ?? find('PUT', itemPath),
      delete: find('DELETE', itemPath),
      list: find('GET', collection),
    },
    collection.split('/').filter(Boolean).pop() ?? collection,
    types,
    'rest',
  );
}

/** Operations marked with the same resource name form one resource; the method is inferred when not given. */
function fromMarkers(operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>, warnings: string[]): Resource[] {
  const groups = new Map<string, Candidates>();
  for (const op of operations) {
    const m = op.resourceMarker;
    if (!m || m.exclude) continue;
    const method = m.method ?? inferMethod(op);
    if (!method) {
      warnings.push(`x-svc-resource on ${op.name}: cannot tell which standard method ${op.method} ${op.path} is; give one (create, get, list, update or delete)`);
      continue;
    }
    const group = groups.get(m.name) ?? {};
    if (group[method]) {
      warnings.push(`x-svc-resource: resource "${m.name}" has two ${method} operations (${group[method]!.name}, ${op.name}); ${op.name} is ignored`);
      continue;
    }
    group[method] = op;
    groups.set(m.name, group);
  }
  const out: Resource[] = [];
  for (const [name, c] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const r = assemble(c, name, types, 'marker', (msg) => warnings.push(`x-svc-resource: "${name}" is not a resource: ${msg}`));
    if (!r) continue;
    for (const [kind, op] of Object.entries(c) as [CrudKind, Operation][]) {
      if (r.operations[kind] !== op.name) warnings.push(`x-svc-resource: ${op.name} does not have the shape of a standard ${kind} of ${r.entity}; it is left out of the resource`);
    }
    out.push(r);
  }
  return out;
}

function inferMethod(op: Operation): CrudKind | undefined {
  const item = op.path.endsWith('}');
  switch (op.method) {
    case 'GET':
      return item ? 'get' : 'list';
    case 'POST':
      return item ? undefined : 'create';
    case 'PUT':
    case 'PATCH':
      return 'update';
    case 'DELETE':
      return 'delete';
    default:
      return undefined;
  }
}

const RPC = /^(get|list|create|update|delete)([A-Z0-9].*)$/;

/**
 * AIP-style standard methods, recognised by name: `GetBook` returning `Book`,
 * with `ListBooks`, `CreateBook`, `UpdateBook` and `DeleteBook` beside it.
 * Names may start in either case (`getBook`).
 */
function fromRpcNames(operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>): Resource[] {
  const byEntity = new Map<string, Candidates>();
  for (const op of operations) {
    const m = RPC.exec(op.name.charAt(0).toLowerCase() + op.name.slice(1));
    if (!m) continue;
    const kind = m[1] as CrudKind;
    const noun = m[2]!;
    const entity = kind === 'list' ? singular(noun) : noun;
    const c = byEntity.get(entity) ?? {};
    if (!c[kind]) c[kind] = op;
    byEntity.set(entity, c);
  }
  const out: Resource[] = [];
  for (const [entity, c] of [...byEntity].sort(([a], [b]) => a.localeCompare(b))) {
    // The get (or, without one, the create) must return the very type the names speak of.
    const anchor = c.get ?? c.create;
    if (!anchor || namedObject(anchor.success.type, types)?.name !== findType(entity, types)) continue;
    const r = assemble(c, plural(entity).toLowerCase(), types, 'rpc');
    if (r) out.push(r);
  }
  return out;
}

/** The declared type whose name is `name` in any case style. */
function findType(name: string, types: ReadonlyMap<string, TypeDecl>): string | undefined {
  if (types.has(name)) return name;
  return [...types.keys()].find((t) => pascal(t) === pascal(name));
}

function lastPathParam(op: Operation): string | undefined {
  const name = /\{([^}]+)\}[^{}]*$/.exec(op.path)?.[1];
  return name && op.parameters.some((p) => p.in === 'path' && p.name === name) ? name : undefined;
}

function isItemPath(path: string, collection: string): boolean {
  return path.startsWith(`${collection}/{`) && /^\{[^}/]+\}$/.test(path.slice(collection.length + 1));
}

function namedObject(ref: TypeRef | undefined, types: ReadonlyMap<string, TypeDecl>): ObjectDecl | undefined {
  if (ref?.kind !== 'named') return undefined;
  const decl = types.get(ref.name);
  return decl?.kind === 'object' ? decl : undefined;
}

const VERSION_FIELDS = ['version', 'revision'];
const ETAG_FIELDS = ['etag', 'e_tag', 'eTag'];

/** The entity's version or etag field, when it has one of a usable type. */
function concurrencyField(entity: ObjectDecl): Resource['concurrency'] {
  const scalar = (f: Field) => (f.type.kind === 'scalar' ? f.type.scalar : undefined);
  const version = entity.fields.find((f) => VERSION_FIELDS.includes(f.name) && ['int32', 'int64'].includes(scalar(f) ?? ''));
  if (version) return { field: version.name, kind: 'version' };
  const etag = entity.fields.find((f) => ETAG_FIELDS.includes(f.name) && scalar(f) === 'string');
  if (etag) return { field: etag.name, kind: 'etag' };
  return undefined;
}

const TOKEN_FIELDS = ['next_page_token', 'nextPageToken', 'next_cursor', 'nextCursor', 'next'];
const SIZE_PARAMS = ['page_size', 'pageSize', 'limit', 'per_page'];
const TOKEN_PARAMS = ['page_token', 'pageToken', 'cursor', 'after'];

/** The page size of a bare array list without a size parameter: page.go's MaxPageSize. */
const BARE_LIST_SIZE = 1000;

function listShape(list: Operation, entity: string, types: ReadonlyMap<string, TypeDecl>): ListShape | undefined {
  const size = list.parameters.find((p) => p.in === 'query' && SIZE_PARAMS.includes(p.name) && p.type.kind === 'scalar');
  const success = list.success.type;
  if (success?.kind === 'array' && success.items.kind === 'named' && success.items.name === entity) {
    // A bare array cannot say that more follows: one page of up to the size
    // the request asks for, or of every record up to the cap.
    const max = size?.constraints.maximum ?? BARE_LIST_SIZE;
    const shape: ListShape = { defaultPageSize: typeof size?.default === 'number' ? size.default : max, maxPageSize: max };
    if (size) shape.pageSizeParam = size.name;
    return shape;
  }
  const response = namedObject(success, types);
  if (!response) return undefined;
  const items = response.fields.find((f) => f.type.kind === 'array' && f.type.items.kind === 'named' && f.type.items.name === entity);
  if (!items) return undefined;
  const shape: ListShape = { responseType: response.name, itemsField: items.name, defaultPageSize: 20, maxPageSize: 100 };
  const token = response.fields.find((f) => TOKEN_FIELDS.includes(f.name) && f.type.kind === 'scalar' && f.type.scalar === 'string');
  if (token) shape.nextTokenField = token.name;
  if (size) {
    shape.pageSizeParam = size.name;
    if (typeof size.default === 'number') shape.defaultPageSize = size.default;
    if (size.constraints.maximum !== undefined) shape.maxPageSize = size.constraints.maximum;
  }
  const pageToken = list.parameters.find((p) => p.in === 'query' && TOKEN_PARAMS.includes(p.name));
  if (pageToken) shape.pageTokenParam = pageToken.name;
  return shape;
}

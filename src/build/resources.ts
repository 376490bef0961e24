import type { CrudKind, ListShape, ObjectDecl, Operation, Resource, TypeDecl, TypeRef } from '../model/types.js';


/**
 * Recognises REST resources in a model: a collection path (`/products`) and
 * its item path (`/products/{id}`) whose standard operations create, get,
 * list, update and delete one entity type. Works on the model only, so any
 * contract kind benefits.
 */
export function recogniseResources(operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>): Resource[] {
  const resources: Resource[] = [];
  const collections = new Set(operations.map((o) => o.path).filter((p) => !p.endsWith('}')));
  for (const collection of [...collections].sort()) {
    const resource = recogniseAt(collection, operations, types);
    if (resource) resources.push(resource);
  }
  return resources;
}

function recogniseAt(collection: string, operations: readonly Operation[], types: ReadonlyMap<string, TypeDecl>): Resource | undefined {
  const itemOps = operations.filter((o) => isItemPath(o.path, collection));
  const itemPath = itemOps[0]?.path;
  if (!itemPath) return undefined;
  const idParam = /\{([^}]+)\}$/.exec(itemPath)?.[1];
  if (!idParam) return undefined;
  const find = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path);

  const get = find('GET', itemPath);
  const entity = namedObject(get?.success.type, types);
  if (!get || !entity) return undefined;
  const idField = entity.fields.find((f) => f.name === idParam) ?? entity.fields.find((f) => f.name === 'id');
    // The generated store keys records by a required string identifier.
  if (!idField || !idField.required || idField.nullable) return undefined;
  if (idField.type.kind !== 'scalar' || !['string', 'uuid'].includes(idField.type.scalar)) return undefined;

  const ops: Partial<Record<CrudKind, string>> = { get: get.name };
  const returnsEntity = (o: Operation | undefined) => o && namedObject(o.success.type, types)?.name === entity.name;
  const create = find('POST', collection);
  if (returnsEntity(create) && create?.body) ops.create = create.name;
  const update = find('PATCH', itemPath) ?? find('PUT', itemPath);
  if (returnsEntity(update) && update?.body) ops.update = update.name;
  const del = find('DELETE', itemPath);
  if (del && (del.success.type === undefined || returnsEntity(del))) ops.delete = del.name;

  const resource: Resource = {
    name: entity.name,
    plural: collection.split('/').filter(Boolean).pop() ?? entity.name,
    entity: entity.name,
    idField: idField.name,
    operations: ops,
  };
  const list = find('GET', collection);
  const shape = list ? listShape(list, entity.name, types) : undefined;
  if (list && shape) {
    ops.list = list.name;
    resource.list = shape;
  }
  return resource;
}

function isItemPath(path: string, collection: string): boolean {
  return path.startsWith(`${collection}/{`) && /^\{[^}/]+\}$/.test(path.slice(collection.length + 1));
}

function namedObject(ref: TypeRef | undefined, types: ReadonlyMap<string, TypeDecl>): ObjectDecl | undefined {
  if (ref?.kind !== 'named') return undefined;
  const decl = types.get(ref.name);
  return decl?.kind === 'object' ? decl : undefined;
}

const TOKEN_FIELDS = ['next_page_token', 'nextPageToken', 'next_cursor', 'nextCursor', 'next'];
const SIZE_PARAMS = ['page_size', 'pageSize', 'limit', 'per_page'];
const TOKEN_PARAMS = ['page_token', 'pageToken', 'cursor', 'after'];

function listShape(list: Operation, entity: string, types: ReadonlyMap<string, TypeDecl>): ListShape | undefined {
  const response = namedObject(list.success.type, types);
  if (!response) return undefined;
  const items = response.fields.find((f) => f.type.kind === 'array' && f.type.items.kind === 'named' && f.type.items.name === entity);
  if (!items) return undefined;
  const shape: ListShape = { responseType: response.name, itemsField: items.name, defaultPageSize: 20, maxPageSize: 100 };
  const token = response.fields.find((f) => TOKEN_FIELDS.includes(f.name) && f.type.kind === 'scalar' && f.type.scalar === 'string');
  if (token) shape.nextTokenField = token.name;
  const size = list.parameters.find((p) => p.in === 'query' && SIZE_PARAMS.includes(p.name) && p.type.kind === 'scalar');
  if (size) {
    shape.pageSizeParam = size.name;
    if (typeof size.default === 'number') shape.defaultPageSize = size.default;
    if (size.constraints.maximum !== undefined) shape.maxPageSize = size.constraints.maximum;
  }
  const pageToken = list.parameters.find((p) => p.in === 'query' && TOKEN_PARAMS.includes(p.name));
  if (pageToken) shape.pageTokenParam = pageToken.name;
  return shape;
}

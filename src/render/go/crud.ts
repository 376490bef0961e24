import type { CrudKind, Field, ObjectDecl, Operation, Parameter, Resource, TypeRef } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { exportedName, fileStem, goString, unexportedName } from './naming.js';
import { words } from '../../model/names.js';
import { responseSet } from './responses.js';
import { localImportPrefix } from '../runtimepkgs.js';
import { eventConst, RESOURCE_CHANGES, resourceEventType } from './events.js';
import { goKey } from './sql.js';

/**
 * The standard operations of a resource are split in two files: the user-owned
 * stub (`create_product.go`) holds what a person would write — call the
 * repository, publish the event, return — and the generated
 * `product_crud.gen.go` holds everything derived from the contract: the entity
 * built from a create request, an update request applied to an entity, the
 * repository page a list request asks for and the list response. A field added
 * to the contract then reaches storage without a user file changing.
 */

export const SERVICE_DIR = 'internal/service';

/** Field names that the service fills in itself when an entity is created or changed. */
const CREATED_FIELDS = ['created_at', 'createdAt', 'create_time', 'createTime'];
const UPDATED_FIELDS = ['updated_at', 'updatedAt', 'update_time', 'updateTime'];

/** `CreateProductRequest`: the request type of an operation in package service. */
export function requestType(gm: GoModel, op: Operation): string {
  return `${gm.opName(op)}Request`;
}

/** The resource and standard method an operation implements, if any. */
export function crudRole(gm: GoModel, op: Operation): { resource: Resource; kind: CrudKind } | undefined {
  let roles = crudRoles.get(gm);
  if (!roles) {
    roles = new Map();
    // The first resource that names an operation gives its role.
    for (const resource of gm.model.resources) {
      for (const [kind, name] of Object.entries(resource.operations)) {
        if (name !== undefined && !roles.has(name)) roles.set(name, { resource, kind: kind as CrudKind });
      }
    }
    crudRoles.set(gm, roles);
  }
  return roles.get(op.name);
}

/** Each model's operations by name → their CRUD role, found once (crudRole). */
const crudRoles = new WeakMap<GoModel, Map<string, { resource: Resource; kind: CrudKind }>>();

/** The names of a resource's generated helpers (`newProduct`, `applyProductUpdate`, `productPage`, `productList`). */
interface HelperNames {
  create: string;
  update: string;
  page: string;
  list: string;
}

const helperNames = new WeakMap<GoModel, Map<Resource, HelperNames>>();

/**
 * Decided once per model, in resource order, unique among the package's
 * generated identifiers; named after the resource, not the operations, so
 * renaming an operation leaves the calls in its stub valid.
 */
function names(gm: GoModel, resource: Resource): HelperNames {
  let all = helperNames.get(gm);
  if (!all) {
    all = new Map();
    gm.packageVar('service', 'publish');
    for (const r of gm.model.resources) {
      const noun = exportedName(r.name);
      all.set(r, {
        create: gm.packageVar('service', `new${noun}`),
        update: gm.packageVar('service', `apply${noun}Update`),
        page: gm.packageVar('service', unexportedName(`${r.name} page`)),
        list: gm.packageVar('service', unexportedName(`${r.name} list`)),
      });
    }
    helperNames.set(gm, all);
  }
  return all.get(resource)!;
}

function operation(gm: GoModel, resource: Resource, kind: CrudKind): Operation | undefined {
  const name = resource.operations[kind];
  return name === undefined ? undefined : gm.model.operations.find((o) => o.name === name);
}

/** The Go type names the stub of `op` uses that derive from its name: its request type and typed responses. */
export function derivedNames(gm: GoModel, op: Operation): string[] {
  const set = responseSet(gm, op);
  return [requestType(gm, op), ...(set ? [set.iface, ...set.variants.map((v) => v.name)] : [])];
}

/**
 * The body of a service method that implements a standard operation through
 * the resource's repository, or undefined when the operation is not one.
 */
export function renderCrudBody(gm: GoModel, op: Operation, f: GoFile): string[] | undefined {
  const role = crudRole(gm, op);
  if (!role) return undefined;
  const { resource, kind } = role;
  const helpers = names(gm, resource);
  const noun = words(resource.name).join(' ');
  const repo = `s.Repos.${gm.repoField(resource)}`;
  const fmt = f.use('fmt');
  const wrap = (verb: string, what = noun) => `${fmt}.Errorf(${goString(`${verb} ${what}: %w`)}, err)`;
  // The record is named by the last path parameter (`/shops/{shop}/items/{id}`: id).
  const last = /\{([^}]+)\}[^{}]*$/.exec(op.path)?.[1];
  const idParam = op.parameters.find((p) => p.in === 'path' && p.name === last);
  const id = idParam ? `req.${gm.paramField(idParam)}` : '';
  const local = unexportedName(resource.name);
  const r = returns(gm, op);
  const key = goKey(gm, resource);
  const entity = gm.decl(resource.entity) as ObjectDecl;
  const idPointer = gm.fieldIsPointer(entity.fields.find((x) => x.name === resource.idField)!);
  // The event's subject: the record's identifier as text (a stored record has one).
  const subjectOf = (expr: string, pointer: boolean) => {
    const value = pointer ? `*${expr}` : expr;
    return key.type === 'string' ? value : `${fmt}.Sprint(${value})`;
  };
  const recordSubject = () => subjectOf(`${local}.${key.field}`, idPointer);
  const paramSubject = () => subjectOf(id, idParam ? gm.paramIsPointer(idParam) : false);
  // `product, err := s.Repos.Products.Get(ctx, req.ID)` and its check.
  const get = (verb: string) => [`\t${local}, err := ${repo}.Get(ctx, ${id})`, '\tif err != nil {', `\t\t${r.fail(wrap(verb))}`, '\t}'];
  // The write and the event announcing it, in one transaction: with the SQL
  // database the event goes to the outbox and commits with the change.
  const atomically = (method: string, arg: string, verb: string, change: (typeof RESOURCE_CHANGES)[number], subject: string, data: string) => [
    `\tif err := s.InTx(ctx, func(ctx ${f.use('context')}.Context) error {`,
    `\t\tif err := ${repo}.${method}(ctx, ${arg}); err != nil {`,
    `\t\t\treturn ${wrap(verb)}`,
    '\t\t}',
    `\t\treturn s.publishEvent(ctx, ${eventConst(gm, resourceEventType(resource, change))}, ${subject}, ${data})`,
    '\t}); err != nil {',
    `\t\t${r.fail('err')}`,
    '\t}',
  ];
  switch (kind) {
    case 'get':
      return [...get('get'), `\t${r.ok(local)}`];
    case 'delete':
      // The contract may answer with the deleted record.
      if (!op.success.type) return [...atomically('Delete', id, 'delete', 'deleted', paramSubject(), id), `\t${r.ok()}`];
      return [...get('delete'), ...atomically('Delete', id, 'delete', 'deleted', paramSubject(), id), `\t${r.ok(local)}`];
    case 'create':
      return [`\t${local} := ${helpers.create}(req)`, ...atomically('Create', local, 'create', 'created', recordSubject(), local), `\t${r.ok(local)}`];
    case 'update':
      return [...get('update'), `\t${helpers.update}(${local}, req)`, ...atomically('Update', local, 'update', 'updated', recordSubject(), local), `\t${r.ok(local)}`];
    case 'list':
      // A bare array answers the one page, with no token to pass on.
      if (!resource.list?.responseType) {
        return [
          `\titems, _, err := ${repo}.List(ctx, ${helpers.page}(req))`,
          '\tif err != nil {',
          `\t\t${r.fail(wrap('list', words(resource.plural).join(' ')))}`,
          '\t}',
          `\t${r.ok('items')}`,
        ];
      }
      return [
        `\titems, next, err := ${repo}.List(ctx, ${helpers.page}(req))`,
        '\tif err != nil {',
        `\t\t${r.fail(wrap('list', words(resource.plural).join(' ')))}`,
        '\t}',
        `\t${r.ok(`${helpers.list}(items, next)`)}`,
      ];
  }
}

/** How the method's return statements read: its result and error, whatever its signature. */
interface Returns {
  /** Returns the result (`order`), or nothing for an operation without one. */
  ok(value?: string): string;
  /** Returns an error. */
  fail(err: string): string;
}

/**
 * `return order, nil` / `return nil, err` for `(*models.Order, error)`;
 * `return nil` / `return err` for `error`; and with typed responses (see
 * responses.ts) the success variant: `return GetOrder200Response{Body: *order}, nil`.
 */
function returns(gm: GoModel, op: Operation): Returns {
  const ok = responseSet(gm, op)?.variants.find((v) => v.response === op.success);
  if (ok) {
    // Objects are held by pointer in the method (see GoModel.responseType); the variant holds the value.
    const deref = gm.objectOf(op.success.type) !== undefined ? '*' : '';
    return {
      ok: (value) => `return ${ok.name}{${ok.kind === 'json' && value ? `Body: ${deref}${value}` : ''}}, nil`,
      fail: (err) => `return nil, ${err}`,
    };
  }
  if (!op.success.type) return { ok: () => 'return nil', fail: (err) => `return ${err}` };
  return { ok: (value) => `return ${value}, nil`, fail: (err) => `return nil, ${err}` };
}

/**
 * `internal/service/<resource>_crud.gen.go` for every resource with a create,
 * update or list operation: the contract-derived helpers its stubs call.
 */
export function renderCrudHelpers(gm: GoModel, reserved: readonly string[]): Artifact[] {
  const out: Artifact[] = [];
  for (const resource of gm.model.resources) {
    const create = operation(gm, resource, 'create');
    const update = operation(gm, resource, 'update');
    const list = resource.list ? operation(gm, resource, 'list') : undefined;
    if (!create && !update && !list) continue;
    const f = new GoFile(gm.fileName(SERVICE_DIR, `${fileStem(resource.name)}_crud`, '.gen.go', reserved), 'service');
    const entity = gm.decl(resource.entity) as ObjectDecl;
    if (create) createHelper(gm, f, resource, entity, create);
    if (update) updateHelper(gm, f, resource, entity, update);
    if (list) listHelpers(gm, f, resource, list);
    out.push(f.toArtifact(localImportPrefix(gm.settings)));
  }
  return out;
}

function bodyObject(gm: GoModel, op: Operation): ObjectDecl | undefined {
  return op.body ? gm.objectOf(op.body.type) : undefined;
}

function sameType(a: TypeRef, b: TypeRef): boolean {
  return JSON.stringify(stripConstraints(a)) === JSON.stringify(stripConstraints(b));
}

function stripConstraints(t: TypeRef): TypeRef {
  if (t.kind === 'array') return { kind: 'array', items: stripConstraints(t.items) };
  if (t.kind === 'map') return { kind: 'map', values: stripConstraints(t.values) };
  return t;
}

/** A field of the request body copied onto the entity field of the same name and type. */
interface Copy {
  target: Field;
  source: Field;
  targetPtr: boolean;
  sourcePtr: boolean;
}

function copies(gm: GoModel, entity: ObjectDecl, body: ObjectDecl | undefined, resource: Resource): Copy[] {
  if (!body) return [];
  const out: Copy[] = [];
  for (const target of entity.fields) {
    // A client-chosen identifier is usually read-only in the entity, yet the create request carries it.
    if (target.readOnly && !(target.name === resource.idField && resource.idAssignment === 'client')) continue;
    const source = body.fields.find((b) => b.name === target.name && sameType(b.type, target.type));
    if (!source) continue;
    out.push({ target, source, targetPtr: gm.fieldIsPointer(target), sourcePtr: gm.fieldIsPointer(source) });
  }
  return out;
}

function isTime(field: Field): boolean {
  return field.type.kind === 'scalar' && field.type.scalar === 'datetime';
}

/** A parameter of the create operation that names the new record (AIP-133's `?book_id=`). */
function idParameter(resource: Resource, op: Operation): Parameter | undefined {
  const candidates = new Set([resource.idField, `${words(resource.name).join('_')}_id`, unexportedName(`${resource.name} id`)]);
  return op.parameters.find((p) => p.in !== 'header' && p.in !== 'cookie' && candidates.has(p.name));
}

/**
 * `newProduct(req CreateProductRequest) *models.Product`: the fields the client
 * sent, the identifier (per Resource.idAssignment), the creation time and the
 * contract's defaults for enums the client left out.
 */
function createHelper(gm: GoModel, f: GoFile, resource: Resource, entity: ObjectDecl, op: Operation): void {
  const models = f.use(gm.modelsPkg);
  const entityName = gm.typeName(entity.name);
  const body = bodyObject(gm, op);
  const local = unexportedName(resource.name);
  const copied = copies(gm, entity, body, resource);
  const literal: string[] = [];
  const after: string[] = [];
  let needsNow = false;
  let defaults = false;
  let idPart: string | undefined;
  for (const field of entity.fields) {
    const name = gm.fieldName(entity, field);
    const ptr = gm.fieldIsPointer(field);
    if (field.name === resource.idField) {
      if (copied.some((c) => c.target === field)) {
        idPart = 'the identifier the client chose';
        continue;
      }
      const assignment = resource.idAssignment ?? 'uuid';
      // The database assigns the identifier when the repository inserts the record.
      if (assignment === 'database') {
        idPart = 'no identifier (the database assigns it)';
        continue;
      }
      const param = assignment === 'client' ? idParameter(resource, op) : undefined;
      if (param) {
        idPart = 'the identifier the client chose';
        const value = `req.${gm.paramField(param)}`;
        if (gm.paramIsPointer(param) === ptr) literal.push(`\t\t${name}:\v${value},`);
        else if (ptr) literal.push(`\t\t${name}:\v&${value},`);
        else after.push(`\tif ${value} != nil {`, `\t\t${local}.${name} = *${value}`, '\t}');
      } else if (field.type.kind === 'scalar' && (field.type.scalar === 'string' || field.type.scalar === 'uuid') && !ptr) {
        idPart = 'a new UUID';
        literal.push(`\t\t${name}:\v${f.use('github.com/google/uuid')}.NewString(),`);
      }
      continue;
    }
    if (isTime(field) && (CREATED_FIELDS.includes(field.name) || UPDATED_FIELDS.includes(field.name))) {
      needsNow = true;
      literal.push(`\t\t${name}:\v${ptr ? '&now' : 'now'},`);
    }
  }
  for (const c of copied) {
    const t = gm.fieldName(entity, c.target);
    const s = `req.Body.${gm.fieldName(body!, c.source)}`;
    if (c.sourcePtr === c.targetPtr) literal.push(`\t\t${t}:\v${s},`);
    else if (!c.sourcePtr && c.targetPtr) literal.push(`\t\t${t}:\v&${s},`);
    else after.push(`\tif ${s} != nil {`, `\t\t${local}.${t} = *${s}`, '\t}');
  }
  // Required enums the client did not set start at the contract's first value.
  for (const field of entity.fields) {
    const d = field.type.kind === 'named' ? gm.decl(field.type.name) : undefined;
    const copy = copied.find((c) => c.target === field);
    if (d?.kind !== 'enum' || !field.required || field.nullable || (copy && !copy.sourcePtr)) continue;
    const first = gm.enumConsts(d)[0];
    if (first === undefined) continue;
    literal.push(`\t\t${gm.fieldName(entity, field)}:\v${models}.${first},`);
    defaults = true;
  }
  const lines: string[] = [];
  if (needsNow) lines.push(`\tnow := ${f.use('time')}.Now().UTC()`);
  const value = `&${models}.${entityName}{`;
  if (after.length === 0) lines.push(`\treturn ${value}`, ...sortLiteral(literal, entity, gm), '\t}');
  else lines.push(`\t${local} := ${value}`, ...sortLiteral(literal, entity, gm), '\t}', ...after, `\treturn ${local}`);
  const h = names(gm, resource);
  const parts = [
    ...(copied.some((c) => c.target.name !== resource.idField) ? ['the fields the client sent'] : []),
    ...(idPart ? [idPart] : []),
    ...(needsNow ? ['the creation time'] : []),
    ...(defaults ? ["the contract's defaults"] : []),
  ];
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` : parts[0];
  f.add(
    ...comment(`${h.create} builds the ${entityName} that ${gm.opName(op)} stores from its request${listed ? `: ${listed}` : ''}.`),
    `func ${h.create}(req ${requestType(gm, op)}) *${models}.${entityName} {`,
    ...lines,
    '}',
  );
}

/** Keeps struct literal keys in the entity's field order, as a reader expects. */
function sortLiteral(lines: string[], entity: ObjectDecl, gm: GoModel): string[] {
  const order = new Map(entity.fields.map((fl, i) => [gm.fieldName(entity, fl), i]));
  const key = (l: string) => order.get(l.trim().split(':')[0]!) ?? 0;
  return [...lines].sort((a, b) => key(a) - key(b));
}

/**
 * `applyProductUpdate(product *models.Product, req UpdateProductRequest)`:
 * PATCH changes the fields the client sent, PUT replaces the record's
 * writable fields; either way the update time moves on.
 */
function updateHelper(gm: GoModel, f: GoFile, resource: Resource, entity: ObjectDecl, op: Operation): void {
  const models = f.use(gm.modelsPkg);
  const body = bodyObject(gm, op);
  const local = unexportedName(resource.name);
  const lines: string[] = [];
  for (const c of copies(gm, entity, body, resource)) {
    if (c.target.name === resource.idField) continue;
    const t = `${local}.${gm.fieldName(entity, c.target)}`;
    const s = `req.Body.${gm.fieldName(body!, c.source)}`;
    const optional = !c.source.required && op.method !== 'PUT';
    if (c.sourcePtr && !c.targetPtr) lines.push(`\tif ${s} != nil {`, `\t\t${t} = *${s}`, '\t}');
    else if (c.sourcePtr === c.targetPtr && optional) lines.push(`\tif ${s} != nil {`, `\t\t${t} = ${s}`, '\t}');
    else if (c.sourcePtr === c.targetPtr) lines.push(`\t${t} = ${s}`);
    else lines.push(`\t${t} = &${s}`);
  }
  const updated = entity.fields.find((fl) => isTime(fl) && UPDATED_FIELDS.includes(fl.name));
  if (updated) {
    const now = `${f.use('time')}.Now().UTC()`;
    const name = gm.fieldName(entity, updated);
    if (gm.fieldIsPointer(updated)) lines.push(`\tnow := ${now}`, `\t${local}.${name} = &now`);
    else lines.push(`\t${local}.${name} = ${now}`);
  }
  const h = names(gm, resource);
  const what = op.method === 'PUT' ? 'replaces the writable fields of' : 'changes the fields the client sent on';
  f.add(
    ...comment(`${h.update} ${what} ${local}, as ${gm.opName(op)} asks.`),
    `func ${h.update}(${local} *${models}.${gm.typeName(entity.name)}, req ${requestType(gm, op)}) {`,
    ...lines,
    '}',
  );
}

/**
 * `productPage(req ListProductsRequest) repository.Page` and
 * `productList(items, next) *models.ProductList`.
 */
function listHelpers(gm: GoModel, f: GoFile, resource: Resource, op: Operation): void {
  const shape = resource.list!;
  const repository = f.use(`${gm.settings.module}/internal/repository`);
  const h = names(gm, resource);
  const size = op.parameters.find((p) => p.name === shape.pageSizeParam);
  const token = op.parameters.find((p) => p.name === shape.pageTokenParam);
  const page: string[] = [];
  if (size && !gm.paramIsPointer(size)) page.push(`\tpage := ${repository}.Page{Size: int(req.${gm.paramField(size)})}`);
  else {
    page.push(`\tpage := ${repository}.Page{Size: ${shape.defaultPageSize}}`);
    if (size) page.push(`\tif req.${gm.paramField(size)} != nil {`, `\t\tpage.Size = int(*req.${gm.paramField(size)})`, '\t}');
  }
  if (token) {
    if (gm.paramIsPointer(token)) page.push(`\tif req.${gm.paramField(token)} != nil {`, `\t\tpage.Token = *req.${gm.paramField(token)}`, '\t}');
    else page.push(`\tpage.Token = req.${gm.paramField(token)}`);
  }
  const reqParam = size || token ? 'req' : '_';
  f.add(
    ...comment(`${h.page} is the page of ${words(resource.plural).join(' ')} ${gm.opName(op)} asks the repository for.`),
    `func ${h.page}(${reqParam} ${requestType(gm, op)}) ${repository}.Page {`,
    ...page,
    '\treturn page',
    '}',
  );

  // A bare array answers the items themselves: no response type to build.
  if (!shape.responseType) return;
  const models = f.use(gm.modelsPkg);
  const respDecl = gm.decl(shape.responseType) as ObjectDecl;
  const itemsField = respDecl.fields.find((fl) => fl.name === shape.itemsField)!;
  const nextField = shape.nextTokenField ? respDecl.fields.find((fl) => fl.name === shape.nextTokenField) : undefined;
  const respName = gm.typeName(respDecl.name);
  const list: string[] = [];
  const literal = `&${models}.${respName}{${gm.fieldName(respDecl, itemsField)}: items}`;
  if (nextField && gm.fieldIsPointer(nextField)) {
    list.push(`\tresp := ${literal}`, '\tif next != "" {', `\t\tresp.${gm.fieldName(respDecl, nextField)} = &next`, '\t}', '\treturn resp');
  } else if (nextField) {
    list.push(`\treturn &${models}.${respName}{${gm.fieldName(respDecl, itemsField)}: items, ${gm.fieldName(respDecl, nextField)}: next}`);
  } else {
    list.push(`\treturn ${literal}`);
  }
  const doc = nextField
    ? `${h.list} is the ${gm.opName(op)} response: the items of a page and the token of the next one ("" on the last page).`
    : `${h.list} is the ${gm.opName(op)} response: the items of a page (the contract has no field for the next page's token).`;
  f.add(
    ...comment(doc),
    `func ${h.list}(items ${gm.goType(itemsField.type, f)}, ${nextField ? 'next' : '_'} string) *${models}.${respName} {`,
    ...list,
    '}',
  );
}

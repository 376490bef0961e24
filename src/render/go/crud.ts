import type { CrudKind, Field, ObjectDecl, Operation, Resource, TypeRef } from '../../model/types.js';
import type { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goString, unexportedName } from './naming.js';
import { words } from '../../model/names.js';
import { responseSet } from './responses.js';

/** Field names that the service fills in itself when an entity is created or changed. */
const CREATED_FIELDS = ['created_at', 'createdAt', 'create_time', 'createTime'];
const UPDATED_FIELDS = ['updated_at', 'updatedAt', 'update_time', 'updateTime'];

/** The resource and standard method an operation implements, if any. */
export function crudRole(gm: GoModel, op: Operation): { resource: Resource; kind: CrudKind } | undefined {
  for (const resource of gm.model.resources) {
    for (const [kind, name] of Object.entries(resource.operations)) {
      if (name === op.name) return { resource, kind: kind as CrudKind };
    }
  }
  return undefined;
}

/**
 * The body of a service method that implements a standard operation through
 * the resource's repository, or undefined when the operation is not one.
 */
export function renderCrudBody(gm: GoModel, op: Operation, f: GoFile): string[] | undefined {
  const role = crudRole(gm, op);
  if (!role) return undefined;
  const { resource, kind } = role;
  const entity = gm.decl(resource.entity) as ObjectDecl;
  const noun = words(resource.name).join(' ');
  const repo = `s.repos.${gm.repoField(resource)}`;
  const fmt = f.use('fmt');
  const wrap = (verb: string) => `${fmt}.Errorf(${goString(`${verb} ${noun}: %w`)}, err)`;
  // The record is named by the last path parameter (`/shops/{shop}/items/{id}`: id).
  const last = /\{([^}]+)\}[^{}]*$/.exec(op.path)?.[1];
  const idParam = op.parameters.find((p) => p.in === 'path' && p.name === last);
  const id = idParam ? `req.${gm.paramField(idParam)}` : '';
  const local = unexportedName(resource.name);
  const event = (what: string) => `\ts.publish(ctx, ${goString(`${words(resource.name).join('_')}.${what}`)}, ${local})`;
  return crudLines(gm, op, f, kind, resource, entity, repo, id, local, wrap, event, returns(gm, op));
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

function crudLines(
  gm: GoModel,
  op: Operation,
  f: GoFile,
  kind: CrudKind,
  resource: Resource,
  entity: ObjectDecl,
  repo: string,
  id: string,
  local: string,
  wrap: (verb: string) => string,
  event: (what: string) => string,
  r: Returns,
): string[] {
  switch (kind) {
    case 'get':
      return [`\t${local}, err := ${repo}.Get(ctx, ${id})`, '\tif err != nil {', `\t\t${r.fail(wrap('get'))}`, '\t}', `\t${r.ok(local)}`];
    case 'delete': {
      const deleted = `\ts.publish(ctx, ${goString(`${words(resource.name).join('_')}.deleted`)}, ${id})`;
      if (!op.success.type) return [`\tif err := ${repo}.Delete(ctx, ${id}); err != nil {`, `\t\t${r.fail(wrap('delete'))}`, '\t}', deleted, `\t${r.ok()}`];
      // The contract answers with the deleted record.
      return [
        `\t${local}, err := ${repo}.Get(ctx, ${id})`,
        '\tif err != nil {',
        `\t\t${r.fail(wrap('delete'))}`,
        '\t}',
        `\tif err := ${repo}.Delete(ctx, ${id}); err != nil {`,
        `\t\t${r.fail(wrap('delete'))}`,
        '\t}',
        deleted,
        `\t${r.ok(local)}`,
      ];
    }
    case 'create':
      return createBody(gm, op, f, entity, resource, local, repo, wrap('create'), event('created'), r);
    case 'update':
      return updateBody(gm, op, f, entity, local, repo, id, wrap('update'), event('updated'), r);
    case 'list':
      return listBody(gm, op, f, resource, repo, wrap('list'), r);
  }
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

interface Copy {
  target: Field;
  source: Field;
  targetPtr: boolean;
  sourcePtr: boolean;
}

function copies(gm: GoModel, entity: ObjectDecl, body: ObjectDecl | undefined): Copy[] {
  if (!body) return [];
  const out: Copy[] = [];
  for (const target of entity.fields) {
    if (target.readOnly) continue;
    const source = body.fields.find((b) => b.name === target.name && sameType(b.type, target.type));
    if (!source) continue;
    out.push({
      target,
      source,
      targetPtr: gm.fieldIsPointer(target),
      sourcePtr: gm.fieldIsPointer(source),
    });
  }
  return out;
}

function isTime(field: Field): boolean {
  return field.type.kind === 'scalar' && field.type.scalar === 'datetime';
}

function createBody(gm: GoModel, op: Operation, f: GoFile, entity: ObjectDecl, resource: Resource, local: string, repo: string, wrap: string, event: string, r: Returns): string[] {
  const models = f.use(gm.modelsPkg);
  const entityName = gm.typeName(entity.name);
  const body = bodyObject(gm, op);
  const literal: string[] = [];
  const after: string[] = [];
  let needsNow = false;
  for (const field of entity.fields) {
    const name = gm.fieldName(entity, field);
    const ptr = gm.fieldIsPointer(field);
    if (field.name === resource.idField) {
      // Server-assigned unless the client sends the identifier itself.
      const clientAssigned = copies(gm, entity, body).some((c) => c.target === field);
      // The database assigns an integer identifier when the record is stored.
      if (!clientAssigned && resource.idAssignment !== 'database') literal.push(`\t\t${name}:\v${f.use('github.com/google/uuid')}.NewString(),`);
      continue;
    }
    if (isTime(field) && (CREATED_FIELDS.includes(field.name) || UPDATED_FIELDS.includes(field.name))) {
      needsNow = true;
      literal.push(`\t\t${name}:\v${ptr ? '&now' : 'now'},`);
    }
  }
  for (const c of copies(gm, entity, body)) {
    const t = gm.fieldName(entity, c.target);
    const s = `req.Body.${gm.fieldName(body!, c.source)}`;
    if (c.sourcePtr === c.targetPtr) literal.push(`\t\t${t}:\v${s},`);
    else if (!c.sourcePtr && c.targetPtr) literal.push(`\t\t${t}:\v&${s},`);
    else after.push(`\tif ${s} != nil {`, `\t\t${local}.${t} = *${s}`, '\t}');
  }
  // Required enums the client did not set start at the contract's first value.
  for (const field of entity.fields) {
    const d = field.type.kind === 'named' ? gm.decl(field.type.name) : undefined;
    const copied = copies(gm, entity, body).find((c) => c.target === field);
    if (d?.kind !== 'enum' || !field.required || field.nullable || (copied && !copied.sourcePtr)) continue;
    const first = gm.enumConsts(d)[0];
    if (first === undefined) continue;
    literal.push(`\t\t${gm.fieldName(entity, field)}:\v${models}.${first},`);
  }
  const lines: string[] = [];
  if (needsNow) lines.push(`\tnow := ${f.use('time')}.Now().UTC()`);
  lines.push(`\t${local} := &${models}.${entityName}{`, ...sortLiteral(literal, entity, gm), '\t}', ...after);
  lines.push(`\tif err := ${repo}.Create(ctx, ${local}); err != nil {`, `\t\t${r.fail(wrap)}`, '\t}', event, `\t${r.ok(local)}`);
  return lines;
}

/** Keeps struct literal keys in the entity's field order, as a reader expects. */
function sortLiteral(lines: string[], entity: ObjectDecl, gm: GoModel): string[] {
  const order = new Map(entity.fields.map((fl, i) => [gm.fieldName(entity, fl), i]));
  const key = (l: string) => order.get(l.trim().split(':')[0]!) ?? 0;
  return [...lines].sort((a, b) => key(a) - key(b));
}

function updateBody(gm: GoModel, op: Operation, f: GoFile, entity: ObjectDecl, local: string, repo: string, id: string, wrap: string, event: string, r: Returns): string[] {
  const body = bodyObject(gm, op);
  const lines = [`\t${local}, err := ${repo}.Get(ctx, ${id})`, '\tif err != nil {', `\t\t${r.fail(wrap)}`, '\t}'];
  for (const c of copies(gm, entity, body)) {
    const t = `${local}.${gm.fieldName(entity, c.target)}`;
    const s = `req.Body.${gm.fieldName(body!, c.source)}`;
    // PATCH changes what the client sends; PUT replaces the whole record.
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
  lines.push(`\tif err := ${repo}.Update(ctx, ${local}); err != nil {`, `\t\t${r.fail(wrap)}`, '\t}', event, `\t${r.ok(local)}`);
  return lines;
}

function listBody(gm: GoModel, op: Operation, f: GoFile, resource: Resource, repo: string, wrap: string, r: Returns): string[] {
  const shape = resource.list!;
  const repository = f.use(`${gm.settings.module}/internal/repository`);
  const lines: string[] = [];
  const size = op.parameters.find((p) => p.name === shape.pageSizeParam);
  const token = op.parameters.find((p) => p.name === shape.pageTokenParam);
  if (size && !gm.paramIsPointer(size)) lines.push(`\tpage := ${repository}.Page{Size: int(req.${gm.paramField(size)})}`);
  else {
    lines.push(`\tpage := ${repository}.Page{Size: ${shape.defaultPageSize}}`);
    if (size) lines.push(`\tif req.${gm.paramField(size)} != nil {`, `\t\tpage.Size = int(*req.${gm.paramField(size)})`, '\t}');
  }
  if (token) {
    if (gm.paramIsPointer(token)) lines.push(`\tif req.${gm.paramField(token)} != nil {`, `\t\tpage.Token = *req.${gm.paramField(token)}`, '\t}');
    else lines.push(`\tpage.Token = req.${gm.paramField(token)}`);
  }
  if (!shape.responseType) {
    // A bare array: the one page, no token.
    lines.push(`\titems, _, err := ${repo}.List(ctx, page)`, '\tif err != nil {', `\t\t${r.fail(wrap)}`, '\t}', `\t${r.ok('items')}`);
    return lines;
  }
  const models = f.use(gm.modelsPkg);
  const respDecl = gm.decl(shape.responseType) as ObjectDecl;
  const nextField = shape.nextTokenField ? respDecl.fields.find((fl) => fl.name === shape.nextTokenField) : undefined;
  lines.push(`\titems, ${nextField ? 'next' : '_'}, err := ${repo}.List(ctx, page)`, '\tif err != nil {', `\t\t${r.fail(wrap)}`, '\t}');
  const itemsField = respDecl.fields.find((fl) => fl.name === shape.itemsField)!;
  lines.push(`\tresp := &${models}.${gm.typeName(respDecl.name)}{${gm.fieldName(respDecl, itemsField)}: items}`);
  if (nextField) {
    const name = gm.fieldName(respDecl, nextField);
    if (gm.fieldIsPointer(nextField)) lines.push('\tif next != "" {', `\t\tresp.${name} = &next`, '\t}');
    else lines.push(`\tresp.${name} = next`);
  }
  lines.push(`\t${r.ok('resp')}`);
  return lines;
}

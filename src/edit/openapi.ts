import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { kebab, pascal, plural, snake } from '../model/names.js';
import type { FieldSpec } from './fields.js';
import { insertEntries, lineOf, nodeAt, pairOf, parseYaml, tagNames, type Insertion, type ParsedYaml } from './yamlsplice.js';

/**
 * Edits an OpenAPI contract: a CRUD resource or one operation is added where
 * it belongs, and the rest of the file is kept byte for byte (see
 * yamlsplice.ts). Nothing here decides names: the caller renders the
 * resource from the starter contract.
 */

/** The HTTP methods `svc add operation` adds. */
export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

/** The identifier and timestamps the starter's resource sets itself (the read-only properties). */
export const OPENAPI_RESERVED_FIELDS = ['id', 'created_at', 'updated_at'];

/** How inserted YAML is written: as the starter contract writes it. */
const STYLE = { singleQuote: true, flowCollectionPadding: false } as const;

/** The sections a resource adds to; the others' entries (shared responses, the Problem schema) are added only when missing. */
const SECTIONS: readonly (readonly string[])[] = [['paths'], ['components', 'parameters'], ['components', 'schemas'], ['components', 'responses']];

/**
 * Adds the resource `starter` (the starter contract rendered for it, whose
 * entity schema is `entity`) to the contract `text`. Its paths, parameters,
 * operation ids and `<entity>*` schemas must be new: one that exists is a
 * user error naming its line. With `fields`, the entity's writable fields
 * are those.
 */
export function addOpenApiResource(text: string, file: string, starter: string, entity: string, fields?: readonly FieldSpec[]): string {
  const target = parseYaml(text, file);
  const fragment = parseYaml(fields ? withFields(starter, entity, fields) : starter, 'the starter contract');
  const insertions: Insertion[] = [];
  for (const path of SECTIONS) {
    const from = nodeAt(fragment.doc, path);
    if (!isMap(from)) continue;
    for (const pair of from.items as Pair<Node, Node>[]) {
      const key = keyOf(pair);
      const own = path[0] === 'paths' || path[1] === 'parameters' || (path[1] === 'schemas' && key.startsWith(entity));
      const have = pairOf(nodeAt(target.doc, path), key);
      if (!have) insertions.push({ path, key });
      else if (own) throw new UserError(`${describe(path, key)} already exists: the contract has a resource (or a name) the new one would clash with`, at(target, have.key));
    }
  }
  refuseTakenOperationIds(target, operationIds(fragment));
  return insertEntries(target, fragment, insertions, tagNames(nodeAt(fragment.doc, ['tags'])));
}

/** What `svc add operation` adds. */
export interface OperationSpec {
  operationId: string;
  method: Method;
  /** `/orders/{id}/approve` or `/orders/{id}:approve`: `{name}` path parameters (proto: a google.api.http template). */
  path: string;
  /** The resource it belongs to: its tag groups the operation with the resource's. */
  resource?: string;
}

/**
 * Adds one operation with a request body (for post, put, patch) and a
 * response of its own, `<OperationId>Request` and `<OperationId>Response`,
 * empty objects for the user to fill in.
 */
export function addOpenApiOperation(text: string, file: string, spec: OperationSpec): string {
  const target = parseYaml(text, file);
  refuseTakenOperationIds(target, [spec.operationId]);
  const item = pairOf(nodeAt(target.doc, ['paths']), spec.path);
  const existing = item ? pairOf(item.value, spec.method) : undefined;
  if (existing) throw new UserError(`${spec.method.toUpperCase()} ${spec.path} already exists`, at(target, existing.key));
  const name = pascal(spec.operationId);
  const withBody = spec.method === 'post' || spec.method === 'put' || spec.method === 'patch';
  const schemas = [...(withBody ? [`${name}Request`] : []), `${name}Response`];
  for (const s of schemas) {
    const have = pairOf(nodeAt(target.doc, ['components', 'schemas']), s);
    if (have) throw new UserError(`${describe(['components', 'schemas'], s)} already exists: choose another operation id`, at(target, have.key));
  }

  const operation: Record<string, unknown> = { operationId: spec.operationId };
  if (spec.resource !== undefined) operation.tags = [tagOf(target, spec.resource)];
  operation.summary = `TODO: say what ${spec.operationId} does.`;
  const declared = item ? pathLevelParameters(target, item.value) : [];
  const params = [...spec.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).filter((p) => !declared.includes(p));
  if (params.length > 0) operation.parameters = params.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } }));
  const ref = (s: string) => ({ $ref: `#/components/schemas/${s}` });
  if (withBody) operation.requestBody = { required: true, content: { 'application/json': { schema: ref(`${name}Request`) } } };
  const responses: Record<string, unknown> = {
    '200': { description: `The result of ${spec.operationId}.`, content: { 'application/json': { schema: ref(`${name}Response`) } } },
  };
  if (pairOf(nodeAt(target.doc, ['components', 'responses']), 'Error')) responses.default = { $ref: '#/components/responses/Error' };
  operation.responses = responses;

  const components: Record<string, unknown> = {};
  for (const s of schemas) {
    const what = s.endsWith('Request') ? 'request body' : 'response';
    components[s] = { type: 'object', description: `The ${what} of ${spec.operationId}: TODO: add its properties.`, properties: {} };
  }
  const doc = new Document({ paths: { [spec.path]: { [spec.method]: operation } }, components: { schemas: components } });
  const tags = doc.getIn(['paths', spec.path, spec.method, 'tags'], true);
  if (isSeq(tags)) tags.flow = true;
  const fragment = parseYaml(doc.toString(STYLE), 'the new operation');
  const insertions: Insertion[] = [item ? { path: ['paths', spec.path], key: spec.method } : { path: ['paths'], key: spec.path }, ...schemas.map((s) => ({ path: ['components', 'schemas'], key: s }))];
  return insertEntries(target, fragment, insertions);
}

/**
 * The starter's resource with the user's fields: the entity keeps its
 * read-only properties (identifier, timestamps) around them; the request
 * schemas (those whose properties are the entity's writable ones) get just
 * them. Schemas no longer referenced (the status enum) and the request
 * examples, which were for the starter's fields, go.
 */
export function withFields(starter: string, entity: string, fields: readonly FieldSpec[]): string {
  const doc = parseDocument(starter);
  const schemas = doc.getIn(['components', 'schemas']) as YAMLMap<Node, Node>;
  const props = (schemas.get(entity) as YAMLMap<Node, Node>).get('properties') as YAMLMap<Node, Node>;
  const readOnly = (p: Pair<Node, Node>) => isMap(p.value) && (p.value as YAMLMap).get('readOnly') === true;
  const writable = props.items.filter((p) => !readOnly(p)).map(keyOf);
  const firstWritable = props.items.findIndex((p) => !readOnly(p));
  const leading = props.items.slice(0, firstWritable).map(keyOf);
  const readOnlyNames = props.items.filter(readOnly).map(keyOf);
  const required = fields.filter((f) => f.required).map((f) => f.name);

  for (const pair of [...schemas.items]) {
    const name = keyOf(pair);
    const schema = pair.value as YAMLMap<unknown, unknown>;
    const own = isMap(schema) ? (schema.get('properties') as YAMLMap<Node, Node> | undefined) : undefined;
    if (!name.startsWith(entity) || !isMap(own)) continue;
    const isEntity = name === entity;
    if (!isEntity && !own.items.every((p) => writable.includes(keyOf(p)))) continue;
    const next: Record<string, unknown> = {};
    const keep = (names: string[]) => {
      for (const n of names) next[n] = (own.get(n, true) as Node).toJSON();
    };
    if (isEntity) keep(leading);
    for (const f of fields) next[f.name] = fieldSchema(f);
    if (isEntity) keep(readOnlyNames.filter((n) => !leading.includes(n)));
    schema.set('properties', doc.createNode(next));
    if (schema.has('required')) {
      const was = (schema.get('required') as { toJSON(): string[] }).toJSON();
      const now = [...(isEntity ? was.filter((n) => readOnlyNames.includes(n)) : []), ...required];
      if (now.length === 0) schema.delete('required');
      else {
        const seq = doc.createNode(now);
        seq.flow = true;
        schema.set('required', seq);
      }
    }
  }
  dropRequestExamples(doc);
  for (const pair of [...schemas.items]) {
    const name = keyOf(pair);
    const text = doc.toString();
    if (name.startsWith(entity) && name !== entity && !new RegExp(`#/components/schemas/${name}(?![A-Za-z0-9_.-])`).test(text)) schemas.delete(name);
  }
  return doc.toString(STYLE);
}

/** The JSON schema of one field. */
export function fieldSchema(f: FieldSpec): Record<string, unknown> {
  const scalar: Record<FieldSpec['type'], Record<string, unknown>> = {
    string: { type: 'string' },
    integer: { type: 'integer', format: 'int64' },
    number: { type: 'number', format: 'double' },
    boolean: { type: 'boolean' },
    'date-time': { type: 'string', format: 'date-time' },
  };
  return f.list ? { type: 'array', items: scalar[f.type] } : scalar[f.type];
}

function dropRequestExamples(doc: Document.Parsed): void {
  const paths = doc.get('paths') as YAMLMap<Node, Node> | undefined;
  for (const item of paths?.items ?? []) {
    if (!isMap(item.value)) continue;
    for (const op of (item.value as YAMLMap<Node, Node>).items) {
      const content = isMap(op.value) ? (op.value as YAMLMap).getIn(['requestBody', 'content']) : undefined;
      if (!isMap(content)) continue;
      for (const media of content.items) if (isMap(media.value)) media.value.delete('example');
    }
  }
}

function keyOf(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function describe(path: readonly string[], key: string): string {
  return path[0] === 'paths' ? `the path ${key}` : `${path.join('.')}.${key}`;
}

function at(p: ParsedYaml, node: Node): { file: string; line?: number } {
  const line = lineOf(p, node);
  return line === undefined ? { file: p.file } : { file: p.file, line };
}

/** Every operation id in a document, with the node naming it. */
function operationIdNodes(p: ParsedYaml): Map<string, Node> {
  const out = new Map<string, Node>();
  const paths = nodeAt(p.doc, ['paths']);
  if (!isMap(paths)) return out;
  for (const item of paths.items as Pair<Node, Node>[]) {
    if (!isMap(item.value)) continue;
    for (const op of (item.value as YAMLMap<Node, Node>).items) {
      const id = pairOf(op.value, 'operationId');
      if (id && isScalar(id.value)) out.set(String(id.value.value), id.value);
    }
  }
  return out;
}

function operationIds(p: ParsedYaml): string[] {
  return [...operationIdNodes(p).keys()];
}

function refuseTakenOperationIds(target: ParsedYaml, ids: readonly string[]): void {
  const taken = operationIdNodes(target);
  for (const id of ids) {
    const node = taken.get(id);
    if (node) throw new UserError(`the operation ${id} already exists`, at(target, node));
  }
}

/** Path parameters a path item declares for all its operations (directly or by a components.parameters $ref). */
function pathLevelParameters(target: ParsedYaml, item: unknown): string[] {
  const params = pairOf(item, 'parameters')?.value;
  if (!isSeq(params)) return [];
  const names: string[] = [];
  for (const p of params.items) {
    let param: unknown = p;
    const ref = pairOf(p, '$ref')?.value;
    if (isScalar(ref)) param = pairOf(nodeAt(target.doc, ['components', 'parameters']), String(ref.value).split('/').pop()!)?.value;
    const name = pairOf(param, 'name')?.value;
    const where = pairOf(param, 'in')?.value;
    if (isScalar(name) && isScalar(where) && where.value === 'path') names.push(String(name.value));
  }
  return names;
}

/**
 * The tag of a resource's operations, which groups a new one with them: the
 * first tag on its collection path; the collection's name when untagged. A
 * resource the contract does not have (no schema of its name) is refused.
 */
function tagOf(target: ParsedYaml, resource: string): string {
  const entity = pascal(resource);
  if (!pairOf(nodeAt(target.doc, ['components', 'schemas']), entity)) {
    throw new UserError(`--resource ${resource}: the contract has no resource ${resource} (no schema ${entity}); add it with \`svc add resource ${resource}\``, { file: target.file });
  }
  const collections = [`/${kebab(plural(resource))}`, `/${snake(plural(resource))}`];
  const paths = nodeAt(target.doc, ['paths']);
  for (const item of isMap(paths) ? (paths.items as Pair<Node, Node>[]) : []) {
    if (!collections.some((c) => keyOf(item) === c || keyOf(item).startsWith(`${c}/`))) continue;
    for (const op of isMap(item.value) ? (item.value as YAMLMap<Node, Node>).items : []) {
      const tags = pairOf(op.value, 'tags')?.value;
      if (isSeq(tags) && isScalar(tags.items[0])) return String(tags.items[0].value);
    }
  }
  return kebab(plural(resource));
}

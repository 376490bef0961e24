import type { Body, HttpMethod, Operation, Parameter, ParamLocation, Response } from '../../model/types.js';
import { camel, pascal } from '../../model/names.js';
import { BuildContext, isObject, ptr, type Json } from './context.js';
import { constraintsOf, typeRefOf } from './schemas.js';
import { resourceMarker } from './marker.js';
import { cacheTtl, operationLimits } from './limits.js';
import type { ContractSecurity } from './security.js';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const LOCATIONS = new Set<ParamLocation>(['path', 'query', 'header', 'cookie']);

/** Converts every path operation to the model, in path then method order. */
export function buildOperations(ctx: BuildContext, security: ContractSecurity): Operation[] {
  const operations: Operation[] = [];
  const byName = new Map<string, string>();
  const paths = ctx.doc.paths ?? {};
  for (const path of Object.keys(paths)) {
    const item = ctx.resolve(paths[path], ptr('#', 'paths', path)).node;
    const itemPointer = ptr('#', 'paths', path);
    // In the order the contract lists them: that is the order readers expect.
    const methods = Object.keys(item)
      .map((k) => k.toUpperCase() as HttpMethod)
      .filter((m) => METHODS.includes(m));
    for (const method of methods) {
      const raw = item[method.toLowerCase()];
      if (!isObject(raw)) continue;
      const at = ptr(itemPointer, method.toLowerCase());
      const op = buildOperation(ctx, security, path, method, raw, item, at);
      const clash = byName.get(op.name);
      if (clash) throw ctx.error(ptr(at, 'operationId'), `duplicate operation name "${op.name}" (also used by ${clash})`);
      byName.set(op.name, `${method} ${path}`);
      operations.push(op);
    }
  }
  return operations;
}

function buildOperation(ctx: BuildContext, security: ContractSecurity, path: string, method: HttpMethod, raw: Json, item: Json, at: string): Operation {
  const name = typeof raw.operationId === 'string' && raw.operationId !== '' ? camel(raw.operationId) : derivedName(method, path);
  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];
  const op: Operation = {
    name,
    method,
    path,
    group: tags[0] ?? 'default',
    deprecated: raw.deprecated === true,
    parameters: parameters(ctx, name, item, raw, at),
    success: { status: 204 },
    otherResponses: [],
    security: security.of(raw.security, ptr(at, 'security')),
  };
  const limits = operationLimits(ctx, raw, at);
  if (limits) op.limits = limits;
  const ttl = cacheTtl(ctx, raw, at);
  if (ttl !== undefined) op.cacheTtlMs = ttl;
  if (raw['x-svc-idempotent'] !== undefined) {
    if (typeof raw['x-svc-idempotent'] !== 'boolean') throw ctx.error(ptr(at, 'x-svc-idempotent'), `x-svc-idempotent must be true or false, not ${JSON.stringify(raw['x-svc-idempotent'])}`);
    op.idempotent = raw['x-svc-idempotent'];
  }
  if (typeof raw.summary === 'string') op.summary = raw.summary.trim();
  if (typeof raw.description === 'string') op.description = raw.description.trim();
  const marker = resourceMarker(ctx, raw, at);
  if (marker) op.resourceMarker = marker;
  for (const p of op.parameters) {
    if (p.in === 'path' && !path.includes(`{${p.name}}`)) {
      throw ctx.error(at, `path parameter "${p.name}" does not appear in the path ${path}`);
    }
  }
  for (const m of path.matchAll(/\{([^}]+)\}/g)) {
    if (!op.parameters.some((p) => p.in === 'path' && p.name === m[1])) {
      throw ctx.error(at, `the path ${path} uses {${m[1]}} but the operation declares no such path parameter`);
    }
  }
  const body = requestBody(ctx, name, raw, at);
  if (body) op.body = body;
  const responses = buildResponses(ctx, name, raw, at);
  op.success = responses.success;
  op.otherResponses = responses.others;
  return op;
}

/** `GET /products/{id}/reviews` → `getProductsIdReviews`. */
function derivedName(method: HttpMethod, path: string): string {
  const parts = path.split('/').filter(Boolean).map((s) => s.replace(/[{}]/g, ''));
  return camel([method.toLowerCase(), ...parts].join(' ')) || method.toLowerCase();
}

function parameters(ctx: BuildContext, opName: string, item: Json, raw: Json, at: string): Parameter[] {
  const merged = new Map<string, Parameter>();
  const collect = (list: unknown, base: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      const { node } = ctx.resolve(p, ptr(base, 'parameters', i));
      const param = parameter(ctx, opName, node, ptr(base, 'parameters', i));
      if (param) merged.set(`${param.in}:${param.name}`, param);
    });
  };
  collect(item.parameters, at.slice(0, at.lastIndexOf('/')));
  collect(raw.parameters, at);
  return [...merged.values()];
}

function parameter(ctx: BuildContext, opName: string, p: Json, at: string): Parameter | undefined {
  const name = String(p.name ?? '');
  const location = String(p.in ?? '') as ParamLocation;
  if (!LOCATIONS.has(location)) throw ctx.error(at, `parameter "${name}" has an unsupported location "${String(p.in)}"`);
  let schema: unknown = p.schema;
  if (schema === undefined && isObject(p.content)) {
    const first = Object.values(p.content)[0];
    schema = isObject(first) ? first.schema : undefined;
  }
  const resolved = isObject(schema) ? ctx.resolve(schema, ptr(at, 'schema')).node : {};
  const param: Parameter = {
    name,
    in: location,
    type: typeRefOf(ctx, schema ?? { type: 'string' }, ptr(at, 'schema'), `${pascal(opName)}${pascal(name)}`),
    required: location === 'path' || p.required === true,
    constraints: constraintsOf(resolved),
  };
  if (typeof p.description === 'string') param.description = p.description.trim();
  if (typeof p.style === 'string') param.style = p.style;
  if (typeof p.explode === 'boolean') param.explode = p.explode;
  if (resolved.default !== undefined) param.default = resolved.default;
  const example = p.example ?? resolved.example;
  if (example !== undefined) param.example = example;
  return param;
}

function requestBody(ctx: BuildContext, opName: string, raw: Json, at: string): Body | undefined {
  if (raw.requestBody === undefined) return undefined;
  const { node, pointer } = ctx.resolve(raw.requestBody, ptr(at, 'requestBody'));
  const content = isObject(node.content) ? node.content : {};
  const types = Object.keys(content);
  let contentType = pickJson(types) ?? types.find((t) => FORM_TYPES.includes(t));
  // A wildcard media type with a structured schema: JSON is what such a body is sent as.
  const wildcard = types.find((t) => t === '*/*' || t === 'application/*');
  if (!contentType && wildcard && isStructured(ctx, (content[wildcard] as Json | undefined)?.schema, ptr(pointer, 'content', wildcard, 'schema'))) {
    contentType = 'application/json';
    content[contentType] = content[wildcard];
  }
  if (!contentType) {
    // Any other media type (octet-stream, text, XML, images…) reaches the service as raw bytes.
    const raw = types[0];
    if (!raw) return undefined;
    const media = content[raw] as Json;
    const schema = isObject(media?.schema) ? ctx.resolve(media.schema, ptr(pointer, 'content', raw, 'schema')).node : {};
    if (isObject(schema.properties)) ctx.warn(pointer, `${opName}: a ${raw} body is passed to the service as raw bytes, not decoded`);
    return { type: { kind: 'scalar', scalar: 'bytes' }, required: node.required === true, contentType: raw };
  }
  const media = content[contentType] as Json;
  if (FORM_TYPES.includes(contentType) && !isObjectSchema(ctx, media.schema, ptr(pointer, 'content', contentType, 'schema'))) {
    ctx.warn(pointer, `${opName}: a ${contentType} body must be an object schema; the body is ignored`);
    return undefined;
  }
  const body: Body = {
    type: typeRefOf(ctx, media.schema, ptr(pointer, 'content', contentType, 'schema'), `${pascal(opName)}Request`),
    required: node.required === true,
    contentType,
  };
  const example = mediaExample(media);
  if (example !== undefined) body.example = example;
  return body;
}

function buildResponses(ctx: BuildContext, opName: string, raw: Json, at: string): { success: Response; others: Response[] } {
  const responses = isObject(raw.responses) ? raw.responses : {};
  const all: Response[] = [];
  for (const code of Object.keys(responses)) {
    const status = code === 'default' ? 0 : Number(code.replace(/XX$/i, '00'));
    const { node, pointer } = ctx.resolve(responses[code], ptr(at, 'responses', code));
    const response: Response = { status, code: /XX$/i.test(code) ? code.toUpperCase() : code };
    if (typeof node.description === 'string') response.description = node.description;
    const content = isObject(node.content) ? node.content : {};
    const types = Object.keys(content);
    let contentType = pickJson(types);
    // A wildcard media type with a structured schema: JSON is what such a body is sent as.
    const wildcard = types.find((t) => t === '*/*' || t === 'application/*');
    if (!contentType && wildcard && isStructured(ctx, (content[wildcard] as Json | undefined)?.schema, ptr(pointer, 'content', wildcard, 'schema'))) contentType = wildcard;
    if (contentType) {
      const media = content[contentType] as Json;
      const schemaAt = ptr(pointer, 'content', contentType, 'schema');
      const hint = status >= 200 && status < 300 ? `${pascal(opName)}Response` : `${pascal(opName)}${status || 'Default'}Response`;
      response.type = typeRefOf(ctx, media.schema, schemaAt, hint);
      response.contentType = contentType === wildcard ? 'application/json' : contentType;
      if (/[/+]problem\+json(;|$)/.test(contentType) || isProblemSchema(ctx, media.schema, schemaAt)) response.problem = true;
    }
    // Every other media type is sent as raw bytes the service provides.
    const alternatives = types.filter((t) => t !== contentType && !pickJson([t]));
    if (alternatives.length > 0) {
      response.alternatives = alternatives.map((t) => ({ contentType: t, type: { kind: 'scalar', scalar: 'bytes' } }));
      for (const t of alternatives) {
        if (isObjectSchema(ctx, (content[t] as Json | undefined)?.schema, ptr(pointer, 'content', t, 'schema'))) {
          ctx.warnGrouped(`${t} responses are sent as raw bytes the service encodes, not as a typed body`, pointer, `${opName} ${code}`);
        }
      }
    }
    const isError = status < 200 || status >= 300;
    if (isError && !contentType && alternatives.length > 0) {
      ctx.warnGrouped(`${alternatives.join(', ')} error responses are not typed; errors are answered as problem+json`, pointer, `${opName} ${code}`);
    }
    const headers = isObject(node.headers) ? Object.keys(node.headers).filter((h) => h.toLowerCase() !== 'content-type') : [];
    if (headers.length > 0) response.headers = headers;
    all.push(response);
  }
  const successes = all.filter((r) => r.status >= 200 && r.status < 300).sort((a, b) => a.status - b.status);
  const success = successes[0] ?? { status: 204 };
  if (!successes[0]) ctx.warn(at, `${opName}: no 2xx response documented; the handler answers 204 No Content`);
  return { success, others: all.filter((r) => r !== success) };
}

/** An RFC 9457 problem schema, whatever its media type says: an object with `title` and `status`. */
function isProblemSchema(ctx: BuildContext, schema: unknown, at: string): boolean {
  if (!isObject(schema)) return false;
  const { node } = ctx.resolve(schema, at);
  const props = isObject(node.properties) ? node.properties : {};
  return 'title' in props && 'status' in props;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** A schema that is not a plain string or binary: objects, arrays, numbers, unions. */
function isStructured(ctx: BuildContext, schema: unknown, at: string): boolean {
  if (!isObject(schema)) return false;
  const { node } = ctx.resolve(schema, at);
  return !(node.type === 'string' || node.format === 'binary');
}

function isObjectSchema(ctx: BuildContext, schema: unknown, at: string): boolean {
  if (!isObject(schema)) return false;
  const { node } = ctx.resolve(schema, at);
  return isObject(node.properties) || Array.isArray(node.allOf);
}

function pickJson(types: string[]): string | undefined {
  return types.find((t) => t === 'application/json') ?? types.find((t) => /[/+]json(;|$)/.test(t));
}

function mediaExample(media: Json): unknown {
  if (media.example !== undefined) return media.example;
  if (isObject(media.examples)) {
    const first = Object.values(media.examples)[0];
    if (isObject(first) && first.value !== undefined) return first.value;
  }
  return undefined;
}


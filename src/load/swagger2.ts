/**
 * Converts a Swagger 2.0 document to OpenAPI 3.0, so that the builder sees
 * one shape. One function per concept; only what the model reads is carried
 * over (schemas, parameters, bodies, responses, tags, descriptions).
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Schema keywords a 2.0 non-body parameter carries inline. */
const SCHEMA_KEYS = ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf'];

export function convertSwagger2(doc: Json): Json {
  const consumes = strings(doc.consumes, ['application/json']);
  const produces = strings(doc.produces, ['application/json']);
  const out: Json = {
    openapi: '3.0.3',
    info: doc.info,
    servers: servers(doc),
    paths: {},
    components: {
      schemas: rewriteRefs(doc.definitions ?? {}),
      parameters: {},
      requestBodies: {},
      responses: {},
    },
  };
  if (Array.isArray(doc.tags)) out.tags = doc.tags;
  const components = out.components as Record<string, Json>;
  if (isObject(doc.securityDefinitions)) components.securitySchemes = securitySchemes(doc.securityDefinitions);
  if (doc.security !== undefined) out.security = doc.security;
  for (const [name, p] of Object.entries((doc.parameters ?? {}) as Json)) {
    if (!isObject(p)) continue;
    if (p.in === 'body') components.requestBodies![name] = bodyParameter(p, consumes);
    else if (p.in !== 'formData') components.parameters![name] = parameter(p);
  }
  for (const [name, r] of Object.entries((doc.responses ?? {}) as Json)) {
    if (isObject(r)) components.responses![name] = response(r, produces);
  }
  const paths = out.paths as Json;
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Json)) {
    if (isObject(item)) paths[path] = pathItem(item, consumes, produces, (doc.parameters ?? {}) as Json);
  }
  return out;
}

/** 2.0's flow names → 3.0's, and which URLs each flow has. */
const OAUTH2_FLOWS: Record<string, { name: string; urls: string[] }> = {
  implicit: { name: 'implicit', urls: ['authorizationUrl'] },
  password: { name: 'password', urls: ['tokenUrl'] },
  application: { name: 'clientCredentials', urls: ['tokenUrl'] },
  accessCode: { name: 'authorizationCode', urls: ['authorizationUrl', 'tokenUrl'] },
};

/** `securityDefinitions` → `components.securitySchemes`: basic is http basic, an oauth2 flow moves under `flows`. */
function securitySchemes(definitions: Json): Json {
  const out: Json = {};
  for (const [name, d] of Object.entries(definitions)) {
    if (!isObject(d)) continue;
    const scheme: Json = {};
    if (d.type === 'basic') Object.assign(scheme, { type: 'http', scheme: 'basic' });
    else if (d.type === 'apiKey') Object.assign(scheme, { type: 'apiKey', name: d.name, in: d.in });
    else if (d.type === 'oauth2') {
      const flow = OAUTH2_FLOWS[String(d.flow)];
      const converted: Json = {};
      for (const url of flow?.urls ?? []) if (typeof d[url] === 'string') converted[url] = d[url];
      converted.scopes = isObject(d.scopes) ? d.scopes : {};
      Object.assign(scheme, { type: 'oauth2', flows: flow ? { [flow.name]: converted } : {} });
    } else Object.assign(scheme, d);
    if (typeof d.description === 'string') scheme.description = d.description;
    out[name] = scheme;
  }
  return out;
}

function strings(v: unknown, fallback: string[]): string[] {
  return Array.isArray(v) && v.length > 0 ? v.map(String) : fallback;
}

function servers(doc: Json): Json[] {
  if (typeof doc.host !== 'string') return [{ url: typeof doc.basePath === 'string' ? doc.basePath : '/' }];
  const scheme = strings(doc.schemes, ['https'])[0];
  return [{ url: `${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}` }];
}

/** `#/definitions/X` → `#/components/schemas/X`, `x-nullable` → `nullable`, `type: file` → binary, everywhere below. */
function rewriteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(rewriteRefs) as T;
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') out[k] = rewriteRef(v);
    else if (k === 'x-nullable') out.nullable = v;
    else out[k] = rewriteRefs(v);
  }
  if (out.type === 'file') Object.assign(out, { type: 'string', format: 'binary' });
  return out as T;
}

function rewriteRef(ref: string): string {
  return ref
    .replace(/^#\/definitions\//, '#/components/schemas/')
    .replace(/^#\/parameters\//, '#/components/parameters/')
    .replace(/^#\/responses\//, '#/components/responses/');
}

function parameter(p: Json): Json {
  if (typeof p.$ref === 'string') return { $ref: rewriteRef(p.$ref) };
  const schema: Json = {};
  for (const k of SCHEMA_KEYS) if (p[k] !== undefined) schema[k] = rewriteRefs(p[k]);
  const out: Json = { name: p.name, in: p.in, schema };
  if (p.required !== undefined) out.required = p.required;
  if (typeof p.description === 'string') out.description = p.description;
  if (p.type === 'array') {
    const format = typeof p.collectionFormat === 'string' ? p.collectionFormat : 'csv';
    if (format === 'multi') Object.assign(out, { style: 'form', explode: true });
    else if (format === 'csv') Object.assign(out, { style: p.in === 'query' ? 'form' : 'simple', explode: false });
    else if (format === 'pipes') Object.assign(out, { style: 'pipeDelimited', explode: false });
    else if (format === 'ssv') Object.assign(out, { style: 'spaceDelimited', explode: false });
  }
  return out;
}

function bodyParameter(p: Json, consumes: string[]): Json {
  const content: Json = {};
  for (const type of consumes) content[type] = { schema: rewriteRefs(p.schema ?? {}) };
  const out: Json = { content, required: p.required === true };
  if (typeof p.description === 'string') out.description = p.description;
  return out;
}

/** formData parameters become one object schema, form-encoded or multipart. */
function formBody(params: Json[], consumes: string[]): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const p of params) {
    const { schema } = parameter(p) as { schema: Json };
    if (typeof p.description === 'string') schema.description = p.description;
    properties[String(p.name)] = schema;
    if (p.required === true) required.push(String(p.name));
  }
  const schema: Json = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  const multipart = params.some((p) => p.type === 'file') || consumes.includes('multipart/form-data');
  return { content: { [multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded']: { schema } }, required: required.length > 0 };
}

function response(r: Json, produces: string[]): Json {
  if (typeof r.$ref === 'string') return { $ref: rewriteRef(r.$ref) };
  const out: Json = { description: typeof r.description === 'string' ? r.description : '' };
  if (r.schema !== undefined) {
    const content: Json = {};
    for (const type of produces) content[type] = { schema: rewriteRefs(r.schema) };
    out.content = content;
  }
  if (isObject(r.headers)) {
    const headers: Json = {};
    for (const [name, h] of Object.entries(r.headers)) if (isObject(h)) headers[name] = { description: h.description, schema: parameter({ ...h, name, in: 'header' }).schema };
    out.headers = headers;
  }
  return out;
}

/** svc's per-operation limits, read from the operation as in OpenAPI 3. */
const LIMIT_EXTENSIONS = ['x-svc-timeout', 'x-svc-max-body', 'x-svc-rate-limit'];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function pathItem(item: Json, consumes: string[], produces: string[], globalParams: Json): Json {
  const out: Json = {};
  const shared = Array.isArray(item.parameters) ? (item.parameters as Json[]) : [];
  for (const method of METHODS) {
    const op = item[method];
    if (!isObject(op)) continue;
    out[method] = operation(op, shared, strings(op.consumes, consumes), strings(op.produces, produces), globalParams);
  }
  return out;
}

function operation(op: Json, shared: Json[], consumes: string[], produces: string[], globalParams: Json): Json {
  const out: Json = {};
  for (const k of ['operationId', 'summary', 'description', 'tags', 'deprecated', 'security', ...LIMIT_EXTENSIONS]) if (op[k] !== undefined) out[k] = op[k];
  const all = [...shared, ...(Array.isArray(op.parameters) ? (op.parameters as Json[]) : [])];
  const resolve = (p: Json): Json => (typeof p.$ref === 'string' ? ((globalParams[p.$ref.replace('#/parameters/', '')] as Json | undefined) ?? p) : p);
  const params: Json[] = [];
  const form: Json[] = [];
  for (const raw of all) {
    const p = resolve(raw);
    if (p.in === 'body') {
      out.requestBody = typeof raw.$ref === 'string' ? { $ref: raw.$ref.replace('#/parameters/', '#/components/requestBodies/') } : bodyParameter(p, consumes);
    } else if (p.in === 'formData') {
      form.push(p);
    } else {
      params.push(typeof raw.$ref === 'string' ? { $ref: rewriteRef(raw.$ref) } : parameter(p));
    }
  }
  if (params.length > 0) out.parameters = params;
  if (form.length > 0) out.requestBody = formBody(form, consumes);
  const responses: Json = {};
  for (const [code, r] of Object.entries((op.responses ?? {}) as Json)) if (isObject(r)) responses[code] = response(r, produces);
  out.responses = responses;
  return out;
}

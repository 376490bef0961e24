import type { Operation, Parameter, TypeRef } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString, unexportedName } from './naming.js';
import { groups, requestType } from './service.js';
import { fallbackContentType, responseSet, type ResponseSet } from './responses.js';
import { renderErrors } from './errors.js';
import { localImportPrefix } from '../runtimepkgs.js';
import { segmentRoutes, wildcardName, type InSegment } from './segments.js';

const HANDLER_DIR = 'internal/handler';
/** Files of the handler package that are not per group. */
const HANDLER_FILES = ['handler.gen.go', 'errors.gen.go', 'form.go', 'json.go', 'mediatype.go', 'params.go', 'problem.go', 'route.go', 'validation.go'];

const STATUS_NAMES: Record<number, string> = {
  200: 'StatusOK', 201: 'StatusCreated', 202: 'StatusAccepted', 203: 'StatusNonAuthoritativeInfo', 204: 'StatusNoContent',
  205: 'StatusResetContent', 206: 'StatusPartialContent', 207: 'StatusMultiStatus', 208: 'StatusAlreadyReported', 226: 'StatusIMUsed',
  300: 'StatusMultipleChoices', 301: 'StatusMovedPermanently', 302: 'StatusFound', 303: 'StatusSeeOther', 304: 'StatusNotModified',
  307: 'StatusTemporaryRedirect', 308: 'StatusPermanentRedirect',
  400: 'StatusBadRequest', 401: 'StatusUnauthorized', 402: 'StatusPaymentRequired', 403: 'StatusForbidden', 404: 'StatusNotFound',
  405: 'StatusMethodNotAllowed', 406: 'StatusNotAcceptable', 407: 'StatusProxyAuthRequired', 408: 'StatusRequestTimeout', 409: 'StatusConflict',
  410: 'StatusGone', 411: 'StatusLengthRequired', 412: 'StatusPreconditionFailed', 413: 'StatusRequestEntityTooLarge',
  414: 'StatusRequestURITooLong', 415: 'StatusUnsupportedMediaType', 416: 'StatusRequestedRangeNotSatisfiable', 417: 'StatusExpectationFailed',
  418: 'StatusTeapot', 421: 'StatusMisdirectedRequest', 422: 'StatusUnprocessableEntity', 423: 'StatusLocked', 424: 'StatusFailedDependency',
  425: 'StatusTooEarly', 426: 'StatusUpgradeRequired', 428: 'StatusPreconditionRequired', 429: 'StatusTooManyRequests',
  431: 'StatusRequestHeaderFieldsTooLarge', 451: 'StatusUnavailableForLegalReasons',
  500: 'StatusInternalServerError', 501: 'StatusNotImplemented', 502: 'StatusBadGateway', 503: 'StatusServiceUnavailable',
  504: 'StatusGatewayTimeout', 505: 'StatusHTTPVersionNotSupported', 506: 'StatusVariantAlsoNegotiates', 507: 'StatusInsufficientStorage',
  508: 'StatusLoopDetected', 510: 'StatusNotExtended', 511: 'StatusNetworkAuthenticationRequired',
};

/** The generated HTTP layer: the Handler with its route table, and one file of handlers per group. */
export function renderHandlers(gm: GoModel): Artifact[] {
  const out = [renderHandler(gm).toArtifact(localImportPrefix(gm.settings)), renderErrors(gm)];
  for (const [group, ops] of groups(gm)) out.push(renderGroup(gm, group, ops).toArtifact(localImportPrefix(gm.settings)));
  return out;
}

export { muxPattern } from './segments.js';

function wildcard(name: string): string {
  return wildcardName(name);
}

/** The []Segment literal of a route's segments, "nil" when it has none. */
export function segmentsLiteral(segments: InSegment[]): string {
  if (segments.length === 0) return 'nil';
  const items = segments.map((s) => `{Wildcard: ${goString(s.wildcard)}, Parts: []string{${s.parts.map(goString).join(', ')}}}`);
  return `[]Segment{${items.join(', ')}}`;
}

/** Whether the body is form-encoded or multipart rather than JSON. */
export function isFormBody(op: Operation): boolean {
  return op.body !== undefined && (op.body.contentType === 'application/x-www-form-urlencoded' || op.body.contentType === 'multipart/form-data');
}

/** Whether the body reaches the service as raw bytes (any media type but JSON and forms). */
export function isRawBody(op: Operation): boolean {
  return op.body !== undefined && !isFormBody(op) && !/[/+]json(;|$)/.test(op.body.contentType);
}

function handlerName(gm: GoModel, op: Operation): string {
  return unexportedName(gm.opName(op));
}

function renderHandler(gm: GoModel): GoFile {
  const f = new GoFile(`${HANDLER_DIR}/handler.gen.go`, 'handler');
  const http = gm.model.operations.length > 0 ? f.use('net/http') : 'http';
  const svc = f.use(`${gm.settings.module}/internal/service`);
  f.add(
    '// Handler serves the operations of the contract over HTTP: it decodes and',
    '// validates requests, calls the service layer and encodes its answers.',
    'type Handler struct {',
    `\tapi ${svc}.API`,
    '}',
  );
  f.add('// New returns a Handler that calls api.', `func New(api ${svc}.API) *Handler {`, '\treturn &Handler{api: api}', '}');
  const table = segmentRoutes(gm.model.operations);
  const routes = gm.model.operations.map(
    (op, i) =>
      `\t\t{Method: ${http}.Method${methodName(op.method)}, Pattern: ${goString(table[i]!.pattern)}, Operation: ${goString(op.name)}, Handler: ${http}.HandlerFunc(h.${handlerName(gm, op)})${table[i]!.segments.length > 0 ? `, Segments: ${segmentsLiteral(table[i]!.segments)}` : ''}},`,
  );
  const body = routes.length > 0 ? ['\treturn []Route{', ...routes, '\t}'] : ['\treturn []Route{}'];
  f.add('// Routes lists every operation of the contract with its method and path pattern.', 'func (h *Handler) Routes() []Route {', ...body, '}');
  typedHelpers(gm, f);
  return f;
}

function methodName(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

function renderGroup(gm: GoModel, group: string, ops: Operation[]): GoFile {
  const f = new GoFile(gm.fileName(HANDLER_DIR, fileStem(group), '.gen.go', HANDLER_FILES), 'handler');
  for (const op of ops) f.add(...renderOperation(gm, f, op));
  return f;
}

function renderOperation(gm: GoModel, f: GoFile, op: Operation): string[] {
  const http = f.use('net/http');
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const lines = [
    ...comment(`${handlerName(gm, op)} serves ${op.method} ${op.path}.`),
    `func (h *Handler) ${handlerName(gm, op)}(w ${http}.ResponseWriter, r *${http}.Request) {`,
    `\tvar req ${svc}.${requestType(gm, op)}`,
  ];
  for (const p of op.parameters) lines.push(...bindParameter(gm, f, p));
  if (op.body) {
    lines.push(`\tif err := acceptBody(r, ${goString(declaredMediaType(op.body.contentType))}); err != nil {`, '\t\tWriteProblem(w, r, err)', '\t\treturn', '\t}');
  }
  if (op.body && isRawBody(op)) {
    lines.push('\tbody, err := readBody(r)', '\tif err != nil {', '\t\tWriteProblem(w, r, err)', '\t\treturn', '\t}', '\treq.Body = body');
  } else if (op.body) {
    const decode = isFormBody(op) ? 'decodeForm' : 'decodeJSON';
    const call = `${decode}(r, &req.Body)`;
    if (op.body.required) lines.push(`\tif err := ${call}; err != nil {`, '\t\tWriteProblem(w, r, err)', '\t\treturn', '\t}');
    else lines.push('\tif r.ContentLength != 0 {', `\t\tif err := ${call}; err != nil {`, '\t\t\tWriteProblem(w, r, err)', '\t\t\treturn', '\t\t}', '\t}');
  }
  lines.push('\tif err := req.Validate(); err != nil {', '\t\tWriteProblem(w, r, invalidRequest(err))', '\t\treturn', '\t}');
  // net/http's named constant where there is one, the number otherwise.
  const set = responseSet(gm, op);
  if (set) {
    lines.push(...writeTyped(gm, f, op, set), '}');
    return lines;
  }
  const statusExpr = statusConst(http, op.success.status);
  if (op.success.type) {
    const media = successMediaType(op);
    const write = media === 'application/json' ? `writeJSON(w, ${statusExpr}, resp)` : `writeJSONAs(w, ${statusExpr}, ${goString(media)}, resp)`;
    lines.push(`\tresp, err := h.api.${gm.opName(op)}(r.Context(), req)`, '\tif err != nil {', '\t\tWriteProblem(w, r, err)', '\t\treturn', '\t}', `\tif err := ${write}; err != nil {`, '\t\tWriteProblem(w, r, err)', '\t}');
  } else {
    lines.push(`\tif err := h.api.${gm.opName(op)}(r.Context(), req); err != nil {`, '\t\tWriteProblem(w, r, err)', '\t\treturn', '\t}', `\tw.WriteHeader(${statusExpr})`);
  }
  lines.push('}');
  return lines;
}

/** A request body's declared media type as acceptBody takes it: lower case, without parameters. */
export function declaredMediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** The JSON media type an operation's success body is sent as (application/hal+json, ...). */
export function successMediaType(op: Operation): string {
  return op.success.contentType ?? 'application/json';
}

/** net/http's named constant where there is one, the number otherwise. */
export function statusConst(http: string, status: number): string {
  const named = STATUS_NAMES[status];
  return named ? `${http}.${named}` : String(status);
}

/** Calls an operation with typed responses and writes the variant it returns. */
function writeTyped(gm: GoModel, f: GoFile, op: Operation, set: ResponseSet): string[] {
  const http = f.use('net/http');
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const lines = [
    `	resp, err := h.api.${gm.opName(op)}(r.Context(), req)`,
    '	if err != nil {',
    '		WriteProblem(w, r, err)',
    '		return',
    '	}',
    '	switch resp := resp.(type) {',
  ];
  for (const v of set.variants) {
    lines.push(`	case ${svc}.${v.name}:`);
    let status = statusConst(http, v.status);
    if (v.dynamic) {
      lines.push('		status := resp.StatusCode', '		if status == 0 {', `			status = ${status}`, '		}');
      status = 'status';
      const range = /^([1-5])XX$/.exec(v.response.code ?? '');
      if (range) {
        // A 4XX variant answers with a 4xx status: anything else is the service's bug, not the client's.
        const low = Number(range[1]) * 100;
        lines.push(
          `		if status < ${low} || status > ${low + 99} {`,
          `			WriteProblem(w, r, ${f.use('fmt')}.Errorf("${gm.opName(op)} returned a ${range[1]}XX response with status %d", status))`,
          '			return',
          '		}',
        );
      }
    }
    if (v.response.headers?.length) lines.push('		copyHeader(w, resp.Header)');
    if (v.kind === 'json') {
      const call = v.contentType === 'application/json' ? `writeJSON(w, ${status}, resp.Body)` : `writeJSONAs(w, ${status}, ${goString(v.contentType!)}, resp.Body)`;
      lines.push(`		if err := ${call}; err != nil {`, '			WriteProblem(w, r, err)', '		}');
    } else if (v.kind === 'raw') {
      lines.push(`		writeBytes(w, ${status}, resp.ContentType, ${goString(fallbackContentType(v.contentType!))}, resp.Body)`);
    } else {
      lines.push(`		w.WriteHeader(${status})`);
    }
  }
  lines.push(
    '	default:',
    `		WriteProblem(w, r, ${f.use('fmt')}.Errorf("${gm.opName(op)} returned %T, not one of the ${set.iface} values", resp))`,
    '	}',
  );
  return lines;
}

/** Helpers the typed responses of the contract need, for handler.gen.go. */
function typedHelpers(gm: GoModel, f: GoFile): void {
  const variants = gm.model.operations.flatMap((op) => responseSet(gm, op)?.variants ?? []);
  const plainOther = gm.model.operations.some((op) => !responseSet(gm, op) && op.success.type && successMediaType(op) !== 'application/json');
  if (plainOther || variants.some((v) => v.kind === 'json' && v.contentType !== 'application/json')) {
    const http = f.use('net/http');
    f.add(
      '// writeJSONAs is writeJSON with the JSON media type the contract declares',
      '// (e.g. application/hal+json).',
      `func writeJSONAs(w ${http}.ResponseWriter, status int, contentType string, v any) error {`,
      `	body, err := ${f.use('encoding/json')}.Marshal(v)`,
      '	if err != nil {',
      `		return ${f.use('fmt')}.Errorf("encode response: %w", err)`,
      '	}',
      '	w.Header().Set("Content-Type", contentType)',
      '	w.WriteHeader(status)',
      "	_, _ = w.Write(append(body, '\\n'))",
      '	return nil',
      '}',
    );
  }
  if (variants.some((v) => v.response.headers?.length)) {
    const http = f.use('net/http');
    f.add(
      '// copyHeader adds the headers a typed response carries to the response.',
      `func copyHeader(w ${http}.ResponseWriter, h ${http}.Header) {`,
      '	for name, values := range h {',
      '		for _, v := range values {',
      '			w.Header().Add(name, v)',
      '		}',
      '	}',
      '}',
    );
  }
  if (variants.some((v) => v.kind === 'raw')) {
    const http = f.use('net/http');
    f.add(
      '// writeBytes sends a body the service encoded itself, with its content type',
      '// or, when it gives none, the one the contract declares.',
      `func writeBytes(w ${http}.ResponseWriter, status int, contentType, declared string, body []byte) {`,
      '	if contentType == "" {',
      '		contentType = declared',
      '	}',
      '	w.Header().Set("Content-Type", contentType)',
      '	w.WriteHeader(status)',
      '	_, _ = w.Write(body)',
      '}',
    );
  }
}

const SOURCES: Record<Parameter['in'], string> = {
  path: 'pathParam',
  query: 'queryParam',
  header: 'headerParam',
  cookie: 'cookieParam',
};

function bindParameter(gm: GoModel, f: GoFile, p: Parameter): string[] {
  const field = `req.${gm.paramField(p)}`;
  const pointer = gm.paramIsPointer(p);
  const lines: string[] = [];
  if (p.default !== undefined && !pointer) {
    const def = goLiteral(gm, f, p.type, p.default);
    if (def !== undefined) lines.push(`\t${field} = ${def}`);
  }
  const name = goString(p.in === 'path' ? wildcard(p.name) : p.name);
  const wire = goString(p.name);
  const conv = converter(gm, f, p.type);
  if (!conv) {
    gm.model.warnings.push(`${p.in} parameter "${p.name}": type not supported yet; it is not bound`);
    return lines;
  }
  const assign = (value: string) => (pointer ? [`\t\tv := ${value}`, `\t\t${field} = &v`] : [`\t\t${field} = ${value}`]);
  const inner: string[] = [];
  if (conv.kind === 'direct') inner.push(...assign(conv.expr('raw')));
  else if (conv.kind === 'parse') {
    inner.push(`\t\tv, err := ${conv.fn}(${wire}, raw)`, '\t\tif err != nil {', '\t\t\tWriteProblem(w, r, err)', '\t\t\treturn', '\t\t}', pointer ? `\t\t${field} = &v` : `\t\t${field} = v`);
  } else {
    inner.push(`\t\tvalues, err := parseList(${wire}, raw, ${conv.fn})`, '\t\tif err != nil {', '\t\t\tWriteProblem(w, r, err)', '\t\t\treturn', '\t\t}', `\t\t${field} = ${conv.wrap('values')}`);
  }
  let source = `${conv.kind === 'list' ? `${SOURCES[p.in]}s` : SOURCES[p.in]}(r, ${name})`;
  // Query lists joined into one value (explode: false) are split on the style's delimiter.
  if (conv.kind === 'list' && p.in === 'query' && p.explode === false) source = `queryDelimited(r, ${name}, ${goString(DELIMITERS[p.style ?? 'form'] ?? ',')})`;
  if (p.in === 'query' && p.style === 'deepObject' && conv.kind !== 'list') source = `deepObjectParam(r, ${name})`;
  lines.push(`\tif raw, ok := ${source}; ok {`, ...inner);
  if (p.required) lines.push('\t} else {', `\t\tWriteProblem(w, r, missingParam(${wire}))`, '\t\treturn', '\t}');
  else lines.push('\t}');
  return lines;
}

export const DELIMITERS: Record<string, string> = { form: ',', spaceDelimited: ' ', pipeDelimited: '|' };

export type Converter =
  | { kind: 'direct'; expr: (raw: string) => string }
  | { kind: 'parse'; fn: string }
  | { kind: 'list'; fn: string; wrap: (v: string) => string };

const PARSERS: Partial<Record<string, string>> = {
  int32: 'parseInt32',
  int64: 'parseInt64',
  float32: 'parseFloat32',
  float64: 'parseFloat64',
  bool: 'parseBool',
  datetime: 'parseTime',
};

export function converter(gm: GoModel, f: GoFile, t: TypeRef): Converter | undefined {
  if (t.kind === 'scalar') {
    // Text goes through parseString, which refuses invalid UTF-8 and NUL.
    if (['string', 'uuid', 'date'].includes(t.scalar)) return { kind: 'parse', fn: 'parseString' };
    const fn = PARSERS[t.scalar];
    return fn ? { kind: 'parse', fn } : undefined;
  }
  if (t.kind === 'named') {
    const d = gm.decl(t.name);
    const stringLike = (d.kind === 'enum' && d.base === 'string') || (d.kind === 'alias' && d.type.kind === 'scalar' && ['string', 'uuid', 'date'].includes(d.type.scalar));
    if (stringLike) return { kind: 'parse', fn: `parseText[${gm.goType(t, f)}]` };
    // Anything else (numbers, unions, JSON-encoded objects) decodes as JSON, or as a JSON string.
    return { kind: 'parse', fn: `parseJSON[${gm.goType(t, f)}]` };
  }
  if (t.kind === 'array' && t.items.kind === 'scalar') {
    const fn = ['string', 'uuid', 'date'].includes(t.items.scalar) ? 'parseString' : PARSERS[t.items.scalar];
    return fn ? { kind: 'list', fn, wrap: (v) => v } : undefined;
  }
  // Lists of enums and other named values: each item as JSON, or as a JSON string.
  if (t.kind === 'array' && t.items.kind === 'named') return { kind: 'list', fn: `parseJSON[${gm.goType(t.items, f)}]`, wrap: (v) => v };
  return undefined;
}

/** A Go literal for a default value, when the type allows a simple one. */
function goLiteral(gm: GoModel, f: GoFile, t: TypeRef, value: unknown): string | undefined {
  if (t.kind === 'scalar') {
    if (typeof value === 'number' && ['int32', 'int64', 'float32', 'float64'].includes(t.scalar)) return String(value);
    if (typeof value === 'boolean' && t.scalar === 'bool') return String(value);
    if (typeof value === 'string' && ['string', 'uuid', 'date'].includes(t.scalar)) return goString(value);
    return undefined;
  }
  if (t.kind === 'named' && typeof value === 'string') {
    const d = gm.decl(t.name);
    if (d.kind === 'enum' || d.kind === 'alias') return `${gm.goType(t, f)}(${goString(value)})`;
  }
  return undefined;
}

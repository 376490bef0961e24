import type { Constraints, Field, ObjectDecl, Operation, Response, TypeRef } from '../../model/types.js';
import { exampleFor } from '../../model/examples.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goRawString, goString } from './naming.js';
import { segmentsLiteral } from './handler.js';
import { segmentRoutes } from './segments.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/**
 * The error format of a service: for every operation, the error body the
 * contract declares for each status (`internal/handler/errors.gen.go`'s
 * ErrorFormat). The runtime package problem keeps building RFC 9457
 * problems; a Shape tells it how to turn one into the declared body, filling
 * the members it recognises by name and type (an integer `code` takes the
 * status, a string `message` the detail...) and every other required member
 * with an example the schema accepts, so the body validates.
 */

/** Where a member's value comes from: the names of problem.Source constants. */
export type Source =
  | 'SourceValue'
  | 'SourceStatus'
  | 'SourceCode'
  | 'SourceType'
  | 'SourceTitle'
  | 'SourceDetail'
  | 'SourceInstance'
  | 'SourceRequestID'
  | 'SourceTime'
  | 'SourceErrors'
  | 'SourceField'
  | 'SourceFieldDetail';

export interface MemberSpec {
  name: string;
  from: Source;
  /** A JSON text the schema accepts: the value of SourceValue, and of a required member whose source is empty. */
  value?: string;
  required: boolean;
  maxLength?: number;
  /** The members of each field error, for SourceErrors. */
  items?: MemberSpec[];
}

/**
 * One declared error body: an object of members, a single value (`body`) for
 * a schema that is no object, or neither: RFC 9457 problem details sent as
 * contentType.
 */
export interface ShapeSpec {
  contentType: string;
  members?: MemberSpec[];
  body?: MemberSpec;
}

/** An operation's error responses by code as the contract writes it (`404`, `4XX`, `default`); undefined: problem details. */
export type ErrorTable = [code: string, shape: ShapeSpec | undefined][];

const norm = (name: string) => name.toLowerCase().replace(/[-_ .]/g, '');

const STATUS_NAMES = new Set(['code', 'status', 'statuscode', 'httpstatus', 'httpcode', 'httpstatuscode', 'errorcode']);
const CODE_NAMES = new Set(['code', 'error', 'errorcode', 'errortype', 'errorkey']);
const DETAIL_NAMES = new Set(['message', 'detail', 'details', 'description', 'errormessage', 'errordescription', 'msg', 'reason', 'errordetail']);
const INSTANCE_NAMES = new Set(['instance', 'path']);
const REQUEST_ID_NAMES = new Set(['requestid', 'correlationid']);
const TIME_NAMES = new Set(['timestamp', 'time', 'datetime', 'occurredat']);
const ERRORS_NAMES = new Set(['errors', 'fielderrors', 'details', 'violations', 'invalidparams', 'invalidparameters', 'validationerrors', 'fields', 'issues']);
const FIELD_NAMES = new Set(['field', 'name', 'param', 'parameter', 'property', 'path', 'pointer', 'location', 'loc', 'key']);
const FIELD_DETAIL_NAMES = new Set(['message', 'detail', 'description', 'reason', 'msg', 'error']);

/** Whether a response is an error one: 4xx, 5xx, their ranges, or default. */
function isError(r: Response): boolean {
  return r.status === 0 || r.status >= 400;
}

function codeOf(r: Response): string {
  return r.code ?? (r.status === 0 ? 'default' : String(r.status));
}

/** The error responses an operation declares, in the contract's order. */
export function errorTable(gm: GoModel, op: Operation): ErrorTable {
  return [op.success, ...op.otherResponses].filter(isError).map((r) => [codeOf(r), errorShape(gm, r)]);
}

/** The declared body of an error response, or undefined for RFC 9457 problem+json (declared, or nothing declared). */
export function errorShape(gm: GoModel, r: Response): ShapeSpec | undefined {
  // No JSON body declared (none at all, or only text or XML): problem details.
  if (!r.type) return undefined;
  const contentType = r.contentType ?? 'application/json';
  const resolved = resolve(gm, r.type);
  if (resolved.kind === 'object') {
    // A problem schema the RFC 9457 body already satisfies keeps that body, extension members included.
    if (r.problem && nativeProblemFits(gm, resolved.decl)) return /[/+]problem\+json(;|$)/.test(contentType) ? undefined : { contentType };
    return { contentType, members: objectMembers(gm, resolved.decl, r.problem === true, false) };
  }
  if (resolved.kind === 'any') {
    // Any JSON value: problem details are one.
    if (/[/+]problem\+json(;|$)/.test(contentType)) return undefined;
    return { contentType };
  }
  const fake: Field = { name: '', type: r.type, required: true, nullable: false, readOnly: false, constraints: {} };
  const source = scalarSource(gm, fake, 'body');
  return { contentType, body: source ?? { name: '', from: 'SourceValue', value: exampleJSON(gm, fake), required: true } };
}

/**
 * The members problem.Problem writes, with the scalar they hold; type, title
 * and status are always written, the others only when set.
 */
const NATIVE: Record<string, string> = { type: 'string', title: 'string', status: 'int', detail: 'string', instance: 'string', request_id: 'string' };
const ALWAYS = new Set(['type', 'title', 'status']);

/** Whether every problem.Problem body validates against a problem schema: its members are those, with their types and no more required. */
function nativeProblemFits(gm: GoModel, decl: ObjectDecl): boolean {
  return decl.fields.every((f) => {
    if (f.name === 'errors') {
      const t = f.type.kind === 'array' ? resolve(gm, f.type.items) : undefined;
      return !f.required && t?.kind === 'object' && t.decl.fields.every((i) => ['field', 'detail'].includes(i.name) && stringShape(gm, i) !== undefined && stringShape(gm, i)!.maxLength === undefined);
    }
    const kind = NATIVE[f.name];
    if (!kind || (f.required && !ALWAYS.has(f.name))) return false;
    if (kind === 'int') return statusFits(gm, f);
    const text = stringShape(gm, f);
    return (text !== undefined && text.maxLength === undefined) || (f.name === 'type' && uriString(gm, f));
  });
}

type Resolved = { kind: 'object'; decl: ObjectDecl } | { kind: 'any' } | { kind: 'other' };

function resolve(gm: GoModel, t: TypeRef): Resolved {
  if (t.kind === 'any') return { kind: 'any' };
  if (t.kind !== 'named') return { kind: 'other' };
  const d = gm.decls.get(t.name);
  if (d?.kind === 'object') return { kind: 'object', decl: d };
  if (d?.kind === 'alias') return resolve(gm, d.type);
  return { kind: 'other' };
}

function objectMembers(gm: GoModel, decl: ObjectDecl, problem: boolean, item: boolean): MemberSpec[] {
  const out: MemberSpec[] = [];
  for (const f of decl.fields) {
    const m = memberFor(gm, f, problem, item);
    if (m) out.push(m);
    else if (f.required) out.push({ name: f.name, from: 'SourceValue', value: exampleJSON(gm, f), required: true });
  }
  return out;
}

/** The member a field gets when its name and type say where its value comes from. */
function memberFor(gm: GoModel, f: Field, problem: boolean, item: boolean): MemberSpec | undefined {
  const n = norm(f.name);
  const base = { name: f.name, required: f.required };
  const text = stringShape(gm, f);
  const fallback = () => exampleJSON(gm, f);
  if (item) {
    if (text && FIELD_NAMES.has(n)) return { ...base, from: 'SourceField', value: fallback(), ...text };
    if (text && FIELD_DETAIL_NAMES.has(n)) return { ...base, from: 'SourceFieldDetail', value: fallback(), ...text };
  }
  if (STATUS_NAMES.has(n) && statusFits(gm, f)) return { ...base, from: 'SourceStatus', value: fallback() };
  if (n === 'type' && (text || uriString(gm, f))) return { ...base, from: problem ? 'SourceType' : 'SourceCode', value: fallback(), ...(text ?? {}) };
  if (!text) {
    if (!item && ERRORS_NAMES.has(n)) return errorsMember(gm, f, problem);
    if (TIME_NAMES.has(n) && isScalar(gm, f.type, 'datetime')) return { ...base, from: 'SourceTime', value: fallback() };
    return undefined;
  }
  if (CODE_NAMES.has(n)) return { ...base, from: 'SourceCode', value: fallback(), ...text };
  if (n === 'title') return { ...base, from: 'SourceTitle', value: fallback(), ...text };
  if (DETAIL_NAMES.has(n)) return { ...base, from: 'SourceDetail', value: fallback(), ...text };
  if (INSTANCE_NAMES.has(n)) return { ...base, from: 'SourceInstance', value: fallback(), ...text };
  if (REQUEST_ID_NAMES.has(n)) return { ...base, from: 'SourceRequestID', value: fallback(), ...text };
  if (TIME_NAMES.has(n)) return { ...base, from: 'SourceTime', value: fallback(), ...text };
  return undefined;
}

/** The whole-body value of a scalar error schema: the detail for a free string, the status for a number. */
function scalarSource(gm: GoModel, f: Field, name: string): MemberSpec | undefined {
  const text = stringShape(gm, f);
  if (text) return { name, from: 'SourceDetail', required: true, value: exampleJSON(gm, f), ...text };
  if (statusFits(gm, f)) return { name, from: 'SourceStatus', required: true, value: exampleJSON(gm, f) };
  return undefined;
}

/** A list of field errors: an array of objects whose required members can all be filled. */
function errorsMember(gm: GoModel, f: Field, problem: boolean): MemberSpec | undefined {
  let t = f.type;
  let constraints: Constraints = f.constraints;
  if (t.kind === 'named') {
    const d = gm.decls.get(t.name);
    if (d?.kind === 'alias') {
      t = d.type;
      constraints = d.constraints;
    }
  }
  if (t.kind !== 'array') return undefined;
  const items = resolve(gm, t.items);
  if (items.kind !== 'object') return undefined;
  const members = objectMembers(gm, items.decl, problem, true);
  if (!members.some((m) => m.from === 'SourceField' || m.from === 'SourceFieldDetail')) return undefined;
  const min = constraints.minItems ?? 0;
  const max = constraints.maxItems;
  // One field error per problem: a list bound to more than one, or to none, takes the example.
  if (min > 1 || max === 0) return undefined;
  return { name: f.name, from: 'SourceErrors', required: f.required, value: min === 0 ? '[]' : exampleJSON(gm, f), items: members };
}

function scalarOf(gm: GoModel, t: TypeRef): { scalar: string; constraints: Constraints } | undefined {
  if (t.kind === 'scalar') return { scalar: t.scalar, constraints: {} };
  if (t.kind === 'named') {
    const d = gm.decls.get(t.name);
    if (d?.kind === 'alias' && d.type.kind === 'scalar') return { scalar: d.type.scalar, constraints: d.constraints };
  }
  return undefined;
}

function isScalar(gm: GoModel, t: TypeRef, scalar: string): boolean {
  return scalarOf(gm, t)?.scalar === scalar;
}

/** A string any text fits (no pattern, format or enum; a length cap is applied): its maxLength. */
function stringShape(gm: GoModel, f: Field): { maxLength?: number } | undefined {
  const s = scalarOf(gm, f.type);
  if (!s || s.scalar !== 'string') return undefined;
  const c = { ...s.constraints, ...f.constraints };
  if (c.pattern !== undefined || (c.format !== undefined && c.format !== '') || (c.minLength ?? 0) > 1) return undefined;
  if (c.maxLength !== undefined) return c.maxLength >= 1 ? { maxLength: c.maxLength } : undefined;
  return {};
}

/** A string of format uri or uri-reference: "about:blank" fits it. */
function uriString(gm: GoModel, f: Field): boolean {
  const s = scalarOf(gm, f.type);
  const c = { ...s?.constraints, ...f.constraints };
  return s?.scalar === 'string' && (c.format === 'uri' || c.format === 'uri-reference') && c.pattern === undefined;
}

/** A number that can hold every error status, 400 to 599. */
function statusFits(gm: GoModel, f: Field): boolean {
  const s = scalarOf(gm, f.type);
  if (!s || !['int32', 'int64', 'float32', 'float64'].includes(s.scalar)) return false;
  const c = { ...s.constraints, ...f.constraints };
  if (c.minimum !== undefined && (c.minimum > 400 || (c.minimum === 400 && c.exclusiveMinimum))) return false;
  if (c.maximum !== undefined && (c.maximum < 599 || (c.maximum === 599 && c.exclusiveMaximum))) return false;
  return true;
}

/** A JSON example of a field's value that its schema accepts. */
function exampleJSON(gm: GoModel, f: Field): string {
  const v = f.example ?? f.default ?? exampleFor(f.type, gm.decls, f.constraints, 1);
  return JSON.stringify(v ?? null);
}

/** `internal/handler/errors.gen.go`: ErrorFormat, the contract's error bodies by operation and status. */
export function renderErrors(gm: GoModel): Artifact {
  const f = new GoFile('internal/handler/errors.gen.go', 'handler');
  const ops = gm.model.operations;
  const tables = ops.map((op) => errorTable(gm, op));
  const http = f.use('net/http');
  const problem = f.use(runtimeImport(gm.settings, 'problem'));
  const doc = [
    '// ErrorFormat returns the error body the contract declares for a problem',
    '// with status answered to r: the response of the operation r is routed to',
    '// for that status (the exact code, then its range such as 4XX, then',
    "// default), or, for a request no operation matches, the one most operations",
    '// declare. nil means RFC 9457 problem details (application/problem+json),',
    '// for the statuses the contract declares so or leaves undeclared.',
  ];
  if (!tables.some((t) => t.some(([, s]) => s !== undefined))) {
    f.add(...doc, `func ErrorFormat(_ *${http}.Request, _ int) *${problem}.Shape {`, '\treturn nil', '}');
    return f.toArtifact(localImportPrefix(gm.settings));
  }

  // Each distinct body once, then each distinct table once.
  const shapes = new Map<string, string>();
  const shapeVar = (s: ShapeSpec | undefined): string => {
    if (!s) return 'nil';
    const key = JSON.stringify(s);
    let name = shapes.get(key);
    if (!name) {
      name = `errorShape${shapes.size + 1}`;
      shapes.set(key, name);
      f.add(`// ${name} is an error body the contract declares, as ${s.contentType}.`, `var ${name} = ${shapeLiteral(problem, s)}`);
    }
    return name;
  };
  const tableVars = new Map<string, string>();
  const tableLines: string[] = [];
  const tableOf = tables.map((t) => {
    const entries = t.map(([code, s]) => `${goString(code)}: ${shapeVar(s)}`);
    const key = entries.join(', ');
    let name = tableVars.get(key);
    if (!name) {
      name = `errorResponses${tableVars.size + 1}`;
      tableVars.set(key, name);
      tableLines.push(`\t${name}\v= errorResponses{${key}}`);
    }
    return name;
  });
  const strconv = f.use('strconv');
  f.add(
    '// errorResponses are the error responses an operation declares, by the',
    '// status code the contract writes ("404", "4XX", "default"); nil stands for',
    '// RFC 9457 problem details.',
    `type errorResponses map[string]*${problem}.Shape`,
  );
  f.add(
    '// shape returns the response declared for status: the exact code, then its',
    '// range, then default.',
    `func (e errorResponses) shape(status int) *${problem}.Shape {`,
    `\tif s, ok := e[${strconv}.Itoa(status)]; ok {`,
    '\t\treturn s',
    '\t}',
    `\tif s, ok := e[${strconv}.Itoa(status/100)+"XX"]; ok {`,
    '\t\treturn s',
    '\t}',
    '\treturn e["default"]',
    '}',
  );
  f.add('// The error responses of the operations.', 'var (', ...tableLines, ')');

  // Unmatched requests: the table most operations use (the first of equals).
  const counts = new Map<string, number>();
  for (const t of tableOf) counts.set(t, (counts.get(t) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  if (tableVars.size === 1) {
    f.add(...doc, `func ErrorFormat(_ *${http}.Request, status int) *${problem}.Shape {`, `\treturn ${common}.shape(status)`, '}');
    return f.toArtifact(localImportPrefix(gm.settings));
  }
  const routes = segmentRoutes(ops);
  if (routes.some((rt) => rt.segments.length > 0)) {
    renderSegmentErrors(f, http, problem, doc, common, ops.map((op, i) => [`${op.method} ${routes[i]!.pattern}`, segmentsLiteral(routes[i]!.segments), tableOf[i]!]));
    return f.toArtifact(localImportPrefix(gm.settings));
  }
  // A list of pairs, not a map literal: gofmt aligns a map's values unless
  // its keys differ too much in length, a rule not worth emulating here.
  f.add(
    '// operationErrors pairs every operation, as its route pattern, with the',
    '// error responses it declares.',
    'var operationErrors = []struct {',
    '\tpattern\vstring',
    '\terrors\verrorResponses',
    '}{',
    ...ops.map((op, i) => `\t{${goString(`${op.method} ${routes[i]!.pattern}`)}, ${tableOf[i]}},`),
    '}',
  );
  f.add(
    '// errorRoutes finds the operation a request is routed to, as the server does.',
    `var errorRoutes = ${http}.NewServeMux()`,
  );
  f.add('// errorsByPattern holds the error responses of each route pattern.', 'var errorsByPattern = map[string]errorResponses{}');
  f.add(
    'func init() {',
    '\tfor _, op := range operationErrors {',
    `\t\terrorRoutes.Handle(op.pattern, ${http}.NotFoundHandler())`,
    '\t\terrorsByPattern[op.pattern] = op.errors',
    '\t}',
    '}',
  );
  f.add(
    ...doc,
    `func ErrorFormat(r *${http}.Request, status int) *${problem}.Shape {`,
    '\tif r != nil && r.URL != nil {',
    '\t\tif _, pattern := errorRoutes.Handler(r); pattern != "" {',
    '\t\t\tif e, ok := errorsByPattern[pattern]; ok {',
    '\t\t\t\treturn e.shape(status)',
    '\t\t\t}',
    '\t\t}',
    '\t}',
    `\treturn ${common}.shape(status)`,
    '}',
  );
  return f.toArtifact(localImportPrefix(gm.settings));
}

/**
 * ErrorFormat's lookup when operations share a route pattern, told apart by
 * their segments (parameters inside a segment): the operation whose segments
 * match the request path, picked as handler.Register's dispatcher picks it.
 */
function renderSegmentErrors(f: GoFile, http: string, problem: string, doc: string[], common: string, rows: [string, string, string][]): void {
  const url = f.use('net/url');
  const strings = f.use('strings');
  f.add(
    '// operationErrors pairs every operation, as its route pattern and the',
    '// segments that tell apart the operations sharing it, with the error',
    '// responses it declares.',
    'var operationErrors = []struct {',
    '\tpattern\vstring',
    '\tsegments\v[]Segment',
    '\terrors\verrorResponses',
    '}{',
    ...rows.map(([pattern, segments, table]) => `\t{${goString(pattern)}, ${segments}, ${table}},`),
    '}',
  );
  f.add(
    '// errorRoutes finds the route pattern a request is routed to, as the server does.',
    `var errorRoutes = ${http}.NewServeMux()`,
  );
  f.add('// operationsByPattern holds the operations of each route pattern, as indexes of operationErrors.', 'var operationsByPattern = map[string][]int{}');
  f.add(
    'func init() {',
    '\tfor i, op := range operationErrors {',
    '\t\tif _, ok := operationsByPattern[op.pattern]; !ok {',
    `\t\t\terrorRoutes.Handle(op.pattern, ${http}.NotFoundHandler())`,
    '\t\t}',
    '\t\toperationsByPattern[op.pattern] = append(operationsByPattern[op.pattern], i)',
    '\t}',
    '}',
  );
  f.add(
    ...doc,
    `func ErrorFormat(r *${http}.Request, status int) *${problem}.Shape {`,
    '\tif r != nil && r.URL != nil {',
    '\t\tif _, pattern := errorRoutes.Handler(r); pattern != "" {',
    '\t\t\tif e, ok := errorsFor(r, pattern); ok {',
    '\t\t\t\treturn e.shape(status)',
    '\t\t\t}',
    '\t\t}',
    '\t}',
    `\treturn ${common}.shape(status)`,
    '}',
  );
  f.add(
    '// errorsFor returns the error responses of the operation of pattern that r',
    '// is routed to: the first whose segments match, in the order of',
    '// Register\'s dispatcher.',
    `func errorsFor(r *${http}.Request, pattern string) (errorResponses, bool) {`,
    '\tvalue := wildcardsFromPath(r, pattern)',
    '\tvar (',
    '\t\tfound\verrorResponses',
    '\t\tbest\vRoute',
    '\t\tok\vbool',
    '\t)',
    '\tfor _, i := range operationsByPattern[pattern] {',
    '\t\top := operationErrors[i]',
    '\t\trt := Route{Segments: op.segments}',
    '\t\tif _, match := rt.match(value); match && (!ok || tryBefore(rt, best)) {',
    '\t\t\tfound, best, ok = op.errors, rt, true',
    '\t\t}',
    '\t}',
    '\treturn found, ok',
    '}',
  );
  f.add(
    '// wildcardsFromPath returns, by name, the values of the wildcards of pattern',
    '// ("GET /orders/{id}") read from the request path, as ServeMux matched them,',
    '// rather than from the path values, where a dispatcher puts the parameters',
    '// inside a segment instead.',
    `func wildcardsFromPath(r *${http}.Request, pattern string) func(string) string {`,
    `\tif i := ${strings}.IndexByte(pattern, ' '); i >= 0 {`,
    '\t\tpattern = pattern[i+1:]',
    '\t}',
    `\tnames := ${strings}.Split(${strings}.TrimPrefix(pattern, "/"), "/")`,
    `\tsegments := ${strings}.Split(${strings}.TrimPrefix(r.URL.EscapedPath(), "/"), "/")`,
    '\treturn func(wildcard string) string {',
    '\t\tfor i, name := range names {',
    '\t\t\tif name != "{"+wildcard+"}" || i >= len(segments) {',
    '\t\t\t\tcontinue',
    '\t\t\t}',
    `\t\t\tif v, err := ${url}.PathUnescape(segments[i]); err == nil {`,
    '\t\t\t\treturn v',
    '\t\t\t}',
    '\t\t}',
    '\t\treturn ""',
    '\t}',
    '}',
  );
}

function shapeLiteral(problem: string, s: ShapeSpec): string {
  const fields: [string, string][] = [['ContentType', goString(s.contentType)]];
  if (s.members) fields.push(['Members', membersLiteral(problem, s.members, '\t')]);
  if (s.body) fields.push(['Body', `&${memberLiteral(problem, s.body)}`]);
  // gofmt aligns the values of consecutive one-line fields; a value over
  // several lines ends the run.
  const lines = fields.map(([k, v]) => `\t${k}:${v.includes('\n') ? ' ' : '\v'}${v},`);
  return [`&${problem}.Shape{`, ...lines, '}'].join('\n');
}

function membersLiteral(problem: string, members: MemberSpec[], indent: string): string {
  if (members.length === 0) return `[]${problem}.Member{}`;
  return [`[]${problem}.Member{`, ...members.map((m) => `${indent}\t${memberLiteral(problem, m, indent + '\t', true)},`), `${indent}}`].join('\n');
}

function memberLiteral(problem: string, m: MemberSpec, indent = '\t', bare = false): string {
  const parts = [`Name: ${goString(m.name)}`, `From: ${problem}.${m.from}`];
  if (m.value !== undefined && (m.from === 'SourceValue' || m.required)) parts.push(`Value: ${goRawString(m.value)}`);
  if (m.required) parts.push('Required: true');
  if (m.maxLength !== undefined) parts.push(`MaxLength: ${m.maxLength}`);
  if (m.items) parts.push(`Items: ${membersLiteral(problem, m.items, indent)}`);
  return `${bare ? '' : `${problem}.Member`}{${parts.join(', ')}}`;
}

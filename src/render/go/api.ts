import type { Operation } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, continueSentence, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString, unexportedName } from './naming.js';
import { requestType } from './crud.js';
import { Validation, varDecl } from './validation.js';
import { responseSet } from './responses.js';
import { groups } from './service.js';
import { localImportPrefix } from '../runtimepkgs.js';

/** The import path of package api (`pkg/api` in a service: a public package, so clients share it). */
export function apiPackage(gm: GoModel): string {
  return `${gm.settings.module}/${gm.dirs.api}`;
}

/**
 * Package api: for every operation its request struct (decoded and validated
 * by the handler, sent by the client) and, for operations with typed
 * responses, the sum type of what it answers. One file per group of
 * operations; package service refers to them by type aliases.
 */
export function renderAPITypes(gm: GoModel): Artifact[] {
  const out: Artifact[] = [];
  let first = true;
  for (const [group, ops] of groups(gm)) {
    const f = new GoFile(gm.fileName(gm.dirs.api, fileStem(group), '.gen.go'), 'api', {
      generated: true,
      ...(first ? { doc: 'Package api holds the request and response types of the operations the contract defines, shared by the service, its handlers and its clients.' } : {}),
    });
    first = false;
    for (const op of ops) {
      renderRequest(gm, f, op);
      renderResponses(gm, f, op);
    }
    out.push(f.toArtifact(localImportPrefix(gm.settings)));
  }
  return out;
}

/** The sum type of an operation's typed responses: an interface and one struct per status and media type. */
function renderResponses(gm: GoModel, f: GoFile, op: Operation): void {
  const set = responseSet(gm, op);
  if (!set) return;
  const op_ = gm.opName(op);
  f.add(
    `// ${set.iface} is one of the responses the contract declares for ${op_}:`,
    ...set.variants.map((v) => `//   - ${v.name}`),
    '//',
    '// The handler writes the status, content type and body of the one returned; an',
    '// error returned instead is answered with an RFC 9457 problem.',
    `type ${set.iface} interface {`,
    `	${set.marker}()`,
    '}',
  );
  for (const v of set.variants) {
    const r = v.response;
    const what = v.dynamic ? (r.status === 0 ? 'the default response' : `a ${r.code} response`) : `the ${v.status} response`;
    const first = r.description?.trim().split(/(?<=\.)\s/)[0]?.replace(/\s+/g, ' ').replace(/\.$/, '');
    const desc = first ? `: ${continueSentence(first)}` : '';
    const media = v.kind === 'empty' ? ', without a body' : ` as ${v.contentType}`;
    const lines: string[] = [];
    if (v.dynamic) {
      lines.push(`	// StatusCode is the status to answer with; 0 means ${v.status}.`, '	StatusCode\vint');
    }
    if (r.headers?.length) {
      lines.push(...comment(`Header holds the response headers; the contract declares ${r.headers.join(', ')}.`, '\t'), `	Header\v${f.use('net/http')}.Header`);
    }
    if (v.kind === 'raw') {
      lines.push(`	// ContentType is the Content-Type header; empty means ${goString(v.contentType!)}.`, '	ContentType\vstring');
      lines.push('	// Body is sent as it is.', '	Body\v[]byte');
    } else if (v.kind === 'json') {
      lines.push('	// Body is encoded as JSON.', `	Body\v${gm.goType(v.type!, f)}`);
    }
    const doc = comment(`${v.name} is ${what} of ${op_}${media}${desc}.`);
    f.add(...doc, ...(lines.length === 0 ? [`type ${v.name} struct{}`] : [`type ${v.name} struct {`, ...lines, '}']));
    // gofmt keeps an empty body on the header's line only while the header is under 100 columns.
    const header = `func (${v.name}) ${set.marker}()`;
    f.add(header.length < 100 ? `${header} {}` : `${header} {\n}`);
  }
}

function renderRequest(gm: GoModel, f: GoFile, op: Operation): void {
  const name = requestType(gm, op);
  const lines = [`// ${name} carries the inputs of ${gm.opName(op)}: the client sends it, the handler decodes and validates it.`, `type ${name} struct {`];
  for (const p of op.parameters) {
    const doc = p.description ?? `is the ${p.in} parameter ${goString(p.name)}.`;
    lines.push(...comment(p.description ? doc : `${gm.paramField(p)} ${doc}`, '\t'));
    lines.push(`\t${gm.paramField(p)}\v${gm.paramType(p, f)}`);
  }
  if (op.body) {
    lines.push('\t// Body is the request body.');
    const t = gm.goType(op.body.type, f);
    lines.push(`\tBody\v${bodyIsPointer(gm, op) ? `*${t}` : t}`);
  }
  lines.push('}');
  f.add(...lines);

  const v = new Validation(gm, f);
  const body: string[] = [];
  for (const p of op.parameters) {
    const field = gm.paramField(p);
    const pointer = gm.paramIsPointer(p);
    const stmts = v.check(
      { expr: pointer ? `*r.${field}` : `r.${field}`, ref: p.type, constraints: p.constraints, path: goString(p.name), patternVar: unexportedName(`${op.name} ${p.name}`) },
      pointer ? '\t\t' : '\t',
    );
    if (stmts.length === 0) continue;
    if (pointer) body.push(`\tif r.${field} != nil {`, ...stmts, '\t}');
    else body.push(...stmts);
  }
  if (op.body) {
    const obj = gm.objectOf(op.body.type);
    if (obj && v.typeNeedsCheck(obj.name)) {
      body.push('\tif err := r.Body.Validate(); err != nil {', '\t\treturn err', '\t}');
    } else if (!obj) {
      const ptr = bodyIsPointer(gm, op);
      const stmts = v.check({ expr: ptr ? '*r.Body' : 'r.Body', ref: op.body.type, constraints: {}, path: '"body"', patternVar: unexportedName(`${op.name} body`) }, ptr ? '\t\t' : '\t');
      if (stmts.length > 0) body.push(...(ptr ? ['\tif r.Body != nil {', ...stmts, '\t}'] : stmts));
    }
  }
  if (v.vars.length > 0) f.add(...varDecl(v.vars));
  f.add(`// Validate checks the parameters and body of a ${name} against the contract.`, `func (r *${name}) Validate() error {`, ...body, '\treturn nil', '}');
}

/** An optional body is a pointer, unless its type already has a nil (objects are decoded in place). */
function bodyIsPointer(gm: GoModel, op: Operation): boolean {
  return op.body !== undefined && !op.body.required && !gm.objectOf(op.body.type) && gm.isPointer(op.body.type, false, false);
}


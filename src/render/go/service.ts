import type { Operation } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, continueSentence, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString, unexportedName } from './naming.js';
import { derivedNames, renderCrudBody, renderCrudHelpers, requestType, SERVICE_DIR } from './crud.js';
import { Validation, varDecl } from './validation.js';
import { responseSet } from './responses.js';

/** Files of the service package that are not per operation. */
const SERVICE_FILES = ['api.gen.go', 'repositories.gen.go', 'dependencies.gen.go', 'service.go'];

export { requestType };

/** The generated service API (interfaces and request types) and one user-owned stub per operation. */
export function renderServiceLayer(gm: GoModel): Artifact[] {
  const out = [renderAPI(gm).toArtifact(gm.settings.module), renderRepositories(gm).toArtifact(gm.settings.module)];
  for (const op of gm.model.operations) {
    const stub = renderStub(gm, op).toArtifact(gm.settings.module);
    stub.signature = stub.content.split('\n').find((l) => l.startsWith(`func (s *Service) ${gm.opName(op)}(`));
    stub.operation = { method: gm.opName(op), receiver: 'Service', identity: operationIdentity(op), derived: derivedNames(gm, op) };
    out.push(stub);
  }
  out.push(...renderCrudHelpers(gm, SERVICE_FILES));
  return out;
}

export function groups(gm: GoModel): Map<string, Operation[]> {
  const byGroup = new Map<string, Operation[]>();
  for (const op of gm.model.operations) {
    const list = byGroup.get(op.group) ?? [];
    list.push(op);
    byGroup.set(op.group, list);
  }
  return new Map([...byGroup].sort(([a], [b]) => a.localeCompare(b)));
}

/** `PATCH /products/{}`: what identifies an HTTP operation across a rename. */
function operationIdentity(op: Operation): string {
  return `${op.method} ${op.path.replace(/\{[^}]*\}/g, '{}')}`;
}

/** `CreateProduct(ctx context.Context, req CreateProductRequest) (*models.Product, error)` */
export function signature(gm: GoModel, op: Operation, f: GoFile): string {
  const ctx = f.use('context');
  const set = responseSet(gm, op);
  if (set) return `${gm.opName(op)}(ctx ${ctx}.Context, req ${requestType(gm, op)}) (${set.iface}, error)`;
  const resp = gm.responseType(op, f);
  const results = resp ? `(${resp}, error)` : 'error';
  return `${gm.opName(op)}(ctx ${ctx}.Context, req ${requestType(gm, op)}) ${results}`;
}

function renderAPI(gm: GoModel): GoFile {
  const f = new GoFile(`${SERVICE_DIR}/api.gen.go`, 'service', {
    generated: true,
    doc: 'Package service holds the business logic: API, the operations the contract defines, and Service, which implements them.',
  });
  const byGroup = groups(gm);
  const names = [...byGroup.keys()].map((g) => `${gm.groupName(g)}API`);
  f.add(
    '// API is every operation of the contract. The handler layer calls it; *Service implements it.',
    'type API interface {',
    ...names.map((n) => `\t${n}`),
    '}',
  );
  f.add('var _ API = (*Service)(nil)');
  for (const [group, ops] of byGroup) {
    const lines = [`// ${gm.groupName(group)}API holds the operations tagged ${goString(group)} in the contract.`, `type ${gm.groupName(group)}API interface {`];
    ops.forEach((op, i) => {
      if (i > 0) lines.push('');
      lines.push(...comment(`${gm.opName(op)} handles ${op.method} ${op.path}${op.summary ? `: ${op.summary}` : '.'}`, '\t'));
      if (op.deprecated) lines.push('\t//', '\t// Deprecated: the contract marks this operation as deprecated.');
      lines.push(`\t${signature(gm, op, f)}`);
    });
    lines.push('}');
    f.add(...lines);
  }
  for (const op of gm.model.operations) {
    renderRequest(gm, f, op);
    renderResponses(gm, f, op);
  }
  return f;
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
  const lines = [`// ${name} carries the inputs of ${gm.opName(op)}, decoded and validated by the handler.`, `type ${name} struct {`];
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

export function renderRepositories(gm: GoModel): GoFile {
  const f = new GoFile(`${SERVICE_DIR}/repositories.gen.go`, 'service');
  const lines = ['// Repositories holds the data access of every resource the contract defines.', 'type Repositories struct {'];
  for (const r of gm.model.resources) {
    const repo = f.use(`${gm.settings.module}/internal/repository`);
    lines.push(`\t${gm.repoField(r)}\v${repo}.${gm.typeName(r.entity)}Repository`);
  }
  lines.push('}');
  f.add(...lines);
  return f;
}

function renderStub(gm: GoModel, op: Operation): GoFile {
  const f = new GoFile(gm.fileName(SERVICE_DIR, fileStem(op.name), '.go', SERVICE_FILES), 'service', { generated: false });
  const sig = signature(gm, op, f);
  const doc = comment(`${gm.opName(op)} handles ${op.method} ${op.path}${op.summary ? `: ${op.summary}` : '.'}`);
  const crud = renderCrudBody(gm, op, f);
  if (crud) {
    f.add(...doc, `func (s *Service) ${sig} {`, ...crud, '}');
    return f;
  }
  const errs = f.use(`${gm.settings.module}/pkg/errors`, 'apperrors');
  // A typed-responses operation returns an interface: nil, whatever its success body.
  const typed = responseSet(gm, op) !== undefined;
  const resp = typed ? undefined : gm.responseType(op, f);
  const zero = typed ? 'nil, ' : resp === undefined ? '' : `${resp.startsWith('*') ? 'nil' : gm.zeroValue(op.success.type!, f)}, `;
  f.add(
    ...doc,
    '//',
    '// Replace the body with the business logic; until then the operation',
    '// answers 501 Not Implemented.',
    `func (s *Service) ${sig} {`,
    `\treturn ${zero}${errs}.NotImplemented(${goString(gm.opName(op))})`,
    '}',
  );
  return f;
}

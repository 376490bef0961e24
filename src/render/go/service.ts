import type { Operation } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString } from './naming.js';
import { derivedNames, renderCrudBody, renderCrudHelpers, requestType, SERVICE_DIR } from './crud.js';
import { responseSet } from './responses.js';
import { apiPackage } from './api.js';
import { renderEvents } from './events.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** Files of the service package that are not per operation. */
const SERVICE_FILES = ['api.gen.go', 'repositories.gen.go', 'dependencies.gen.go', 'events.gen.go', 'service.go'];

export { requestType };

/** The generated service API (interfaces and request types) and one user-owned stub per operation. */
export function renderServiceLayer(gm: GoModel): Artifact[] {
  const out = [renderAPI(gm).toArtifact(localImportPrefix(gm.settings)), renderRepositories(gm).toArtifact(localImportPrefix(gm.settings))];
  for (const op of gm.model.operations) {
    const stub = renderStub(gm, op).toArtifact(localImportPrefix(gm.settings));
    stub.signature = stub.content.split('\n').find((l) => l.startsWith(`func (s *Service) ${gm.opName(op)}(`));
    stub.operation = { method: gm.opName(op), receiver: 'Service', identity: operationIdentity(op), derived: derivedNames(gm, op) };
    out.push(stub);
  }
  out.push(...renderCrudHelpers(gm, SERVICE_FILES));
  out.push(...renderEvents(gm, SERVICE_FILES));
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
  const aliases = gm.model.operations.flatMap((op) => derivedNames(gm, op));
  if (aliases.length > 0) {
    const api = f.use(apiPackage(gm));
    f.add(
      '// The request and response types of the operations live in package api,',
      '// which the handler, the service and the generated client share.',
      'type (',
      ...aliases.map((n) => `\t${n}\v= ${api}.${n}`),
      ')',
    );
  }
  return f;
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
  const errs = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
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

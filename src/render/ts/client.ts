import { Scope, StructureKind, VariableDeclarationKind, type ClassDeclarationStructure, type InterfaceDeclarationStructure, type MethodDeclarationStructure, type StatementStructures, type WriterFunction } from 'ts-morph';
import type { Operation, Parameter, ParamLocation, Response, SecurityScheme } from '../../model/types.js';
import { docText, tsType } from './models.js';
import { propertyName, tsString, type TsNames } from './names.js';

/** How a declared response body is read (runtime.ts's ResponseKind). */
export type ResponseKind = 'json' | 'text' | 'blob' | 'empty';

/** One answer a method returns as a value. */
export interface TsResponse {
  /** The key of the runtime's responses table: `200`, `4XX`, `default`. */
  code: string;
  /** The exact status, or undefined for a range or default. */
  status?: number;
  kind: ResponseKind;
  /** The TypeScript type of the body, qualified for client.ts. */
  type: string;
}

/**
 * What an operation answers as a value. One success and no error schema of
 * its own: the method returns the success body. Several successes, or error
 * answers with a schema that is not a problem: the method returns the union
 * `{ code: '200'; status: 200; body: A } | { code: '404'; status: 404; body: B }`
 * (`code`, the status as declared, also discriminates ranges and default).
 * Every other answer (problems, undeclared statuses) throws ProblemError.
 */
export function responsesOf(names: TsNames, op: Operation): { typed: boolean; responses: TsResponse[] } {
  const is2xx = (r: Response) => r.status >= 200 && r.status < 300;
  const successes = [op.success, ...op.otherResponses.filter(is2xx)];
  const errors = op.otherResponses.filter((r) => !is2xx(r) && r.type !== undefined && !r.problem);
  const typed = successes.length > 1 || errors.length > 0;
  const order = (r: Response) => (r.status === 0 ? 10_000 : /XX$/i.test(r.code ?? '') ? r.status + 99.5 : r.status);
  const seen = new Set<string>();
  const responses = [...successes, ...errors]
    .sort((a, b) => order(a) - order(b))
    .map((r) => {
      let code = (r.code ?? (r.status === 0 ? 'default' : String(r.status))).toUpperCase().replace('DEFAULT', 'default');
      // A lone success declared as `default` is any 2xx; anything else stays an error.
      if (!typed && code === 'default') code = '2XX';
      const { kind, type } = bodyOf(names, r);
      const out: TsResponse = { code, kind, type };
      if (/^[0-9]{3}$/.test(code)) out.status = Number(code);
      return out;
    })
    // `2xx` and `2XX` are one entry of the runtime's table.
    .filter((r) => !seen.has(r.code) && seen.add(r.code) !== undefined);
  return { typed, responses };
}

function bodyOf(names: TsNames, r: Response): { kind: ResponseKind; type: string } {
  const media = (contentType: string | undefined, typeOf: () => string): { kind: ResponseKind; type: string } => {
    if (contentType === undefined || /[/+]json(;|$)/i.test(contentType)) return { kind: 'json', type: typeOf() };
    if (/^text\//i.test(contentType)) return { kind: 'text', type: 'string' };
    return { kind: 'blob', type: 'Blob' };
  };
  if (r.type) return media(r.contentType, () => tsType(names, r.type!, 'models.'));
  const alt = r.alternatives?.[0];
  if (alt) return media(alt.contentType, () => tsType(names, alt.type, 'models.'));
  return { kind: 'empty', type: 'undefined' };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Whether a call may be repeated: the contract's word (`x-svc-idempotent`,
 * `Operation.idempotent` where the model carries it), else the method's.
 */
function isIdempotent(op: Operation): boolean {
  return (op as Operation & { idempotent?: boolean }).idempotent ?? IDEMPOTENT.has(op.method);
}

const LOCATIONS: ParamLocation[] = ['path', 'query', 'header', 'cookie'];

/** src/client.ts: the params and response types of each operation, and the Client class. */
export function clientStatements(names: TsNames): StatementStructures[] {
  const ops = names.model.operations;
  const runtimeImports = ['Runtime', ...(ops.length > 0 ? ['type CallOptions'] : []), 'type ClientOptions', 'type SchemeInfo'];
  if (ops.some((op) => op.parameters.some((p) => p.in === 'path'))) runtimeImports.unshift('pathParam');
  if (ops.some((op) => op.body !== undefined && bodyKind(op.body.contentType) === 'multipart')) runtimeImports.push('type MultipartBody');
  if (ops.some((op) => op.body !== undefined && bodyKind(op.body.contentType) === 'raw')) runtimeImports.push('type RawBody');
  const out: StatementStructures[] = [];
  // Imported only when used, so that the SDK compiles under noUnusedLocals too.
  const usesModels = ops.some((op) =>
    [...op.parameters.map((p) => p.type), ...(op.body ? [op.body.type] : [])].some((t) => tsType(names, t, 'models.').includes('models.')) ||
    responsesOf(names, op).responses.some((r) => r.type.includes('models.')),
  );
  if (usesModels) out.push({ kind: StructureKind.ImportDeclaration, isTypeOnly: true, namespaceImport: 'models', moduleSpecifier: './models.js' });
  out.push({ kind: StructureKind.ImportDeclaration, namedImports: runtimeImports, moduleSpecifier: './runtime.js' });
  for (const op of ops) {
    const params = paramsInterface(names, op);
    if (params) out.push(params);
    const { typed, responses } = responsesOf(names, op);
    if (typed) out.push(responseUnion(names, op, responses));
  }
  out.push({
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The contract's security schemes, by name."],
    declarations: [{ name: 'SECURITY_SCHEMES', type: 'Readonly<Record<string, SchemeInfo>>', initializer: schemesLiteral(names.model.securitySchemes) }],
  });
  out.push(clientClass(names));
  return out;
}

function schemesLiteral(schemes: SecurityScheme[]): string | WriterFunction {
  if (schemes.length === 0) return '{}';
  const entries: Record<string, string> = {};
  for (const s of schemes) {
    const fields = [`kind: ${tsString(s.kind)}`];
    if (s.in !== undefined) fields.push(`in: ${tsString(s.in)}`);
    if (s.param !== undefined) fields.push(`name: ${tsString(s.param)}`);
    if (s.httpScheme !== undefined) fields.push(`httpScheme: ${tsString(s.httpScheme)}`);
    entries[propertyName(s.name)] = `{ ${fields.join(', ')} }`;
  }
  return (w) => {
    w.inlineBlock(() => {
      for (const [key, value] of Object.entries(entries)) w.writeLine(`${key}: ${value},`);
    });
  };
}

function hasInput(op: Operation): boolean {
  return op.parameters.length > 0 || op.body !== undefined;
}

/** Whether a params object may be left out: nothing in it is required. */
function paramsOptional(op: Operation): boolean {
  return !op.parameters.some((p) => p.required || p.in === 'path') && !(op.body?.required ?? false);
}

function paramsInterface(names: TsNames, op: Operation): InterfaceDeclarationStructure | undefined {
  if (!hasInput(op)) return undefined;
  const properties: InterfaceDeclarationStructure['properties'] = [];
  for (const loc of LOCATIONS) {
    const ps = op.parameters.filter((p) => p.in === loc);
    if (ps.length === 0) continue;
    const required = ps.some((p) => p.required || p.in === 'path');
    properties.push({ name: loc, hasQuestionToken: !required, type: paramGroup(names, ps) });
  }
  if (op.body) {
    const kind = bodyKind(op.body.contentType);
    const declared = tsType(names, op.body.type, 'models.');
    const type = kind === 'raw' ? 'RawBody' : kind === 'multipart' ? `MultipartBody<${declared}>` : declared;
    properties.push({ name: 'body', hasQuestionToken: !op.body.required, type, docs: [docText(`The request body (${op.body.contentType}).`)!] });
  }
  return {
    kind: StructureKind.Interface,
    name: names.paramsType(op),
    isExported: true,
    docs: [`The parameters of ${names.method(op)}.`],
    properties,
  };
}

/** A parameter group's type literal, one documented member a line. */
function paramGroup(names: TsNames, ps: Parameter[]): string {
  const lines = ['{'];
  for (const p of ps) {
    const doc = docText(p.description);
    if (doc !== undefined) lines.push(...(doc.includes('\n') ? ['  /**', ...doc.split('\n').map((l) => `   * ${l}`.trimEnd()), '   */'] : [`  /** ${doc} */`]));
    lines.push(`  ${propertyName(p.name)}${p.required || p.in === 'path' ? '' : '?'}: ${tsType(names, p.type, 'models.')};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function responseUnion(names: TsNames, op: Operation, responses: TsResponse[]): StatementStructures {
  return {
    kind: StructureKind.TypeAlias,
    name: names.responseType(op),
    isExported: true,
    docs: [
      `The answers of ${names.method(op)}, by status; the others throw ProblemError. \`code\` is the status as the contract\n` +
        'declares it ("200", "4XX", "default"): narrowing on it is exact, where a range or default variant has any `status`.',
    ],
    type: (w) => {
      w.indent(() => {
        for (const r of responses) w.newLine().write(`| { code: ${tsString(r.code)}; status: ${r.status ?? 'number'}; body: ${r.type}; headers: Headers }`);
      });
    },
  };
}

function bodyKind(contentType: string): 'json' | 'form' | 'multipart' | 'raw' {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (media === 'application/x-www-form-urlencoded') return 'form';
  if (media === 'multipart/form-data') return 'multipart';
  return /[/+]json$/.test(media) ? 'json' : 'raw';
}

function clientClass(names: TsNames): ClassDeclarationStructure {
  const m = names.model;
  return {
    kind: StructureKind.Class,
    name: 'Client',
    isExported: true,
    docs: [docText(`A client of ${m.title} ${m.version}: one method per operation of the contract.`, m.description)!],
    properties: [
      {
        name: 'runtime',
        type: 'Runtime',
        scope: Scope.Protected,
        isReadonly: true,
        docs: ['Sends the requests; a subclass can call operations the contract does not describe through it.'],
      },
    ],
    ctors: [{ parameters: [{ name: 'options', type: 'ClientOptions' }], statements: ['this.runtime = new Runtime(options, SECURITY_SCHEMES);'] }],
    methods: m.operations.map((op) => method(names, op)),
  };
}

function method(names: TsNames, op: Operation): MethodDeclarationStructure {
  const { typed, responses } = responsesOf(names, op);
  // A method that is not typed has exactly one answer: its success.
  const success = responses[0]!;
  const returns = typed ? names.responseType(op) : success.type;
  const parameters: MethodDeclarationStructure['parameters'] = [];
  if (hasInput(op)) parameters.push(paramsOptional(op) ? { name: 'params', type: names.paramsType(op), initializer: '{}' } : { name: 'params', type: names.paramsType(op) });
  parameters.push({ name: 'options', type: 'CallOptions', hasQuestionToken: true });
  const spec = specLiteral(op, responses);
  const body: WriterFunction = (w) => {
    if (typed) w.write('return (await this.runtime.call(');
    else if (success.kind === 'empty') w.write('await this.runtime.call(');
    else w.write('const answer = await this.runtime.call(');
    spec(w);
    w.write(', options)');
    if (typed) w.write(`) as ${returns}`);
    w.write(';');
    if (!typed && success.kind !== 'empty') w.newLine().write(`return answer.body as ${returns};`);
  };
  return {
    kind: StructureKind.Method,
    name: names.method(op),
    isAsync: true,
    parameters,
    returnType: `Promise<${typed || success.kind !== 'empty' ? returns : 'void'}>`,
    docs: [
      {
        description: docText(op.summary, op.description !== op.summary ? op.description : undefined, `\`${op.method} ${op.path}\``)!,
        tags: [
          ...(op.deprecated ? [{ tagName: 'deprecated' }] : []),
          { tagName: 'throws', text: '{ProblemError} for a problem or any answer the operation does not declare.' },
        ],
      },
    ],
    statements: [body],
  };
}

/** The RequestSpec object literal a method passes to the runtime. */
function specLiteral(op: Operation, responses: TsResponse[]): WriterFunction {
  const fields: Record<string, string> = {
    operation: tsString(op.name),
    method: tsString(op.method),
    path: pathExpression(op),
  };
  for (const loc of ['query', 'header', 'cookie'] as const) {
    // The group may be absent: the runtime skips undefined values.
    if (op.parameters.some((p) => p.in === loc)) fields[loc] = `params.${loc}`;
  }
  const styled = op.parameters.filter((p) => p.in === 'query' && ((p.style !== undefined && p.style !== 'form') || p.explode === false));
  if (styled.length > 0) {
    fields.queryStyles = `{ ${styled
      .map((p) => {
        const s: string[] = [];
        if (p.style !== undefined) s.push(`style: ${tsString(p.style)}`);
        if (p.explode !== undefined) s.push(`explode: ${String(p.explode)}`);
        return `${propertyName(p.name)}: { ${s.join(', ')} }`;
      })
      .join(', ')} }`;
  }
  if (op.body) {
    fields.body = 'params.body';
    fields.bodyKind = tsString(bodyKind(op.body.contentType));
    fields.contentType = tsString(op.body.contentType);
  }
  fields.idempotent = String(isIdempotent(op));
  // Anonymous access (an empty requirement) is tried last, so that credentials are sent when the caller has them.
  const requirements = [...op.security].sort((a, b) => Number(a.length === 0) - Number(b.length === 0));
  fields.security = `[${requirements.map((r) => `[${r.map((s) => tsString(s.scheme)).join(', ')}]`).join(', ')}]`;
  fields.responses = `{ ${responses.map((r) => `${tsString(r.code)}: ${tsString(r.kind)}`).join(', ')} }`;
  return (w) => {
    w.inlineBlock(() => {
      for (const [key, value] of Object.entries(fields)) w.writeLine(`${key}: ${value},`);
    });
  };
}

/** The path with its parameters filled in: a template literal, or a plain string without parameters. */
function pathExpression(op: Operation): string {
  const pieces = op.path.split(/\{([^}]+)\}/);
  if (pieces.length === 1) return tsString(op.path);
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  let out = '`';
  pieces.forEach((piece, i) => {
    if (i % 2 === 0) {
      out += escape(piece);
      return;
    }
    const param = op.parameters.find((p) => p.in === 'path' && p.name === piece);
    out += param ? `\${pathParam(params.path${accessor(piece)})}` : escape(`{${piece}}`);
  });
  return `${out}\``;
}

function accessor(name: string): string {
  const prop = propertyName(name);
  return prop === name ? `.${name}` : `[${prop}]`;
}

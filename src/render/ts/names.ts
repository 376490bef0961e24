import { camel, pascal } from '../../model/names.js';
import type { Operation, ServiceModel, TypeDecl } from '../../model/types.js';

/** ECMAScript reserved words and TypeScript's strict-mode and type keywords: never declared as identifiers. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface',
  'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await', 'async', 'any', 'boolean', 'number',
  'string', 'symbol', 'bigint', 'object', 'never', 'unknown', 'undefined', 'type', 'arguments', 'eval', 'constructor',
]);

/**
 * The names the package exports besides the contract's: runtime.ts's and the
 * client's. index.ts re-exports every module, so a contract type may not
 * take one of them (nor a global the generated code uses, in case a file
 * refers to both).
 */
export const RUNTIME_EXPORTS = [
  'Client', 'ClientOptions', 'CallOptions', 'RetryOptions', 'ProblemError', 'FieldError', 'Runtime', 'RequestSpec', 'RawResponse',
  'AuthHook', 'HeadersHook', 'RequestContext', 'SchemeInfo', 'FetchFunction', 'ResponseKind', 'RawBody', 'MultipartBody', 'pathParam',
];

/** Globals of the generated files' code: shadowing them in the module scope would break it. */
const GLOBALS = ['Array', 'Blob', 'BodyInit', 'Date', 'Error', 'FormData', 'Headers', 'JSON', 'Math', 'Number', 'Object', 'Promise', 'Record', 'Request', 'RequestInit', 'Response', 'String', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'Symbol', 'Boolean'];

/** A valid identifier: `DescriptorProto.ExtensionRange` → `DescriptorProtoExtensionRange`, `2fa` → `X2fa`. */
export function typeIdent(name: string): string {
  const p = pascal(name) || 'X';
  return /^[0-9]/.test(p) ? `X${p}` : p;
}

/** A lower-camel identifier, never a reserved word: `CartService_GetCart` → `cartServiceGetCart`, `delete` → `delete_`. */
export function valueIdent(name: string): string {
  let c = camel(name) || 'x';
  if (/^[0-9]/.test(c)) c = `x${c}`;
  return RESERVED.has(c) ? `${c}_` : c;
}

/** Whether a property name can be written bare (`name`), or needs quotes (`'created-at'`). */
export function isPlainProperty(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** A property name as written in a type literal or object literal. */
export function propertyName(name: string): string {
  return isPlainProperty(name) ? name : tsString(name);
}

/** A TypeScript single-quoted string literal. */
export function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/**
 * Every identifier of the SDK, decided once: the contract's types (models.ts),
 * each operation's method, params type and response type (client.ts), all in
 * the one namespace index.ts re-exports.
 */
export class TsNames {
  private readonly types = new Map<string, string>();
  private readonly methods = new Map<Operation, string>();
  private readonly params = new Map<Operation, string>();
  private readonly responses = new Map<Operation, string>();
  readonly decls: ReadonlyMap<string, TypeDecl>;

  constructor(readonly model: ServiceModel) {
    this.decls = new Map(model.types.map((t) => [t.name, t]));
    const taken = new Set<string>([...RUNTIME_EXPORTS, ...GLOBALS]);
    for (const t of model.types) this.types.set(t.name, unique(typeIdent(t.name), taken));
    for (const op of model.operations) {
      const base = typeIdent(op.name);
      this.params.set(op, unique(`${base}Params`, taken));
      this.responses.set(op, unique(`${base}Response`, taken));
    }
    // Client members: the constructor and the runtime field are the class's own.
    const members = new Set<string>(['constructor', 'runtime']);
    for (const op of model.operations) this.methods.set(op, unique(valueIdent(op.name), members));
  }

  typeName(name: string): string {
    const n = this.types.get(name);
    if (n === undefined) throw new Error(`unknown type ${name}`);
    return n;
  }

  decl(name: string): TypeDecl | undefined {
    return this.decls.get(name);
  }

  method(op: Operation): string {
    return this.methods.get(op)!;
  }

  paramsType(op: Operation): string {
    return this.params.get(op)!;
  }

  responseType(op: Operation): string {
    return this.responses.get(op)!;
  }
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

import type { LoadedContract } from '../load/index.js';
import type { LoadedOpenAPI } from '../load/openapi.js';
import type { LoadedProto } from '../load/proto.js';
import { toPointer } from '../load/source.js';
import type { RpcModel } from '../model/rpc.js';
import type { ContractLocator } from './breaking.js';

/** A locator for the contract as loaded: JSON pointers for OpenAPI, declarations in the text for proto. */
export function locatorFor(loaded: LoadedContract, rpc?: RpcModel): ContractLocator {
  return loaded.kind === 'openapi' ? openAPILocator(loaded) : protoLocator(loaded, rpc);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function openAPILocator(loaded: LoadedOpenAPI): ContractLocator {
  const doc = loaded.document;
  const src = loaded.source;
  const locate = (segments: (string | number)[]) => {
    const { pointer: _pointer, ...loc } = src.locate(toPointer(segments));
    return loc;
  };
  const operationAt = (method: string, path: string): (string | number)[] | undefined => {
    const item = doc.paths?.[path];
    const m = method.toLowerCase();
    return isObject(item) && isObject(item[m]) ? ['paths', path, m] : undefined;
  };
  const schemas = isObject(doc.components?.schemas) ? doc.components.schemas : {};
  return {
    file: src.displayPath,
    operation(method, path) {
      const at = operationAt(method, path);
      return at ? locate(at) : undefined;
    },
    param(method, path, where, name) {
      const at = operationAt(method, path);
      if (!at) return undefined;
      const item = doc.paths![path]!;
      const lists: [(string | number)[], unknown][] = [
        [[...at, 'parameters'], (item[method.toLowerCase()] as Json).parameters],
        [['paths', path, 'parameters'], item.parameters],
      ];
      for (const [base, list] of lists) {
        if (!Array.isArray(list)) continue;
        const i = list.findIndex((p) => isObject(p) && p.name === name && p.in === where);
        if (i >= 0) return locate([...base, i]);
      }
      return undefined;
    },
    type(name) {
      return isObject(schemas[name]) ? locate(['components', 'schemas', name]) : undefined;
    },
    field(type, field) {
      const schema = schemas[type];
      if (!isObject(schema)) return undefined;
      if (isObject(schema.properties) && field in schema.properties) return locate(['components', 'schemas', type, 'properties', field]);
      if (Array.isArray(schema.allOf)) {
        const i = schema.allOf.findIndex((s) => isObject(s) && isObject(s.properties) && field in s.properties);
        if (i >= 0) return locate(['components', 'schemas', type, 'allOf', i, 'properties', field]);
      }
      return undefined;
    },
    rpc: () => undefined,
  };
}

/** Declarations found by their words in the proto files' text: `message Name {`, `name = 3;`, `rpc Name(`. */
function protoLocator(loaded: LoadedProto, rpc: RpcModel | undefined): ContractLocator {
  const main = loaded.main[0]!;
  const display = (path: string) => (path === main ? loaded.displayPath : path);
  const textOf = (path: string) => loaded.files.get(path)?.text;
  const find = (path: string, re: RegExp, from = 0): { line: number; column: number } | undefined => {
    const lines = (textOf(path) ?? '').split('\n');
    for (let i = from; i < lines.length; i++) {
      const m = re.exec(lines[i]!);
      if (m) return { line: i + 1, column: m.index + 1 };
    }
    return undefined;
  };
  const declaration = (kind: 'message' | 'enum', fullName: string) => {
    const decl = kind === 'message' ? rpc?.messages[fullName] : rpc?.enums[fullName];
    if (!decl) return undefined;
    const at = find(decl.file, new RegExp(`\\b${kind}\\s+${escape(decl.name)}\\s*\\{`));
    return at ? { path: decl.file, ...at } : undefined;
  };
  return {
    file: loaded.displayPath,
    operation: () => undefined,
    param: () => undefined,
    type(name) {
      const d = declaration('message', name) ?? declaration('enum', name);
      return d ? { file: display(d.path), line: d.line, column: d.column } : undefined;
    },
    field(type, field, number) {
      const d = declaration('message', type);
      if (!d) return undefined;
      const num = number === undefined ? '\\d+' : String(number);
      const at = find(d.path, new RegExp(`\\b${escape(field)}\\s*=\\s*${num}\\b`), d.line - 1);
      return at ? { file: display(d.path), line: at.line, column: at.column } : undefined;
    },
    rpc(name) {
      const slash = name.lastIndexOf('/');
      const service = rpc?.services.find((s) => s.fullName === name.slice(0, slash));
      if (!service) return undefined;
      const at = find(service.file, new RegExp(`\\brpc\\s+${escape(name.slice(slash + 1))}\\s*\\(`));
      return at ? { file: display(service.file), line: at.line, column: at.column } : undefined;
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

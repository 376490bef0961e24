import type protobuf from 'protobufjs';
import { UserError } from '../../errors.js';
import type { LoadedProto, LoadedProtoFile } from '../../load/proto.js';
import { columnOf, protobufjs } from '../../load/proto.js';
import type { HttpRule, ProtoFile, RpcEnum, RpcField, RpcMessage, RpcMethod, RpcModel, RpcService } from '../../model/rpc.js';
import type { ServiceModel } from '../../model/types.js';
import { buildContractModel } from './model.js';
import { applyProtoSecurity, readProtoSecurity } from './security.js';
import { parsePathTemplate } from '../../model/httppath.js';
import { SHARED_PROTO_PREFIX } from '../../project/platform.js';

/** Go modules that already hold the generated code of these files (by their go_package). */
const PROVIDED_GO_PACKAGES = [
  'google.golang.org/protobuf/',
  'google.golang.org/genproto/googleapis/api',
  'google.golang.org/genproto/googleapis/rpc/',
  'google.golang.org/grpc/',
];

/** Services the generated runtime implements itself: no stubs, no second registration. */
const BUILT_IN_SERVICES: Record<string, string> = {
  'grpc.health.v1.Health': 'the built-in health service, which answers from readiness',
};

const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The files of a loaded proto contract as the model holds them, by path, each
 * with its origin. The model's `rpc.files` are these; the pipeline also asks
 * for them before building the model, to start protoc on them sooner.
 */
export function protoFiles(loaded: LoadedProto): ProtoFile[] {
  return [...loaded.files.values()]
    .map((f) => ({
      path: f.path,
      package: f.package,
      ...(f.goPackage !== undefined ? { goPackage: f.goPackage } : {}),
      origin: originOf(f, loaded.main),
      library: f.fromLibrary,
      text: f.text,
      imports: f.imports,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Builds the service model from a loaded proto contract: the RPC part holds the
 * services of the contract's own files, every message and enum, and each file's
 * origin (the contract, another import generated into the service, or a file
 * whose Go code an existing module provides). `security` is svc.yaml's
 * section of that name (see `readProtoSecurity`), when it has one.
 */
export function buildFromProto(loaded: LoadedProto, serviceName: string, security?: Record<string, unknown>): ServiceModel {
  const warnings: string[] = [];
  const files = protoFiles(loaded);

  const messages: Record<string, RpcMessage> = {};
  const enums: Record<string, RpcEnum> = {};
  const services: RpcService[] = [];
  let declared = 0;
  const main = new Set(loaded.main);
  walk(loaded.root, (obj) => {
    if (obj instanceof protobufjs().Type) {
      const m = message(obj);
      messages[m.fullName] = m;
    } else if (obj instanceof protobufjs().Enum) {
      enums[fullName(obj)] = {
        name: obj.name,
        fullName: fullName(obj),
        file: obj.filename ?? '',
        ...comment(obj.comment),
        values: Object.entries(obj.values).map(([name, number]) => ({ name, number, ...comment(obj.comments[name]) })),
      };
    } else if (obj instanceof protobufjs().Service && main.has(obj.filename ?? '')) {
      declared++;
      const builtIn = BUILT_IN_SERVICES[fullName(obj)];
      if (builtIn) warnings.push(`${fullName(obj)} is served by ${builtIn}; no implementation files are generated for it`);
      else services.push(service(obj, loaded.files.get(obj.filename!)!, warnings));
    }
  });
  if (declared === 0) {
    throw new UserError('the contract declares no service: add a `service` with at least one rpc', { file: loaded.displayPath, line: 1 });
  }
  const rpc: RpcModel = { files, services, messages, enums };
  const title = services.map((s) => s.name).join(', ') || loaded.files.get(loaded.main[0]!)!.package;
  const mainFile = loaded.files.get(loaded.main[0]!)!;
  if (mainFile.goPackage === undefined) {
    warnings.push(`${loaded.displayPath}: no option go_package; the Go package is derived from the module path and the file's folder`);
  }
  const contract = buildContractModel(rpc, new Set(loaded.main.map((p) => loaded.files.get(p)!.package)), warnings);
  const secured = security !== undefined ? readProtoSecurity(security, warnings) : undefined;
  if (secured) applyProtoSecurity(secured, rpc, contract.operations);
  return {
    name: serviceName,
    title,
    version: '1.0.0',
    securitySchemes: secured?.schemes ?? [],
    ...(services[0]?.comment ? { description: services[0].comment } : {}),
    ...contract,
    warnings,
    rpc,
  };
}

/**
 * A file whose go_package an existing module holds is provided, even the
 * contract's own (grpc's health.proto); so is a platform's shared proto
 * (shared/proto/..., with a go_package): the platform root generates its
 * Go code, once, and every service imports it.
 */
function originOf(f: LoadedProtoFile, main: string[]): ProtoFile['origin'] {
  if (f.goPackage && PROVIDED_GO_PACKAGES.some((p) => f.goPackage!.startsWith(p))) return 'provided';
  if (f.goPackage && f.path.startsWith(SHARED_PROTO_PREFIX) && !f.fromLibrary) return 'provided';
  if (main.includes(f.path)) return 'contract';
  return 'import';
}

function walk(ns: protobuf.NamespaceBase, visit: (obj: protobuf.ReflectionObject) => void): void {
  for (const obj of ns.nestedArray) {
    visit(obj);
    if (obj instanceof protobufjs().Namespace || obj instanceof protobufjs().Type) walk(obj as protobuf.NamespaceBase, visit);
  }
}

function fullName(obj: protobuf.ReflectionObject): string {
  return obj.fullName.replace(/^\./, '');
}

function comment(text: string | null | undefined): { comment?: string } {
  const t = text?.trim();
  return t ? { comment: t } : {};
}

function message(t: protobuf.Type): RpcMessage {
  const fields = t.fieldsArray.map((f) => field(f));
  const oneofs = t.oneofsArray
    .filter((o) => !(o.fieldsArray.length === 1 && o.name.startsWith('_') && o.fieldsArray[0]!.options?.proto3_optional))
    .map((o) => ({ name: o.name, fields: o.fieldsArray.map((f) => f.name) }));
  const real = new Set(oneofs.map((o) => o.name));
  for (const f of fields) if (f.oneof && !real.has(f.oneof)) delete f.oneof;
  const resource = resourceOption(t);
  return { name: t.name, fullName: fullName(t), file: t.filename ?? '', ...comment(t.comment), fields, oneofs, ...(resource ? { resource } : {}) };
}

/** The message's `google.api.resource` option, when it has one with a type. */
function resourceOption(t: protobuf.Type): RpcMessage['resource'] {
  const opt = ((t.parsedOptions ?? []) as Record<string, unknown>[]).find((o) => '(google.api.resource)' in o)?.['(google.api.resource)'] as Record<string, unknown> | undefined;
  if (!opt || typeof opt.type !== 'string') return undefined;
  const patterns = (Array.isArray(opt.pattern) ? opt.pattern : opt.pattern === undefined ? [] : [opt.pattern]).map(String);
  return { type: opt.type, patterns, nameField: typeof opt.name_field === 'string' && opt.name_field !== '' ? opt.name_field : 'name' };
}

function field(f: protobuf.Field): RpcField {
  f.resolve();
  const resolved = f.resolvedType;
  const kind = resolved instanceof protobufjs().Type ? 'message' : resolved instanceof protobufjs().Enum ? 'enum' : 'scalar';
  const type = resolved ? fullName(resolved) : f.type;
  if (kind === 'scalar' && !SCALARS.has(type)) throw new UserError(`field ${fullName(f)}: unknown type "${f.type}"`);
  const behaviors = ((f.parsedOptions ?? []) as Record<string, unknown>[])
    .flatMap((o) => {
      const v = o['(google.api.field_behavior)'];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    })
    .map(String);
  const out: RpcField = {
    name: f.name,
    jsonName: jsonName(f),
    number: f.id,
    type,
    kind,
    repeated: f.repeated,
    optional: Boolean(f.options?.proto3_optional) || ((f as unknown as { rule?: string }).rule === 'optional' && !f.partOf),
    behaviors,
    ...comment(f.comment),
  };
  if (f instanceof protobufjs().MapField) out.mapKey = f.keyType;
  if (f.partOf) out.oneof = f.partOf.name;
  return out;
}

/** The proto3 JSON name: `json_name` when set, else lowerCamelCase of the field name. */
function jsonName(f: protobuf.Field): string {
  const explicit = f.options?.json_name;
  if (typeof explicit === 'string') return explicit;
  return f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function service(s: protobuf.Service, file: LoadedProtoFile, warnings: string[]): RpcService {
  const methods: RpcMethod[] = s.methodsArray.map((m) => {
    m.resolve();
    const line = rpcLine(file, s.name, m.name);
    const location = `${file.display}:${line ?? 1}`;
    return {
      name: m.name,
      ...comment(m.comment),
      input: fullName(m.resolvedRequestType!),
      output: fullName(m.resolvedResponseType!),
      clientStreaming: Boolean(m.requestStream),
      serverStreaming: Boolean(m.responseStream),
      http: httpRules(m, file, line),
      location,
    };
  });
  return { name: s.name, fullName: fullName(s), file: file.path, ...comment(s.comment), methods };
}

const rpcLines = new WeakMap<LoadedProtoFile, Map<string, number>>();

/**
 * The line of `rpc <method>(` inside `service <service>`, from one scan of
 * the file (Compute's proto declares `rpc Get(` in over a hundred services).
 */
function rpcLine(file: LoadedProtoFile, service: string, method: string): number | undefined {
  let lines = rpcLines.get(file);
  if (!lines) {
    const found = new Map<string, number>();
    let current = '';
    file.text.split('\n').forEach((l, i) => {
      const s = /^\s*service\s+(\w+)/.exec(l);
      if (s) current = s[1]!;
      const r = /^\s*rpc\s+(\w+)\s*\(/.exec(l);
      if (r && !found.has(`${current}.${r[1]}`)) found.set(`${current}.${r[1]}`, i + 1);
    });
    rpcLines.set(file, found);
    lines = found;
  }
  return lines.get(`${service}.${method}`);
}

/**
 * The `google.api.http` option of a method: its main rule, then its
 * additional bindings. A malformed path template is an error; whether a
 * target can route a well-formed one is the target's to say.
 */
function httpRules(m: protobuf.Method, file: LoadedProtoFile, line: number | undefined): HttpRule[] {
  const opt = (m.parsedOptions ?? []).find((o: Record<string, unknown>) => '(google.api.http)' in o) as Record<string, unknown> | undefined;
  if (!opt) return [];
  const rules: HttpRule[] = [];
  const add = (raw: Record<string, unknown>) => {
    const rule = httpRule(raw);
    if (!rule) return;
    try {
      parsePathTemplate(rule.path);
    } catch (err) {
      throw new UserError(`rpc ${m.name}: google.api.http: ${(err as Error).message}`, {
        file: file.display,
        ...(line !== undefined ? { line } : {}),
        ...(columnOf(file.text, line, 'rpc') !== undefined ? { column: columnOf(file.text, line, 'rpc')! } : {}),
      });
    }
    rules.push(rule);
  };
  const main = opt['(google.api.http)'] as Record<string, unknown>;
  add(main);
  const extra = main.additional_bindings;
  for (const b of Array.isArray(extra) ? extra : extra ? [extra] : []) add(b as Record<string, unknown>);
  return rules;
}

function httpRule(raw: Record<string, unknown>): HttpRule | undefined {
  let method: string | undefined;
  let path: string | undefined;
  for (const verb of HTTP_METHODS) {
    if (typeof raw[verb] === 'string') {
      method = verb.toUpperCase();
      path = raw[verb] as string;
    }
  }
  const custom = raw.custom as { kind?: string; path?: string } | undefined;
  if (!method && custom?.kind && custom.path) {
    method = custom.kind.toUpperCase();
    path = custom.path;
  }
  if (!method || !path) return undefined;
  const rule: HttpRule = { method, path };
  if (typeof raw.body === 'string' && raw.body !== '') rule.body = raw.body;
  if (typeof raw.response_body === 'string' && raw.response_body !== '') rule.responseBody = raw.response_body;
  return rule;
}

import { words } from '../../model/names.js';
import type { RpcMethod, RpcModel, RpcService } from '../../model/rpc.js';
import type { CrudKind } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from '../go/gofile.js';
import { goString } from '../go/naming.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { entityField, idField, keyField, stringField, type MessageResource } from './resources.js';
import { messageRef } from './services.js';
import { repoField } from './storage.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

const SERVICE_DIR = 'internal/service';
const CRUD_ORDER: CrudKind[] = ['create', 'get', 'list', 'update', 'delete'];

/** The standard method an RPC is, with its resource: what its stub calls. */
export interface StandardMethod {
  kind: CrudKind;
  resource: MessageResource;
  /** The generated method the stub calls, e.g. `getShelf`. */
  helper: string;
}

/** The standard methods by RPC (`<service full name>.<method>`) whose generated helper can serve them. */
export function standardMethods(rpc: RpcModel, resources: MessageResource[]): Map<string, StandardMethod> {
  const out = new Map<string, StandardMethod>();
  for (const r of resources) {
    for (const [kind, m] of Object.entries(r.methods) as [CrudKind, { service: RpcService; method: RpcMethod }][]) {
      if (!servable(rpc, r, kind, m.method)) continue;
      const name = goCamelCase(m.method.name);
      out.set(`${m.service.fullName}.${m.method.name}`, { kind, resource: r, helper: name.charAt(0).toLowerCase() + name.slice(1) });
    }
  }
  return out;
}

/** Whether the request and response have what the generated helper reads and writes. */
function servable(rpc: RpcModel, r: MessageResource, kind: CrudKind, m: RpcMethod): boolean {
  switch (kind) {
    case 'create':
      return m.output === r.entity.fullName && entityField(rpc, m, r.entity) !== undefined;
    case 'update':
      return m.output === r.entity.fullName && entityField(rpc, m, r.entity) !== undefined;
    case 'get':
      return m.output === r.entity.fullName && keyField(rpc, m, r) !== undefined;
    case 'delete':
      return (m.output === r.entity.fullName || m.output === 'google.protobuf.Empty') && keyField(rpc, m, r) !== undefined;
    case 'list': {
      const items = r.resource.list?.itemsField;
      return rpc.messages[m.output]?.fields.some((f) => f.name === items && f.repeated && f.type === r.entity.fullName) ?? false;
    }
  }
}

/**
 * Per resource, `internal/service/<resource>_store.gen.go`: the generated
 * half of each standard method, a method on the RPC's server type that the
 * user-owned stub calls. Create assigns the resource name (or takes the
 * client's `<resource>_id`), drops output-only fields and stamps create_time
 * and update_time; update applies the field mask (all fields when unset)
 * except output-only and immutable ones; list pages through the names under
 * the request's parent. Create, update and delete publish
 * `<resource>.created`, `.updated` and `.deleted`, as the OpenAPI standard
 * operations do. Repository errors become gRPC statuses.
 */
export function renderStandardMethods(layout: ProtoLayout, resources: MessageResource[], standard: Map<string, StandardMethod>): Artifact[] {
  if (standard.size === 0) return [];
  const out: Artifact[] = [runtimeFile(layout).toArtifact(localImportPrefix(layout))];
  for (const r of resources) {
    const f = new GoFile(`${SERVICE_DIR}/${words(r.entity.name).join('_')}_store.gen.go`, 'service');
    let any = false;
    for (const kind of CRUD_ORDER) {
      const m = r.methods[kind];
      const std = m && standard.get(`${m.service.fullName}.${m.method.name}`);
      if (!m || !std) continue;
      any = true;
      helper(layout, f, r, kind, m.service, m.method, std.helper);
    }
    if (any) out.push(f.toArtifact(localImportPrefix(layout)));
  }
  return out;
}

function helper(layout: ProtoLayout, f: GoFile, r: MessageResource, kind: CrudKind, s: RpcService, m: RpcMethod, name: string): void {
  const rpc = layout.rpc;
  const ctx = f.use('context');
  const recv = layout.serverName(s);
  const req = messageRef(layout, f, m.input);
  const resp = messageRef(layout, f, m.output);
  const repo = `s.Repos.${repoField(r)}`;
  const v = local(r);
  const noun = words(r.entity.name).join(' ');
  const head = (doc: string) => [...comment(doc), `func (s *${recv}) ${name}(ctx ${ctx}.Context, req ${req}) (${resp}, error) {`];
  const fail = ['\tif err != nil {', '\t\treturn nil, s.grpcError(err)', '\t}'];
  const getter = (field: string) => `Get${goCamelCase(field)}()`;
  const stamp = (fields: (typeof r.createTime)[]) => {
    const set = fields.filter((x) => x !== undefined);
    if (set.length === 0) return [];
    const ts = f.use('google.golang.org/protobuf/types/known/timestamppb');
    return [`\tnow := ${ts}.Now()`, ...set.map((x) => `\t${v}.${goCamelCase(x.name)} = now`)];
  };
  const event = (what: string) => goString(`${words(r.resource.name).join('_')}.${what}`);
  // The write and the event announcing it in one transaction (the outbox, with SQL).
  const atomically = (write: string, what: string, subject: string, data: string) => [
    `\tif err := s.InTx(ctx, func(ctx ${ctx}.Context) error {`,
    `\t\tif err := ${repo}.${write}; err != nil {`,
    '\t\t\treturn err',
    '\t\t}',
    `\t\treturn s.publishEvent(ctx, ${event(what)}, ${subject}, ${data})`,
    '\t}); err != nil {',
    '\t\treturn nil, s.grpcError(err)',
    '\t}',
  ];
  const serverOwned = [...new Set([...r.outputOnly, ...r.immutable])];

  switch (kind) {
    case 'create': {
      const body = entityField(rpc, m, r.entity)!;
      const proto = f.use('google.golang.org/protobuf/proto');
      const collection = r.pattern.length >= 2 ? r.pattern[r.pattern.length - 2]! : '';
      const parent = r.pattern.length > 2 ? stringField(rpc, m, 'parent') : undefined;
      const chosen = idField(rpc, m, r);
      // AIP-133: the server names a new resource, from the request's `<resource>_id`
      // when it has one; a name the client puts in the resource is not used.
      f.add(
        ...head(`${name} stores the ${noun} of req under a new name and returns it, with the fields the server owns set by the server.`),
        `\t${v} := ${proto}.CloneOf(req.${getter(body.name)})`,
        `\tif ${v} == nil {`,
        `\t\t${v} = new(${messageRef(layout, f, r.entity.fullName).slice(1)})`,
        '\t}',
        ...(r.outputOnly.length > 0 ? [`\tclearFields(${v}, ${r.outputOnly.map(goString).join(', ')})`] : []),
        `\tkey, err := newName(${parent ? `req.${getter(parent.name)}` : '""'}, ${goString(collection)}, ${chosen ? `req.${getter(chosen.name)}` : '""'})`,
        ...fail,
        `\t${v}.${goCamelCase(r.key.name)} = key`,
        ...stamp([r.createTime, r.updateTime]),
        ...atomically(`Create(ctx, ${v})`, 'created', `${v}.${getter(r.key.name)}`, `eventData(${v})`),
        `\treturn ${v}, nil`,
        '}',
      );
      return;
    }
    case 'get': {
      const key = keyField(rpc, m, r)!;
      f.add(...head(`${name} returns the stored ${noun}.`), `\t${v}, err := ${repo}.Get(ctx, req.${getter(key.name)})`, ...fail, `\treturn ${v}, nil`, '}');
      return;
    }
    case 'list': {
      const shape = r.resource.list!;
      const out = rpc.messages[m.output]!;
      const input = rpc.messages[m.input]!;
      const has = (n: string | undefined) => (n ? input.fields.find((x) => x.name === n && !x.repeated) : undefined);
      const size = has(shape.pageSizeParam);
      const token = has(shape.pageTokenParam);
      const next = shape.nextTokenField ? out.fields.find((x) => x.name === shape.nextTokenField) : undefined;
      const parent = r.pattern.length > 2 ? stringField(rpc, m, 'parent') : undefined;
      const repository = f.use(`${layout.module}/internal/repository`);
      const page = [size ? `Size: int(req.${getter(size.name)})` : '', token ? `Token: req.${getter(token.name)}` : ''].filter(Boolean).join(', ');
      f.add(
        ...head(`${name} returns a page of the stored ${noun} records${parent ? ` under req.${goCamelCase(parent.name)} (all when empty)` : ''}, ordered by ${r.key.name}.`),
        `\titems, next, err := ${repo}.List(ctx, ${parent ? `childrenOf(req.${getter(parent.name)})` : '""'}, ${repository}.Page{${page}})`,
        ...fail,
        ...(next ? [] : ['\t_ = next // the response has no next page token']),
        `\treturn &${resp.slice(1)}{${goCamelCase(shape.itemsField!)}: items${next ? `, ${goCamelCase(next.name)}: next` : ''}}, nil`,
        '}',
      );
      return;
    }
    case 'update': {
      const body = entityField(rpc, m, r.entity)!;
      const input = rpc.messages[m.input]!;
      const mask = input.fields.find((x) => x.type === 'google.protobuf.FieldMask' && !x.repeated);
      f.add(
        ...head(`${name} applies the fields of req.${goCamelCase(body.name)}${mask ? ` that req.${goCamelCase(mask.name)} names (all when it is empty)` : ''} to the stored ${noun}, except those the server owns, and returns the result.`),
        `\t${v}, err := ${repo}.Get(ctx, req.${getter(body.name)}.${getter(r.key.name)})`,
        ...fail,
        `\tif err := applyUpdate(${v}, req.${getter(body.name)}, ${mask ? `req.${getter(mask.name)}.GetPaths()` : 'nil'}${serverOwned.map((x) => `, ${goString(x)}`).join('')}); err != nil {`,
        '\t\treturn nil, s.grpcError(err)',
        '\t}',
        ...stamp([r.updateTime]),
        ...atomically(`Update(ctx, ${v})`, 'updated', `${v}.${getter(r.key.name)}`, `eventData(${v})`),
        `\treturn ${v}, nil`,
        '}',
      );
      return;
    }
    case 'delete': {
      const key = keyField(rpc, m, r)!;
      if (m.output === r.entity.fullName) {
        f.add(
          ...head(`${name} removes the stored ${noun} and returns it.`),
          `\t${v}, err := ${repo}.Get(ctx, req.${getter(key.name)})`,
          ...fail,
          ...atomically(`Delete(ctx, req.${getter(key.name)})`, 'deleted', `req.${getter(key.name)}`, `req.${getter(key.name)}`),
          `\treturn ${v}, nil`,
          '}',
        );
      } else {
        f.add(
          ...head(`${name} removes the stored ${noun}.`),
          ...atomically(`Delete(ctx, req.${getter(key.name)})`, 'deleted', `req.${getter(key.name)}`, `req.${getter(key.name)}`),
          `\treturn &${resp.slice(1)}{}, nil`,
          '}',
        );
      }
      return;
    }
  }
}

function local(r: MessageResource): string {
  const name = goCamelCase(r.entity.name);
  const v = name.charAt(0).toLowerCase() + name.slice(1);
  return ['s', 'req', 'ctx', 'err', 'key', 'now', 'items', 'next'].includes(v) || !/^[A-Za-z]/.test(v) ? 'res' : v;
}

/** `internal/service/resources.gen.go`: what the standard methods of every resource share. */
function runtimeFile(layout: ProtoLayout): GoFile {
  const f = new GoFile(`${SERVICE_DIR}/resources.gen.go`, 'service');
  const ctx = f.use('context');
  const errors = f.use('errors');
  const strings = f.use('strings');
  const uuid = f.use('github.com/google/uuid');
  const zap = f.use('go.uber.org/zap');
  const codes = f.use('google.golang.org/grpc/codes');
  const status = f.use('google.golang.org/grpc/status');
  const proto = f.use('google.golang.org/protobuf/proto');
  const json = f.use('encoding/json');
  const protojson = f.use('google.golang.org/protobuf/encoding/protojson');
  const protoreflect = f.use('google.golang.org/protobuf/reflect/protoreflect');
  const errs = f.use(runtimeImport(layout, 'errors'), 'apperrors');
  f.add(
    '// grpcError turns an error of the repositories into the gRPC status the',
    '// caller sees (and the REST gateway maps to an HTTP status). An internal',
    '// error is logged and answered without its details.',
    'func (s *Service) grpcError(err error) error {',
    `\tif _, ok := ${status}.FromError(err); ok {`,
    '\t\treturn err',
    '\t}',
    '\tswitch {',
    `\tcase ${errors}.Is(err, ${ctx}.Canceled):`,
    `\t\treturn ${status}.Error(${codes}.Canceled, err.Error())`,
    `\tcase ${errors}.Is(err, ${ctx}.DeadlineExceeded):`,
    `\t\treturn ${status}.Error(${codes}.DeadlineExceeded, err.Error())`,
    '\t}',
    `\tcode, ok := grpcCodes[${errs}.KindOf(err)]`,
    '\tif !ok {',
    `\t\ts.Log.Error("internal error", ${zap}.Error(err))`,
    `\t\treturn ${status}.Error(${codes}.Internal, "internal error")`,
    '\t}',
    `\treturn ${status}.Error(code, err.Error())`,
    '}',
  );
  f.add(
    '// grpcCodes maps the kinds of error a caller can act on to gRPC codes.',
    `var grpcCodes = map[${errs}.Kind]${codes}.Code{`,
    `\t${errs}.KindInvalidArgument:\v${codes}.InvalidArgument,`,
    `\t${errs}.KindNotFound:\v${codes}.NotFound,`,
    `\t${errs}.KindAlreadyExists:\v${codes}.AlreadyExists,`,
    `\t${errs}.KindConflict:\v${codes}.Aborted,`,
    `\t${errs}.KindUnauthenticated:\v${codes}.Unauthenticated,`,
    `\t${errs}.KindPermissionDenied:\v${codes}.PermissionDenied,`,
    `\t${errs}.KindNotImplemented:\v${codes}.Unimplemented,`,
    `\t${errs}.KindUnavailable:\v${codes}.Unavailable,`,
    `\t${errs}.KindDeadlineExceeded:\v${codes}.DeadlineExceeded,`,
    `\t${errs}.KindCanceled:\v${codes}.Canceled,`,
    '}',
  );
  f.add(
    '// eventData is m in the proto3 JSON mapping, as the events of the standard',
    '// methods carry it.',
    `func eventData(m ${proto}.Message) ${json}.RawMessage {`,
    `\tdata, err := ${protojson}.Marshal(m)`,
    '\tif err != nil {',
    '\t\treturn nil',
    '\t}',
    '\treturn data',
    '}',
  );
  f.add(
    '// invalid is the InvalidArgument error of a request field.',
    'func invalid(field, problem string) error {',
    `\treturn ${errs}.InvalidArgument(field, "%s %s", field, problem)`,
    '}',
  );
  f.add(
    '// newName makes the name of a new resource: parent/collection/id, without',
    '// parent when empty, without collection when empty; id is the one the client',
    '// chose or, when empty, a new UUID.',
    'func newName(parent, collection, id string) (string, error) {',
    '\tif id == "" {',
    `\t\tid = ${uuid}.NewString()`,
    `\t} else if ${strings}.Contains(id, "/") {`,
    '\t\treturn "", invalid("id", "must not contain \\"/\\"")',
    '\t}',
    '\tname := id',
    '\tif collection != "" {',
    '\t\tname = collection + "/" + id',
    '\t}',
    '\tif parent != "" {',
    '\t\tname = parent + "/" + name',
    '\t}',
    '\treturn name, nil',
    '}',
  );
  f.add(
    '// childrenOf is the key prefix of the resources under parent: all when empty.',
    'func childrenOf(parent string) string {',
    '\tif parent == "" {',
    '\t\treturn ""',
    '\t}',
    `\treturn ${strings}.TrimSuffix(parent, "/") + "/"`,
    '}',
  );
  f.add(
    '// clearFields unsets the named fields of m.',
    `func clearFields(m ${proto}.Message, names ...${protoreflect}.Name) {`,
    '\tr := m.ProtoReflect()',
    '\tfor _, name := range names {',
    '\t\tif fd := r.Descriptor().Fields().ByName(name); fd != nil {',
    '\t\t\tr.Clear(fd)',
    '\t\t}',
    '\t}',
    '}',
  );
  f.add(
    '// applyUpdate copies into dst the fields of src that paths name (a field',
    '// mask: proto names, dotted into sub-messages; every field when empty or',
    '// "*"), leaving out the fields named in fixed, which the server owns. A',
    '// field unset in src is cleared in dst.',
    `func applyUpdate(dst, src ${proto}.Message, paths []string, fixed ...${protoreflect}.Name) error {`,
    '\td, sr := dst.ProtoReflect(), src.ProtoReflect()',
    '\towned := func(name protoreflect.Name) bool {',
    '\t\tfor _, f := range fixed {',
    '\t\t\tif f == name {',
    '\t\t\t\treturn true',
    '\t\t\t}',
    '\t\t}',
    '\t\treturn false',
    '\t}',
    '\tif len(paths) == 0 || len(paths) == 1 && paths[0] == "*" {',
    '\t\tfields := d.Descriptor().Fields()',
    '\t\tfor i := 0; i < fields.Len(); i++ {',
    '\t\t\tif fd := fields.Get(i); !owned(fd.Name()) {',
    '\t\t\t\tcopyField(d, sr, fd)',
    '\t\t\t}',
    '\t\t}',
    '\t\treturn nil',
    '\t}',
    '\tfor _, path := range paths {',
    `\t\tparts := ${strings}.Split(path, ".")`,
    '\t\tif owned(protoreflect.Name(parts[0])) {',
    '\t\t\tcontinue',
    '\t\t}',
    '\t\tto, from := d, sr',
    '\t\tfor i, part := range parts {',
    '\t\t\tfd := fieldNamed(to.Descriptor(), part)',
    '\t\t\tif fd == nil {',
    '\t\t\t\treturn invalid("update_mask", "names an unknown field "+path)',
    '\t\t\t}',
    '\t\t\tif i == len(parts)-1 {',
    '\t\t\t\tcopyField(to, from, fd)',
    '\t\t\t\tbreak',
    '\t\t\t}',
    '\t\t\tif fd.Message() == nil || fd.IsList() || fd.IsMap() {',
    '\t\t\t\treturn invalid("update_mask", "cannot select inside "+string(fd.Name())+" in "+path)',
    '\t\t\t}',
    '\t\t\tto, from = to.Mutable(fd).Message(), from.Get(fd).Message()',
    '\t\t}',
    '\t}',
    '\treturn nil',
    '}',
  );
  f.add(
    '// fieldNamed finds a field by its proto name or, as REST clients write',
    '// masks, its JSON name.',
    `func fieldNamed(md ${protoreflect}.MessageDescriptor, name string) ${protoreflect}.FieldDescriptor {`,
    '\tif fd := md.Fields().ByName(protoreflect.Name(name)); fd != nil {',
    '\t\treturn fd',
    '\t}',
    '\treturn md.Fields().ByJSONName(name)',
    '}',
  );
  f.add(
    '// copyField sets fd of dst to its value in src, or clears it when src lacks it.',
    `func copyField(dst, src ${protoreflect}.Message, fd ${protoreflect}.FieldDescriptor) {`,
    '\tif src.Has(fd) {',
    '\t\tdst.Set(fd, src.Get(fd))',
    '\t} else {',
    '\t\tdst.Clear(fd)',
    '\t}',
    '}',
  );
  return f;
}

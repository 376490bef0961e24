import { parsePathTemplate } from '../../model/httppath.js';
import { words } from '../../model/names.js';
import type { HttpRule, RpcMethod, RpcService } from '../../model/rpc.js';
import type { CrudKind } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import { isRoutable } from '../go/muxroute.js';
import { goString } from '../go/naming.js';
import type { StandardMethod } from './crud.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { entityField, keyField, stringField, type MessageResource } from './resources.js';
import { messageRef } from './services.js';
import { localImportPrefix } from '../runtimepkgs.js';

/**
 * `cmd/<name>/resources_gen_test.go`: per resource with a generated create
 * and get, a message with every field set (each oneof by its first member)
 * goes through create → get → list → update → get → delete, over gRPC and
 * over the REST gateway, and must come back field for field, the fields
 * the server owns aside.
 */
export function renderStorageTests(layout: ProtoLayout, name: string, resources: MessageResource[], standard: ReadonlyMap<string, StandardMethod>): Artifact[] {
  const f = new GoFile(`cmd/${name}/resources_gen_test.go`, 'main');
  let tests = 0;
  let masked = false;
  for (const r of resources) {
    const served = (kind: CrudKind) => {
      const m = r.methods[kind];
      return m && standard.get(`${m.service.fullName}.${m.method.name}`)?.kind === kind ? m : undefined;
    };
    if (!served('create') || !served('get')) continue;
    tests++;
    const update = served('update');
    if (update && layout.rpc.messages[update.method.input]!.fields.some((x) => x.type === 'google.protobuf.FieldMask' && !x.repeated)) masked = true;
    grpcTest(layout, f, r, served);
    if (restable(served('create')!.method) && restable(served('get')!.method)) restTest(layout, f, r, (kind) => (served(kind) && restable(served(kind)!.method) ? served(kind) : undefined));
  }
  if (tests === 0) return [];
  helpers(f);
  if (masked) maskHelpers(f);
  return [f.toArtifact(localImportPrefix(layout))];
}

/** Whether the RPC's first HTTP binding is one the gateway serves. */
function restable(m: RpcMethod): boolean {
  return m.http[0] !== undefined && isRoutable(parsePathTemplate(m.http[0].path));
}

type Served = (kind: CrudKind) => { service: RpcService; method: RpcMethod } | undefined;

/** One call of a storage test: the request's fields (after valid fills the required ones), the variable the answer goes to, and what it must equal. */
interface Step {
  what: string;
  call: { service: RpcService; method: RpcMethod };
  req: string;
  fields: Record<string, string>;
  /** The variable of the answer, and whether it is declared here. */
  out?: { name: string; type: string; declare: boolean };
  /** Go lines checking the answer. */
  check: string[];
  /** The call must fail with NotFound (gRPC) or 404 (REST). */
  notFound?: boolean;
  /** Go lines that come first. */
  before?: string[];
  /** Over REST, a query parameter the request sends besides its required fields: [name, Go expression of the value]. */
  query?: [string, string];
}

/** The calls of a resource's storage test: create → get → list → update → get → delete → get. */
function steps(layout: ProtoLayout, f: GoFile, r: MessageResource, served: Served): { setup: string[]; steps: Step[] } {
  const rpc = layout.rpc;
  const entity = messageRef(layout, f, r.entity.fullName).slice(1);
  const key = `created.Get${goCamelCase(r.key.name)}()`;
  const owned = [...new Set([r.key.name, ...r.outputOnly])].map(goString).join(', ');
  const same = (what: string, got: string, want: string) => [`\tsameFields(t, ${goString(what)}, ${got}, ${want}, ${owned})`];
  const parentOf = (m: RpcMethod) => (r.pattern.length > 2 ? stringField(rpc, m, 'parent') : undefined);
  const parentValue = goString(r.pattern.slice(0, -2).map((x) => (x === '*' ? 'test' : x)).join('/'));
  const create = served('create')!;
  const get = served('get')!;
  const getKey = { [keyField(rpc, get.method, r)!.name]: key };
  const createParent = parentOf(create.method);
  const out: Step[] = [
    {
      what: 'create',
      call: create,
      req: 'createReq',
      fields: { [entityField(rpc, create.method, r.entity)!.name]: 'sent', ...(createParent ? { [createParent.name]: parentValue } : {}) },
      out: { name: 'created', type: entity, declare: true },
      check: same('create', 'created', 'sent'),
    },
    { what: 'get', call: get, req: 'getReq', fields: getKey, out: { name: 'got', type: entity, declare: true }, check: same('get', 'got', 'sent') },
  ];
  const list = served('list');
  if (list) {
    const shape = r.resource.list!;
    const size = shape.pageSizeParam && rpc.messages[list.method.input]!.fields.some((x) => x.name === shape.pageSizeParam) ? shape.pageSizeParam : undefined;
    const listParent = parentOf(list.method);
    out.push({
      what: 'list',
      call: list,
      req: 'listReq',
      fields: { ...(size ? { [size]: '100' } : {}), ...(listParent ? { [listParent.name]: parentValue } : {}) },
      out: { name: 'page', type: messageRef(layout, f, list.method.output).slice(1), declare: true },
      check: [
        `\tlisted := findKey(page.Get${goCamelCase(shape.itemsField!)}(), ${key})`,
        '\tif listed == nil {',
        `\t\tt.Fatalf("list: %s is missing", ${key})`,
        '\t}',
        ...same('list', 'listed', 'sent'),
      ],
    });
  }
  const update = served('update');
  if (update) {
    out.push(
      {
        what: 'update',
        before: [`\tchanged.${goCamelCase(r.key.name)} = ${key}`],
        call: update,
        req: 'updateReq',
        fields: { [entityField(rpc, update.method, r.entity)!.name]: 'changed' },
        out: { name: 'updated', type: entity, declare: true },
        check: same('update', 'updated', 'changed'),
      },
      { what: 'get after update', call: get, req: 'getReq', fields: getKey, out: { name: 'got', type: entity, declare: false }, check: same('get after update', 'got', 'changed') },
    );
    const input = rpc.messages[update.method.input]!;
    const mask = input.fields.find((x) => x.type === 'google.protobuf.FieldMask' && !x.repeated);
    if (mask) {
      const fieldmaskpb = f.use('google.golang.org/protobuf/types/known/fieldmaskpb');
      out.push({
        what: 'update with a mask',
        before: [`\tpatch, field, patched := maskOne(changed, sample(&${entity}{}, 3, ${owned}), ${owned})`, `\tpatch.${goCamelCase(r.key.name)} = ${key}`],
        call: update,
        req: 'maskReq',
        fields: { [entityField(rpc, update.method, r.entity)!.name]: 'patch', [mask.name]: `&${fieldmaskpb}.FieldMask{Paths: []string{string(field.Name())}}` },
        out: { name: 'updated', type: entity, declare: false },
        check: same('update with a mask', 'updated', 'patched'),
        query: [mask.jsonName, 'field.JSONName()'],
      });
    }
  }
  const del = served('delete');
  if (del) {
    out.push(
      { what: 'delete', call: del, req: 'deleteReq', fields: { [keyField(rpc, del.method, r)!.name]: key }, check: [] },
      { what: 'get after delete', call: get, req: 'getReq', fields: getKey, check: [], notFound: true },
    );
  }
  const setup = [`\tsent := sample(&${entity}{}, 1, ${owned})`];
  if (update) setup.push(`\tchanged := sample(&${entity}{}, 2, ${owned})`);
  return { setup, steps: out };
}

/** A request `v` with its required fields filled, then `fields` set (after, since valid overwrites required fields). */
function requestLines(layout: ProtoLayout, f: GoFile, v: string, m: RpcMethod, fields: Record<string, string>): string[] {
  const type = messageRef(layout, f, m.input).slice(1);
  return [`\t${v} := valid(&${type}{})`, ...Object.entries(fields).map(([k, val]) => `\t${v}.${goCamelCase(k)} = ${val}`)];
}

/** The lines of the test's steps, each request built once and sent by `send`. */
function stepLines(layout: ProtoLayout, f: GoFile, all: Step[], send: (s: Step) => string[]): string[] {
  const built = new Set<string>();
  const lines: string[] = [];
  for (const s of all) {
    lines.push(...(s.before ?? []));
    if (!built.has(s.req)) lines.push(...requestLines(layout, f, s.req, s.call.method, s.fields));
    built.add(s.req);
    lines.push(...send(s), ...s.check);
  }
  return lines;
}

function grpcTest(layout: ProtoLayout, f: GoFile, r: MessageResource, served: Served): void {
  const testing = f.use('testing');
  const ctx = f.use('context');
  const { setup, steps: all } = steps(layout, f, r, served);
  const client = (s: RpcService) => {
    const p = layout.goPackage(s.file);
    return `${f.use(p.path, p.name)}.New${goCamelCase(s.name)}Client(api.conn)`;
  };
  let err = false;
  const send = (s: Step): string[] => {
    const call = `${client(s.call.service)}.${goCamelCase(s.call.method.name)}(ctx, ${s.req})`;
    if (s.notFound) {
      return [`\t_, err = ${call}`, `\tif ${f.use('google.golang.org/grpc/status')}.Code(err) != ${f.use('google.golang.org/grpc/codes')}.NotFound {`, `\t\tt.Fatalf("${s.what}: %v, want NotFound", err)`, '\t}'];
    }
    const target = s.out ? s.out.name : '_';
    const op = s.out?.declare || !err ? ':=' : '=';
    err = true;
    return [`\t${target}, err ${op} ${call}`, '\tif err != nil {', `\t\tt.Fatalf("${s.what}: %v", err)`, '\t}'];
  };
  const body = stepLines(layout, f, all, send);
  const name = goCamelCase(r.entity.name);
  f.add(
    `// Test${name}StoredOverGRPC stores a ${words(r.entity.name).join(' ')} with every field set and reads it`,
    '// back through each standard method over gRPC.',
    `func Test${name}StoredOverGRPC(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    `\tctx := ${ctx}.Background()`,
    ...setup,
    ...body,
    '}',
  );
}

/** A Go expression of the path of `rule` for the request `req`: each variable is the request's field value. */
function restPath(rule: HttpRule, req: string): string {
  const t = parsePathTemplate(rule.path);
  const parts: string[] = [];
  let literal = '';
  for (const seg of t.segments) {
    literal += '/';
    if (seg.kind === 'literal') literal += seg.value;
    else if (seg.kind === 'wildcard') literal += 'x';
    else {
      parts.push(goString(literal));
      literal = '';
      parts.push(`${req}${seg.field.split('.').map((p) => `.Get${goCamelCase(p)}()`).join('')}`);
    }
  }
  if (t.verb !== undefined) literal += `:${t.verb}`;
  if (literal) parts.push(goString(literal));
  return parts.join('+');
}

function restTest(layout: ProtoLayout, f: GoFile, r: MessageResource, served: Served): void {
  const testing = f.use('testing');
  const protojson = f.use('google.golang.org/protobuf/encoding/protojson');
  const { setup, steps: all } = steps(layout, f, r, served);
  let declared = false;
  const send = (s: Step): string[] => {
    const rule = s.call.method.http[0]!;
    const body = goString(rule.body ?? '');
    const op = declared ? '=' : ':=';
    declared = true;
    const query = s.query ? `addQuery(restQuery(${s.req}, ${body}), ${goString(s.query[0])}, ${s.query[1]})` : `restQuery(${s.req}, ${body})`;
    const call = `\tcode, _, data ${op} api.call(t, ${goString(rule.method)}, ${restPath(rule, s.req)}+${query}, restBody(t, ${s.req}, ${body}))`;
    if (s.notFound) return [call, '\tif code != 404 {', `\t\tt.Fatalf("${s.what}: status %d, want 404: %s", code, data)`, '\t}'];
    return [
      ...(s.out ? [`\t${s.out.name} ${s.out.declare ? ':=' : '='} &${s.out.type}{}`] : []),
      call,
      '\tif code != 200 {',
      `\t\tt.Fatalf("${s.what}: status %d: %s", code, data)`,
      '\t}',
      ...(s.out ? [`\tif err := ${protojson}.Unmarshal(data, ${s.out.name}); err != nil {`, `\t\tt.Fatalf("${s.what}: decode %s: %v", data, err)`, '\t}'] : []),
    ];
  };
  const body = stepLines(layout, f, all, send);
  const name = goCamelCase(r.entity.name);
  f.add(
    `// Test${name}StoredOverREST is Test${name}StoredOverGRPC through the REST gateway, in the`,
    '// proto3 JSON mapping.',
    `func Test${name}StoredOverREST(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    ...setup,
    ...body,
    '}',
  );
}

/** maskOne and addQuery, for the resources whose update takes a field mask. */
function maskHelpers(f: GoFile): void {
  const proto = f.use('google.golang.org/protobuf/proto');
  const protoreflect = f.use('google.golang.org/protobuf/reflect/protoreflect');
  const slices = f.use('slices');
  const url = f.use('net/url');
  const strings = f.use('strings');
  f.add(
    '// maskOne picks the first field of from that the server does not own: it',
    '// returns a message holding only that field, the field, and base with that',
    '// field changed, which an update masked to the field must yield.',
    `func maskOne[M ${proto}.Message](base, from M, owned ...${protoreflect}.Name) (M, ${protoreflect}.FieldDescriptor, M) {`,
    '\tpatch := base.ProtoReflect().New()',
    `\twant := ${proto}.Clone(base).ProtoReflect()`,
    '\tsrc := from.ProtoReflect()',
    '\tfields := patch.Descriptor().Fields()',
    '\tfor i := 0; i < fields.Len(); i++ {',
    '\t\tfd := fields.Get(i)',
    `\t\tif ${slices}.Contains(owned, fd.Name()) || !src.Has(fd) {`,
    '\t\t\tcontinue',
    '\t\t}',
    '\t\tpatch.Set(fd, src.Get(fd))',
    '\t\twant.Set(fd, src.Get(fd))',
    '\t\treturn patch.Interface().(M), fd, want.Interface().(M)',
    '\t}',
    '\tpanic("maskOne: no field to update")',
    '}',
  );
  f.add(
    '// addQuery appends key=value to a query string that is empty or starts with "?".',
    'func addQuery(query, key, value string) string {',
    `\tsep := "?"`,
    `\tif ${strings}.HasPrefix(query, "?") {`,
    '\t\tsep = "&"',
    '\t}',
    `\treturn query + sep + ${url}.QueryEscape(key) + "=" + ${url}.QueryEscape(value)`,
    '}',
  );
}

function helpers(f: GoFile): void {
  const proto = f.use('google.golang.org/protobuf/proto');
  const protoreflect = f.use('google.golang.org/protobuf/reflect/protoreflect');
  const prototext = f.use('google.golang.org/protobuf/encoding/prototext');
  const anypb = f.use('google.golang.org/protobuf/types/known/anypb');
  const wrapperspb = f.use('google.golang.org/protobuf/types/known/wrapperspb');
  const testing = f.use('testing');
  const fmt = f.use('fmt');
  f.add(
    '// sample sets every field of m but those named in skip to a value that',
    '// depends on seed (each oneof by its first member), nested messages',
    '// included, and returns m.',
    `func sample[M ${proto}.Message](m M, seed int, skip ...${protoreflect}.Name) M {`,
    '\tfillAll(m.ProtoReflect(), seed, 0, skip)',
    '\treturn m',
    '}',
  );
  f.add(
    `func fillAll(m ${protoreflect}.Message, seed, depth int, skip []${protoreflect}.Name) {`,
    '\tif m.Descriptor().FullName() == "google.protobuf.Any" {',
    `\t\tv, err := ${anypb}.New(${wrapperspb}.String(${fmt}.Sprint("any-", seed)))`,
    '\t\tif err == nil {',
    '\t\t\tm.Set(m.Descriptor().Fields().ByName("type_url"), protoreflect.ValueOfString(v.GetTypeUrl()))',
    '\t\t\tm.Set(m.Descriptor().Fields().ByName("value"), protoreflect.ValueOfBytes(v.GetValue()))',
    '\t\t}',
    '\t\treturn',
    '\t}',
    '\tfields := m.Descriptor().Fields()',
    'next:',
    '\tfor i := 0; i < fields.Len(); i++ {',
    '\t\tfd := fields.Get(i)',
    '\t\tfor _, name := range skip {',
    '\t\t\tif fd.Name() == name {',
    '\t\t\t\tcontinue next',
    '\t\t\t}',
    '\t\t}',
    '\t\tif o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() && o.Fields().Get(0) != fd {',
    '\t\t\tcontinue',
    '\t\t}',
    '\t\tif fd.Message() != nil && depth >= 3 {',
    '\t\t\tcontinue',
    '\t\t}',
    '\t\tswitch {',
    '\t\tcase fd.IsList():',
    '\t\t\tlist := m.Mutable(fd).List()',
    '\t\t\tlist.Append(anyValue(fd, list.NewElement(), seed, depth))',
    '\t\tcase fd.IsMap():',
    '\t\t\tmp := m.Mutable(fd).Map()',
    '\t\t\tmp.Set(anyValue(fd.MapKey(), protoreflect.Value{}, seed, depth).MapKey(), anyValue(fd.MapValue(), mp.NewValue(), seed, depth))',
    '\t\tdefault:',
    '\t\t\tm.Set(fd, anyValue(fd, m.NewField(fd), seed, depth))',
    '\t\t}',
    '\t}',
    '}',
  );
  f.add(
    '// anyValue is a value of the field\'s kind that depends on seed and is valid',
    '// in the proto3 JSON mapping; blank holds a new message for message fields.',
    `func anyValue(fd ${protoreflect}.FieldDescriptor, blank ${protoreflect}.Value, seed, depth int) ${protoreflect}.Value {`,
    '\tswitch fd.Kind() {',
    '\tcase protoreflect.StringKind:',
    `\t\treturn protoreflect.ValueOfString(${fmt}.Sprint("sample", seed))`,
    '\tcase protoreflect.BytesKind:',
    '\t\treturn protoreflect.ValueOfBytes([]byte{byte(seed), 1, 2})',
    '\tcase protoreflect.BoolKind:',
    '\t\treturn protoreflect.ValueOfBool(seed%2 == 1)',
    '\tcase protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:',
    '\t\treturn protoreflect.ValueOfInt32(int32(10 + seed))',
    '\tcase protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:',
    '\t\treturn protoreflect.ValueOfInt64(int64(1000 + seed))',
    '\tcase protoreflect.Uint32Kind, protoreflect.Fixed32Kind:',
    '\t\treturn protoreflect.ValueOfUint32(uint32(20 + seed))',
    '\tcase protoreflect.Uint64Kind, protoreflect.Fixed64Kind:',
    '\t\treturn protoreflect.ValueOfUint64(uint64(2000 + seed))',
    '\tcase protoreflect.FloatKind:',
    '\t\treturn protoreflect.ValueOfFloat32(float32(seed) + 0.5)',
    '\tcase protoreflect.DoubleKind:',
    '\t\treturn protoreflect.ValueOfFloat64(float64(seed) + 0.25)',
    '\tcase protoreflect.EnumKind:',
    '\t\tvalues := fd.Enum().Values()',
    '\t\treturn protoreflect.ValueOfEnum(values.Get(seed % values.Len()).Number())',
    '\tdefault:',
    '\t\tfillAll(blank.Message(), seed, depth+1, nil)',
    '\t\treturn blank',
    '\t}',
    '}',
  );
  f.add(
    '// sameFields fails the test unless got and want are equal but for the',
    '// fields named in owned, which the server sets.',
    `func sameFields(t *${testing}.T, what string, got, want ${proto}.Message, owned ...${protoreflect}.Name) {`,
    '\tt.Helper()',
    `\tg, w := ${proto}.Clone(got), ${proto}.Clone(want)`,
    '\tfor _, m := range []protoreflect.Message{g.ProtoReflect(), w.ProtoReflect()} {',
    '\t\tfor _, name := range owned {',
    '\t\t\tm.Clear(m.Descriptor().Fields().ByName(name))',
    '\t\t}',
    '\t}',
    `\tif !${proto}.Equal(g, w) {`,
    `\t\tt.Fatalf("%s: got\\n%s\\nwant\\n%s", what, ${prototext}.Format(g), ${prototext}.Format(w))`,
    '\t}',
    '}',
  );
  f.add(
    '// findKey returns the message of items whose resource key is key, or nil.',
    `func findKey[M ${proto}.Message](items []M, key string) M {`,
    '\tvar zero M',
    '\tfor _, m := range items {',
    '\t\tr := m.ProtoReflect()',
    '\t\tfields := r.Descriptor().Fields()',
    '\t\tfor i := 0; i < fields.Len(); i++ {',
    '\t\t\tif fd := fields.Get(i); fd.Kind() == protoreflect.StringKind && !fd.IsList() && !fd.IsMap() && r.Get(fd).String() == key {',
    '\t\t\t\treturn m',
    '\t\t\t}',
    '\t\t}',
    '\t}',
    '\treturn zero',
    '}',
  );
}

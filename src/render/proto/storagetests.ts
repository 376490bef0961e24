import { parsePathTemplate } from '../../model/httppath.js';
import { words } from '../../model/names.js';
import type { HttpRule, RpcMethod } from '../../model/rpc.js';
import type { CrudKind } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import { isRoutable } from '../go/muxroute.js';
import { goString } from '../go/naming.js';
import type { StandardMethod } from './crud.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { entityField, keyField, stringField, type MessageResource } from './resources.js';
import { messageRef } from './services.js';

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
  for (const r of resources) {
    const served = (kind: CrudKind) => {
      const m = r.methods[kind];
      return m && standard.get(`${m.service.fullName}.${m.method.name}`)?.kind === kind ? m : undefined;
    };
    if (!served('create') || !served('get')) continue;
    tests++;
    grpcTest(layout, f, r, served);
    if (restable(served('create')!.method) && restable(served('get')!.method)) restTest(layout, f, r, (kind) => (served(kind) && restable(served(kind)!.method) ? served(kind) : undefined));
  }
  if (tests === 0) return [];
  helpers(f);
  return [f.toArtifact(layout.module)];
}

/** Whether the RPC's first HTTP binding is one the gateway serves. */
function restable(m: RpcMethod): boolean {
  return m.http[0] !== undefined && isRoutable(parsePathTemplate(m.http[0].path));
}

type Served = (kind: CrudKind) => { service: { fullName: string; name: string; file: string }; method: RpcMethod } | undefined;

/** A request `v` with its required fields filled, then `fields` set (after, since valid overwrites required fields). */
function requestLines(layout: ProtoLayout, f: GoFile, v: string, m: RpcMethod, fields: Record<string, string>, decl = true): string[] {
  const type = messageRef(layout, f, m.input).slice(1);
  return [`	${v} ${decl ? ':=' : '='} valid(&${type}{})`, ...Object.entries(fields).map(([k, val]) => `	${v}.${goCamelCase(k)} = ${val}`)];
}

function owned(r: MessageResource): string {
  return [...new Set([r.key.name, ...r.outputOnly])].map(goString).join(', ');
}

function grpcTest(layout: ProtoLayout, f: GoFile, r: MessageResource, served: Served): void {
  const testing = f.use('testing');
  const ctx = f.use('context');
  const entity = messageRef(layout, f, r.entity.fullName).slice(1);
  const client = (m: { service: { file: string; name: string } }) => {
    const p = layout.goPackage(m.service.file);
    return `${f.use(p.path, p.name)}.New${goCamelCase(m.service.name)}Client(api.conn)`;
  };
  const create = served('create')!;
  const get = served('get')!;
  const noun = words(r.entity.name).join(' ');
  const body = entityField(layout.rpc, create.method, r.entity)!;
  const parent = r.pattern.length > 2 ? stringField(layout.rpc, create.method, 'parent') : undefined;
  const parentValue = parent ? goString(r.pattern.slice(0, -2).map((s) => (s === '*' ? 'test' : s)).join('/')) : undefined;
  const getKey = keyField(layout.rpc, get.method, r)!;
  const lines: string[] = [
    `// Test${goCamelCase(r.entity.name)}StoredOverGRPC stores a ${noun} with every field set and reads it`,
    '// back through each standard method over gRPC.',
    `func Test${goCamelCase(r.entity.name)}StoredOverGRPC(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    `\tctx := ${ctx}.Background()`,
    `\tsent := sample(&${entity}{}, 1, ${owned(r)})`,
    ...requestLines(layout, f, 'createReq', create.method, { [body.name]: 'sent', ...(parent ? { [parent.name]: parentValue! } : {}) }),
    `\tcreated, err := ${client(create)}.${goCamelCase(create.method.name)}(ctx, createReq)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("create: %v", err)',
    '\t}',
    `\tsameFields(t, "create", created, sent, ${owned(r)})`,
    ...requestLines(layout, f, 'getReq', get.method, { [getKey.name]: `created.Get${goCamelCase(r.key.name)}()` }),
    `\tgot, err := ${client(get)}.${goCamelCase(get.method.name)}(ctx, getReq)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("get: %v", err)',
    '\t}',
    `\tsameFields(t, "get", got, sent, ${owned(r)})`,
  ];
  const list = served('list');
  if (list) {
    const shape = r.resource.list!;
    const input = layout.rpc.messages[list.method.input]!;
    const listParent = r.pattern.length > 2 ? stringField(layout.rpc, list.method, 'parent') : undefined;
    lines.push(
      ...requestLines(layout, f, 'listReq', list.method, {
        ...(shape.pageSizeParam && input.fields.some((x) => x.name === shape.pageSizeParam) ? { [shape.pageSizeParam]: '100' } : {}),
        ...(listParent && parentValue ? { [listParent.name]: parentValue } : {}),
      }),
      `\tpage, err := ${client(list)}.${goCamelCase(list.method.name)}(ctx, listReq)`,
      '\tif err != nil {',
      '\t\tt.Fatalf("list: %v", err)',
      '\t}',
      `\tlisted := findKey(page.Get${goCamelCase(shape.itemsField)}(), created.Get${goCamelCase(r.key.name)}())`,
      '\tif listed == nil {',
      `\t\tt.Fatalf("list: %s is missing", created.Get${goCamelCase(r.key.name)}())`,
      '\t}',
      `\tsameFields(t, "list", listed, sent, ${owned(r)})`,
    );
  }
  const update = served('update');
  if (update) {
    const ubody = entityField(layout.rpc, update.method, r.entity)!;
    lines.push(
      `\tchanged := sample(&${entity}{}, 2, ${owned(r)})`,
      `\tchanged.${goCamelCase(r.key.name)} = created.Get${goCamelCase(r.key.name)}()`,
      ...requestLines(layout, f, 'updateReq', update.method, { [ubody.name]: 'changed' }),
      `\tupdated, err := ${client(update)}.${goCamelCase(update.method.name)}(ctx, updateReq)`,
      '\tif err != nil {',
      '\t\tt.Fatalf("update: %v", err)',
      '\t}',
      `\tsameFields(t, "update", updated, changed, ${owned(r)})`,
      `\tgot, err = ${client(get)}.${goCamelCase(get.method.name)}(ctx, getReq)`,
      '\tif err != nil {',
      '\t\tt.Fatalf("get after update: %v", err)',
      '\t}',
      `\tsameFields(t, "get after update", got, changed, ${owned(r)})`,
    );
  }
  const del = served('delete');
  if (del) {
    const status = f.use('google.golang.org/grpc/status');
    const codes = f.use('google.golang.org/grpc/codes');
    const delKey = keyField(layout.rpc, del.method, r)!;
    lines.push(
      ...requestLines(layout, f, 'deleteReq', del.method, { [delKey.name]: `created.Get${goCamelCase(r.key.name)}()` }),
      `\tif _, err := ${client(del)}.${goCamelCase(del.method.name)}(ctx, deleteReq); err != nil {`,
      '\t\tt.Fatalf("delete: %v", err)',
      '\t}',
      `\t_, err = ${client(get)}.${goCamelCase(get.method.name)}(ctx, getReq)`,
      `\tif ${status}.Code(err) != ${codes}.NotFound {`,
      '\t\tt.Fatalf("get after delete: %v, want NotFound", err)',
      '\t}',
    );
  }
  lines.push('}');
  f.add(...lines);
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
  const entity = messageRef(layout, f, r.entity.fullName).slice(1);
  const create = served('create')!;
  const get = served('get')!;
  const body = entityField(layout.rpc, create.method, r.entity)!;
  const parent = r.pattern.length > 2 ? stringField(layout.rpc, create.method, 'parent') : undefined;
  const parentValue = parent ? goString(r.pattern.slice(0, -2).map((s) => (s === '*' ? 'test' : s)).join('/')) : undefined;
  const getKey = keyField(layout.rpc, get.method, r)!;
  const key = `created.Get${goCamelCase(r.key.name)}()`;
  const request = (v: string, m: RpcMethod, fields: Record<string, string>, what: string, out: string, decl: boolean) => {
    const rule = m.http[0]!;
    const body = goString(rule.body ?? '');
    return [
      ...requestLines(layout, f, v, m, fields),
      `\tcode, _, data ${decl ? ':=' : '='} api.call(t, ${goString(rule.method)}, ${restPath(rule, v)}+restQuery(${v}, ${body}), restBody(t, ${v}, ${body}))`,
      '\tif code != 200 {',
      `\t\tt.Fatalf("${what}: status %d: %s", code, data)`,
      '\t}',
      `\tif err := ${protojson}.Unmarshal(data, ${out}); err != nil {`,
      `\t\tt.Fatalf("${what}: decode %s: %v", data, err)`,
      '\t}',
    ];
  };
  const lines: string[] = [
    `// Test${goCamelCase(r.entity.name)}StoredOverREST is Test${goCamelCase(r.entity.name)}StoredOverGRPC through the REST gateway,`,
    '// in the proto3 JSON mapping.',
    `func Test${goCamelCase(r.entity.name)}StoredOverREST(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    `\tsent := sample(&${entity}{}, 1, ${owned(r)})`,
    `\tcreated := &${entity}{}`,
    ...request('createReq', create.method, { [body.name]: 'sent', ...(parent ? { [parent.name]: parentValue! } : {}) }, 'create', 'created', true),
    `\tsameFields(t, "create", created, sent, ${owned(r)})`,
    `\tgot := &${entity}{}`,
    ...request('getReq', get.method, { [getKey.name]: key }, 'get', 'got', false),
    `\tsameFields(t, "get", got, sent, ${owned(r)})`,
  ];
  const list = served('list');
  if (list) {
    const shape = r.resource.list!;
    const input = layout.rpc.messages[list.method.input]!;
    const listParent = r.pattern.length > 2 ? stringField(layout.rpc, list.method, 'parent') : undefined;
    lines.push(
      `\tpage := &${messageRef(layout, f, list.method.output).slice(1)}{}`,
      ...request('listReq', list.method, {
        ...(listParent && parentValue ? { [listParent.name]: parentValue } : {}),
      }, 'list', 'page', false),
      `\tlisted := findKey(page.Get${goCamelCase(shape.itemsField)}(), ${key})`,
      '\tif listed == nil {',
      `\t\tt.Fatalf("list: %s is missing", ${key})`,
      '\t}',
      `\tsameFields(t, "list", listed, sent, ${owned(r)})`,
    );
    void input;
  }
  const update = served('update');
  if (update) {
    const ubody = entityField(layout.rpc, update.method, r.entity)!;
    lines.push(
      `\tchanged := sample(&${entity}{}, 2, ${owned(r)})`,
      `\tchanged.${goCamelCase(r.key.name)} = ${key}`,
      `\tupdated := &${entity}{}`,
      ...request('updateReq', update.method, { [ubody.name]: 'changed' }, 'update', 'updated', false),
      `\tsameFields(t, "update", updated, changed, ${owned(r)})`,
      `\tgot = &${entity}{}`,
      ...request('getAgainReq', get.method, { [getKey.name]: key }, 'get after update', 'got', false),
      `\tsameFields(t, "get after update", got, changed, ${owned(r)})`,
    );
  }
  lines.push('}');
  f.add(...lines);
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

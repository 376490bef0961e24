import type { ObjectDecl, Operation, Parameter, Resource, TypeRef } from '../../model/types.js';
import { exampleFor } from '../../model/examples.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { crudRole } from './crud.js';
import { isFormBody, isRawBody, successMediaType } from './handler.js';
import { requestType } from './service.js';
import { exportedName, fileStem, goRawString, goString } from './naming.js';
import { words } from '../../model/names.js';
import { fallbackContentType, responseSet, type ResponseVariant } from './responses.js';
import { goKey } from './sql.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';
import { segmentRouteTest } from './segmenttests.js';

const spaced = (name: string) => words(name).join(' ');

const DIR = 'internal/handler';

/**
 * The generated service's own handler tests: a full create → get → list →
 * update → delete cycle for every resource, pagination, a valid request for
 * every other operation (reaching the API), and a 400 for
 * a body that misses required fields.
 */
export function renderHandlerTests(gm: GoModel): Artifact[] {
  const out: Artifact[] = [];
  for (const r of gm.model.resources) out.push(resourceTest(gm, r).toArtifact(localImportPrefix(gm.settings)));
  const others = gm.model.operations.filter((op) => !crudRole(gm, op));
  if (others.length > 0) out.push(reachTest(gm, others).toArtifact(localImportPrefix(gm.settings)));
  const withBodies = gm.model.operations.filter((op) => requiredBodyField(gm, op));
  if (withBodies.length > 0) out.push(invalidBodyTest(gm, withBodies).toArtifact(localImportPrefix(gm.settings)));
  if (gm.model.operations.length > 0) out.push(responsesTest(gm, gm.model.operations).toArtifact(localImportPrefix(gm.settings)));
  const segments = segmentRouteTest(gm);
  if (segments) out.push(segments.toArtifact(localImportPrefix(gm.settings)));
  return out;
}

/** A status other than the fallback, to show that a variant's StatusCode is what is written. */
function dynamicStatus(v: ResponseVariant): number {
  return v.response.status === 0 ? 503 : v.status + 9;
}

/**
 * The responses the contract declares, checked against it: for every
 * operation, a fake API returns each response the operation can give (its
 * success body, or every variant of its typed responses) and the test expects
 * the declared status, content type and a body that decodes into the
 * declared type and carries what was returned; an error returned instead must
 * come out as a problem.
 */
function responsesTest(gm: GoModel, ops: Operation[]): GoFile {
  const f = new GoFile(`${DIR}/responses_gen_test.go`, 'handler');
  const http = f.use('net/http');
  const testing = f.use('testing');
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const context = f.use('context');
  const cases: string[] = [];
  const methods: string[] = [];
  // Each distinct example body once, as a constant the cases share (GitHub's
  // contract answers the same repository object from dozens of operations).
  const bodies = new Map<string, string>();
  const body = (ref: TypeRef): string => {
    const text = JSON.stringify(exampleFor(ref, gm.decls));
    let name = bodies.get(text);
    if (!name) bodies.set(text, (name = `exampleBody${bodies.size + 1}`));
    return name;
  };
  for (const op of ops) {
    const set = responseSet(gm, op);
    const opName = gm.opName(op);
    const result = set ? `${svc}.${set.iface}` : gm.responseType(op, f);
    const request = `${svc}.${requestType(gm, op)}`;
    if (result) {
      methods.push(
        `func (f *responsesFake) ${opName}(_ ${context}.Context, req ${request}) (${result}, error) {`,
        '	f.req = req',
        `	resp, _ := f.resp.(${result})`,
        '	return resp, f.err',
        '}',
        '',
      );
    } else {
      methods.push(`func (f *responsesFake) ${opName}(_ ${context}.Context, req ${request}) error {`, '	f.req = req', '	return f.err', '}', '');
    }
    const headers = requiredHeaders(gm, op);
    // One key per line, aligned as gofmt aligns a composite literal.
    const req = [
      `			method:\v${http}.Method${method(op)},`,
      `			path:\v${goString(concretePath(gm, op) + requiredQuery(gm, op))},`,
      `			body:\v${goRawString(requestBody(gm, op))},`,
      ...(headers.length > 0 ? [`			header:\vmap[string]string{${headers.map(([k, v]) => `${goString(k)}: ${goString(v)}`).join(', ')}},`] : []),
    ];
    if (!set) {
      const lines = ['		{', `			name:\v${goString(`${opName}/${op.success.status}`)},`, ...req];
      if (op.success.type) {
        const t = gm.goType(op.success.type, f);
        const helper = result!.startsWith('*') ? 'examplePtr' : 'example';
        lines.push(`			resp:\v${helper}[${t}](t, ${body(op.success.type)}),`);
      }
      lines.push(
        `			status:\v${op.success.status},`,
        `			contentType:\v${goString(op.success.type ? successMediaType(op) : '')},`,
        `			check:\v${op.success.type ? `wantJSONValue[${gm.goType(op.success.type, f)}]` : 'wantNoBody'},`,
        '		},',
      );
      cases.push(...lines);
    }
    for (const v of set?.variants ?? []) {
      const status = v.dynamic ? dynamicStatus(v) : v.status;
      const fields: string[] = [];
      if (v.dynamic) fields.push(`StatusCode: ${status}`);
      const sentHeaders = v.response.headers ?? [];
      if (sentHeaders.length > 0) fields.push(`Header: ${http}.Header{${sentHeaders.map((h) => `${goString(h)}: {"example"}`).join(', ')}}`);
      let check: string;
      let contentType = '';
      if (v.kind === 'json') {
        const t = gm.goType(v.type!, f);
        fields.push(`Body: example[${t}](t, ${body(v.type!)})`);
        check = `wantJSONBody[${t}]`;
        contentType = v.contentType!;
      } else if (v.kind === 'raw') {
        fields.push('Body: []byte("example")');
        check = 'wantRawBody';
        contentType = fallbackContentType(v.contentType!);
      } else {
        check = 'wantNoBody';
      }
      cases.push(
        '		{',
        `			name:\v${goString(`${opName}/${v.name}`)},`,
        ...req,
        `			resp:\v${svc}.${v.name}{${fields.join(', ')}},`,
        `			status:\v${status},`,
        `			contentType:\v${goString(contentType)},`,
        ...(sentHeaders.length > 0 ? [`			respHeader:\vmap[string]string{${sentHeaders.map((h) => `${goString(h)}: "example"`).join(', ')}},`] : []),
        `			check:\v${check},`,
        '		},',
      );
      if (/^[1-5]XX$/.test(v.response.code ?? '')) {
        // A status outside the variant's range is the service's mistake: a 500 problem.
        const outside = v.status >= 500 ? 200 : 500;
        const rest = fields.filter((x) => !x.startsWith('StatusCode:'));
        cases.push(
          '		{',
          `			name:\v${goString(`${opName}/${v.name}/status ${outside}`)},`,
          ...req,
          `			resp:\v${svc}.${v.name}{${[`StatusCode: ${outside}`, ...rest].join(', ')}},`,
          `			status:\v${http}.StatusInternalServerError,`,
          `			contentType:\verrorContentType(${http}.Method${method(op)}, ${goString(concretePath(gm, op))}, ${http}.StatusInternalServerError),`,
          '			check:\vwantProblemBody,',
          '			problem:\vtrue,',
          '		},',
        );
      }
    }
    cases.push(
      '		{',
      `			name:\v${goString(`${opName}/error`)},`,
      ...req,
      `			err:\v${f.use(runtimeImport(gm.settings, 'errors'), 'apperrors')}.NotImplemented(${goString(opName)}),`,
      `			status:\v${http}.StatusNotImplemented,`,
      `			contentType:\verrorContentType(${http}.Method${method(op)}, ${goString(concretePath(gm, op))}, ${http}.StatusNotImplemented),`,
      '			check:\vwantProblemBody,',
      '			problem:\vtrue,',
      '		},',
    );
  }
  if (bodies.size > 0) {
    f.add(
      '// Example bodies of the declared response types, synthesised from their schemas.',
      'const (',
      ...[...bodies].map(([text, name]) => `\t${name}\v= ${goRawString(text)}`),
      ')',
    );
  }
  const json = f.use('encoding/json');
  const httptest = f.use('net/http/httptest');
  f.add(
    '// responsesFake answers every operation with what a test case sets, and',
    '// keeps the request it was given.',
    'type responsesFake struct {',
    '	resp any',
    '	err  error',
    '	req  any',
    '}',
    '',
    ...methods.slice(0, -1),
  );
  f.add(
    '// TestOperationResponses feeds every response the contract declares through',
    '// the handler and checks what reaches the client against the contract: the',
    "// variant's status and content type, and a body of the declared type.",
    `func TestOperationResponses(t *${testing}.T) {`,
    '	cases := []struct {',
    '		name, method, path, body string',
    '		header                   map[string]string',
    '		resp                     any',
    '		err                      error',
    '		status                   int',
    '		contentType              string',
    '		respHeader               map[string]string',
    `		check                    func(t *${testing}.T, sent any, resp testReply, data []byte)`,
    '		problem                  bool',
    '	}{',
    ...cases,
    '	}',
    '	for _, tc := range cases {',
    `		t.Run(tc.name, func(t *${testing}.T) {`,
    '			fake := &responsesFake{resp: tc.resp, err: tc.err}',
    '			h := New(fake)',
    `			mux := ${http}.NewServeMux()`,
    '			if err := Register(mux, h.Routes(), nil); err != nil {',
    '				t.Fatalf("routes: %v", err)',
    '			}',
    `			srv := ${httptest}.NewServer(mux)`,
    '			defer srv.Close()',
    '			resp, data := doWithHeader(t, srv, tc.method, tc.path, tc.body, tc.header)',
    '			wantStatus(t, resp, data, tc.status)',
    '			if ct := resp.Header.Get("Content-Type"); ct != tc.contentType {',
    '				t.Fatalf("content type %q, want %q", ct, tc.contentType)',
    '			}',
    '			for name, want := range tc.respHeader {',
    '				if got := resp.Header.Get(name); got != want {',
    '					t.Fatalf("header %s = %q, want %q", name, got, want)',
    '				}',
    '			}',
    '			tc.check(t, tc.resp, resp, data)',
    '			throughClient(t, srv.URL, fake, tc.name, tc.status, tc.problem)',
    '		})',
    '	}',
    '}',
  );
  f.add(
    '// example decodes a JSON example into the type a response declares.',
    `func example[T any](t *${testing}.T, data string) T {`,
    '	t.Helper()',
    '	var v T',
    `	if err := ${json}.Unmarshal([]byte(data), &v); err != nil {`,
    '		t.Fatalf("example %T: %v", v, err)',
    '	}',
    '	return v',
    '}',
  );
  const reflect = f.use('reflect');
  f.add(
    '// wantJSONBody is wantJSONValue for the Body of the typed response variant',
    '// the service returned.',
    `func wantJSONBody[T any](t *${testing}.T, sent any, resp testReply, data []byte) {`,
    '	t.Helper()',
    `	wantJSONValue[T](t, ${reflect}.ValueOf(sent).FieldByName("Body").Interface(), resp, data)`,
    '}',
  );
  if (ops.some((op) => !responseSet(gm, op) && gm.responseType(op, f)?.startsWith('*'))) {
    f.add(
      '// examplePtr is example for a body the service returns by pointer.',
      `func examplePtr[T any](t *${testing}.T, data string) *T {`,
      '	t.Helper()',
      '	v := example[T](t, data)',
      '	return &v',
      '}',
    );
  }
  f.add(
    '// wantJSONValue decodes a response body into T, the type the contract',
    '// declares, and checks that it carries the value the service returned.',
    `func wantJSONValue[T any](t *${testing}.T, sent any, _ testReply, data []byte) {`,
    '	t.Helper()',
    '	var got T',
    '	decode(t, data, &got)',
    `	g, err := ${json}.Marshal(got)`,
    '	if err != nil {',
    '		t.Fatalf("encode %T: %v", got, err)',
    '	}',
    `	w, err := ${json}.Marshal(sent)`,
    '	if err != nil {',
    '		t.Fatalf("encode %T: %v", sent, err)',
    '	}',
    `	if !${f.use('bytes')}.Equal(g, w) {`,
    '		t.Fatalf("body %s, want %s", g, w)',
    '	}',
    '}',
  );
  f.add(
    '// wantRawBody checks that a raw body is sent as the service returned it.',
    `func wantRawBody(t *${testing}.T, sent any, _ testReply, data []byte) {`,
    '	t.Helper()',
    `	want := ${reflect}.ValueOf(sent).FieldByName("Body").Bytes()`,
    `	if !${f.use('bytes')}.Equal(data, want) {`,
    '		t.Fatalf("body %q, want %q", data, want)',
    '	}',
    '}',
  );
  f.add(
    '// wantNoBody checks that a response declared without a body has none.',
    `func wantNoBody(t *${testing}.T, _ any, _ testReply, data []byte) {`,
    '	t.Helper()',
    '	if len(data) != 0 {',
    '		t.Fatalf("body %q, want none", data)',
    '	}',
    '}',
  );
  f.add(
    '// errorContentType is the content type of the errors answered with status to',
    '// method path.',
    `func errorContentType(method, path string, status int) string {`,
    `\tif s := ErrorFormat(${httptest}.NewRequest(method, path, nil), status); s != nil {`,
    '\t\treturn s.ContentType',
    '\t}',
    `\treturn ${f.use(runtimeImport(gm.settings, 'problem'))}.ContentType`,
    '}',
  );
  f.add(
    '// wantProblemBody checks that an error is answered in the error format.',
    `func wantProblemBody(t *${testing}.T, _ any, resp testReply, data []byte) {`,
    '	t.Helper()',
    '	wantProblem(t, resp, data)',
    '}',
  );
  return f;
}

export function requestBody(gm: GoModel, op: Operation): string {
  if (!op.body) return '';
  if (isRawBody(op)) return 'example';
  const value = completedExample(gm, op.body.example, op.body.type);
  if (!isFormBody(op)) return JSON.stringify(value);
  // Form bodies are sent URL-encoded: repeated keys for lists, JSON for nested values.
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) form.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return form.toString();
}

/**
 * The contract's example of a body, completed with the required fields it
 * lacks (a contract that gained a required field often keeps its old
 * example), or a generated example when it has none.
 */
function completedExample(gm: GoModel, example: unknown, type: TypeRef): unknown {
  const generated = exampleFor(type, gm.decls);
  if (example === undefined) return generated;
  const obj = gm.objectOf(type);
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj || !isRecord(example) || !isRecord(generated)) return example;
  const missing = obj.fields.filter((f) => f.required && !f.readOnly && !(f.name in example) && f.name in generated);
  return missing.length === 0 ? example : { ...example, ...Object.fromEntries(missing.map((f) => [f.name, generated[f.name]])) };
}

/** A concrete path for an operation: path parameters replaced by example values. */
export function concretePath(gm: GoModel, op: Operation, overrides: Record<string, string> = {}): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (overrides[name] !== undefined) return overrides[name];
    const p = op.parameters.find((x) => x.in === 'path' && x.name === name);
    return encodeURIComponent(String(paramExample(gm, p)));
  });
}

export function paramExample(gm: GoModel, p: Parameter | undefined): unknown {
  if (!p) return 'example';
  return p.example ?? p.default ?? exampleFor(p.type, gm.decls, p.constraints);
}

/** The query string of required query parameters. */
export function requiredQuery(gm: GoModel, op: Operation): string {
  const parts = op.parameters
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => {
      const v = paramExample(gm, p);
      return `${encodeURIComponent(p.name)}=${encodeURIComponent(Array.isArray(v) ? String(v[0]) : String(v))}`;
    });
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The headers a valid request must carry: required header and cookie parameters, and a form's content type. */
export function requiredHeaders(gm: GoModel, op: Operation): [string, string][] {
  const headers: [string, string][] = op.parameters
    .filter((p) => (p.in === 'header' || p.in === 'cookie') && p.required)
    .map((p) => [p.in === 'cookie' ? 'Cookie' : p.name, p.in === 'cookie' ? `${p.name}=${String(paramExample(gm, p))}` : String(paramExample(gm, p))]);
  if (isFormBody(op)) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  else if (op.body && isRawBody(op)) headers.push(['Content-Type', rawContentType(op.body.contentType)]);
  return headers;
}

/** A media type that a raw body declared as contentType (maybe a wildcard) accepts. */
function rawContentType(contentType: string): string {
  const bare = contentType.split(';')[0]!.trim();
  if (bare === '*/*') return 'application/octet-stream';
  return bare.endsWith('/*') ? `${bare.slice(0, -1)}octet-stream` : bare;
}

/** The Go call that sends a request for an operation, with the headers it requires. */
function request(gm: GoModel, op: Operation, method: string, path: string, body: string): string {
  const headers = requiredHeaders(gm, op);
  if (headers.length === 0) return `do(t, srv, ${method}, ${path}, ${body})`;
  const map = `map[string]string{${headers.map(([k, v]) => `${goString(k)}: ${goString(v)}`).join(', ')}}`;
  return `doWithHeader(t, srv, ${method}, ${path}, ${body}, ${map})`;
}

function resourceTest(gm: GoModel, r: Resource): GoFile {
  const entity = gm.decl(r.entity) as ObjectDecl;
  const name = gm.typeName(r.entity);
  const f = new GoFile(gm.fileName(DIR, fileStem(name), '_gen_test.go', ['server_gen_test.go', 'operations_gen_test.go', 'validation_gen_test.go', 'responses_gen_test.go', 'segments_gen_test.go']), 'handler');
  const http = f.use('net/http');
  const op = (kind: keyof Resource['operations']) => gm.model.operations.find((o) => o.name === r.operations[kind]);
  const idGo = gm.fieldName(entity, entity.fields.find((fl) => fl.name === r.idField)!);
  const create = op('create');
  const get = op('get');
  // Integer identifiers are printed into paths and messages.
  const integerId = goKey(gm, r).type !== 'string';
  const idText = (x: string) => (integerId ? `${f.use('fmt')}.Sprint(${x})` : x);
  const update = op('update');
  const del = op('delete');
  const list = op('list');
  const models = create ? f.use(gm.modelsPkg) : '';
  // A bare array list answers []Entity, a page object the response type.
  const listType = r.list?.responseType ? `${models}.${gm.typeName(r.list.responseType)}` : `[]${models}.${name}`;

  const body: string[] = ['\tsrv := newTestServer(t)'];
  const itemPath = (o: Operation, id: string) => {
    const [prefix, suffix] = concretePath(gm, o, { [pathParam(o)]: '\u0000' }).split('\u0000') as [string, string];
    return `${goString(prefix)}+${idText(id)}${suffix ? `+${goString(suffix)}` : ''}`;
  };
  if (create) {
    body.push(
      '',
      `\tresp, data := ${request(gm, create, `${http}.Method${method(create)}`, goString(concretePath(gm, create)), goRawString(requestBody(gm, create)))}`,
      `\twantStatus(t, resp, data, ${create.success.status})`,
      `\tvar created ${models}.${name}`,
      '\tdecode(t, data, &created)',
      `\tif created.${idGo} == ${integerId ? '0' : '""'} {`,
      `\t\tt.Fatalf("create returned no ${r.idField}: %s", data)`,
      '\t}',
    );
    if (get) {
      body.push(
        '',
        `\tresp, data = ${request(gm, get, `${http}.MethodGet`, itemPath(get, `created.${idGo}`), '""')}`,
        `\twantStatus(t, resp, data, ${get.success.status})`,
        `\tvar got ${models}.${name}`,
        '\tdecode(t, data, &got)',
        `\tif got.${idGo} != created.${idGo} {`,
        `\t\tt.Fatalf("get returned ${r.idField} ${integerId ? '%d' : '%q'}, want ${integerId ? '%d' : '%q'}", got.${idGo}, created.${idGo})`,
        '\t}',
      );
    }
    if (list && r.list) {
      const items = listItems(gm, r, 'page');
      body.push(
        '',
        `\tresp, data = ${request(gm, list, `${http}.MethodGet`, goString(concretePath(gm, list) + requiredQuery(gm, list)), '""')}`,
        `\twantStatus(t, resp, data, ${list.success.status})`,
        `\tvar page ${listType}`,
        '\tdecode(t, data, &page)',
        `\tif len(${items}) != 1 || ${items}[0].${idGo} != created.${idGo} {`,
        `\t\tt.Fatalf("list returned %s, want the created ${spaced(r.name)}", data)`,
        '\t}',
      );
    }
    if (update) {
      body.push(
        '',
        `\tresp, data = ${request(gm, update, `${http}.Method${method(update)}`, itemPath(update, `created.${idGo}`), goRawString(requestBody(gm, update)))}`,
        `\twantStatus(t, resp, data, ${update.success.status})`,
      );
    }
    if (del) {
      body.push(
        '',
        `\tresp, data = ${request(gm, del, `${http}.MethodDelete`, itemPath(del, `created.${idGo}`), '""')}`,
        `\twantStatus(t, resp, data, ${del.success.status})`,
      );
    }
    if (del && get) {
      body.push(
        '',
        `\tresp, data = ${request(gm, get, `${http}.MethodGet`, itemPath(get, `created.${idGo}`), '""')}`,
        `\twantStatus(t, resp, data, ${http}.StatusNotFound)`,
        '\twantProblem(t, resp, data)',
      );
    }
  } else if (get) {
    body.push(
      '',
      `\tresp, data := ${request(gm, get, `${http}.MethodGet`, goString(concretePath(gm, get)), '""')}`,
      `\twantStatus(t, resp, data, ${http}.StatusNotFound)`,
      '\twantProblem(t, resp, data)',
    );
  }
  f.add(
    `// Test${name}Lifecycle creates, reads, lists, updates and deletes a ${spaced(r.name)}.`,
    `func Test${name}Lifecycle(t *${f.use('testing')}.T) {`,
    ...body,
    '}',
  );

  // Three records of one request body: not when the body carries the identifier
  // (the repository tests page through those).
  if (create && list && r.list?.pageSizeParam && r.idAssignment !== 'client') {
    const respDecl = r.list.responseType ? (gm.decl(r.list.responseType) as ObjectDecl) : undefined;
    const items = listItems(gm, r, 'first');
    const next = r.list.nextTokenField ? respDecl?.fields.find((fl) => fl.name === r.list!.nextTokenField) : undefined;
    const base = concretePath(gm, list);
    const q = requiredQuery(gm, list);
    const sep = q ? '&' : '?';
    const lines = [
      `// Test${name}ListPagination pages through three ${spaced(r.plural)} two at a time.`,
      `func Test${name}ListPagination(t *${f.use('testing')}.T) {`,
      '\tsrv := newTestServer(t)',
      '\tfor i := 0; i < 3; i++ {',
      `\t\tresp, data := ${request(gm, create, `${http}.Method${method(create)}`, goString(concretePath(gm, create)), goRawString(requestBody(gm, create)))}`,
      `\t\twantStatus(t, resp, data, ${create.success.status})`,
      '\t}',
      `\tresp, data := ${request(gm, list, `${http}.MethodGet`, goString(`${base}${q}${sep}${r.list.pageSizeParam}=2`), '""')}`,
      `\twantStatus(t, resp, data, ${list.success.status})`,
      `\tvar first ${listType}`,
      '\tdecode(t, data, &first)',
      `\tif len(${items}) != 2 {`,
      `\t\tt.Fatalf("first page has %d items, want 2: %s", len(${items}), data)`,
      '\t}',
    ];
    if (respDecl && next && r.list.pageTokenParam) {
      const nextGo = gm.fieldName(respDecl, next);
      const pointer = gm.fieldIsPointer(next);
      const token = pointer ? `*first.${nextGo}` : `first.${nextGo}`;
      lines.push(
        pointer ? `\tif first.${nextGo} == nil || *first.${nextGo} == "" {` : `\tif first.${nextGo} == "" {`,
        '\t\tt.Fatalf("first page has no next page token: %s", data)',
        '\t}',
        `\tresp, data = ${request(gm, list, `${http}.MethodGet`, `${goString(`${base}${q}${sep}${r.list.pageSizeParam}=2&${r.list.pageTokenParam}=`)}+${f.use('net/url')}.QueryEscape(${token})`, '""')}`,
        `\twantStatus(t, resp, data, ${list.success.status})`,
        `\tvar second ${listType}`,
        '\tdecode(t, data, &second)',
        `\tif len(${listItems(gm, r, 'second')}) != 1 {`,
        `\t\tt.Fatalf("second page has %d items, want 1: %s", len(${listItems(gm, r, 'second')}), data)`,
        '\t}',
        pointer ? `\tif second.${nextGo} != nil {` : `\tif second.${nextGo} != "" {`,
        '\t\tt.Fatalf("last page has a next page token: %s", data)',
        '\t}',
      );
    }
    lines.push('}');
    f.add(...lines);
  }
  return f;
}

/** The records of a decoded list response held in variable v: its items field, or v itself for a bare array. */
function listItems(gm: GoModel, r: Resource, v: string): string {
  if (!r.list?.responseType) return v;
  const respDecl = gm.decl(r.list.responseType) as ObjectDecl;
  return `${v}.${gm.fieldName(respDecl, respDecl.fields.find((fl) => fl.name === r.list!.itemsField)!)}`;
}

function pathParam(op: Operation): string {
  const m = /\{([^}]+)\}$/.exec(op.path);
  return m?.[1] ?? '';
}

function method(op: Operation): string {
  return op.method.charAt(0) + op.method.slice(1).toLowerCase();
}

/**
 * A valid request to every operation the generator does not implement reaches
 * the API: routed, decoded and validated. The API is responsesFake (see
 * responsesTest), which answers 501, so the test holds whatever the owner's
 * code in the stubs does.
 */
function reachTest(gm: GoModel, ops: Operation[]): GoFile {
  const f = new GoFile(`${DIR}/operations_gen_test.go`, 'handler');
  const http = f.use('net/http');
  const testing = f.use('testing');
  const apperrors = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const httptest = f.use('net/http/httptest');
  const cases = ops.map((op) => {
    const headers = requiredHeaders(gm, op);
    const hdr = headers.length > 0 ? `, header: map[string]string{${headers.map(([k, v]) => `${goString(k)}: ${goString(v)}`).join(', ')}}` : '';
    return `\t\t{name: ${goString(exportedName(op.name))}, method: ${http}.Method${method(op)}, path: ${goString(concretePath(gm, op) + requiredQuery(gm, op))}, body: ${goRawString(requestBody(gm, op))}${hdr}},`;
  });
  f.add(
    '// TestOperationsReachTheAPI sends a valid request to every operation the',
    '// generator does not implement and checks that it is routed, decoded and',
    '// validated, and reaches the API: a fake one that answers 501, so the test',
    "// holds whatever the operations' own code does. A route missing from the",
    '// table answers 404 or 405, never 501, so the test fails.',
    `func TestOperationsReachTheAPI(t *${testing}.T) {`,
    `\th := New(&responsesFake{err: ${apperrors}.NotImplemented("the fake API")})`,
    ...serveRoutes(http, httptest, 'h.Routes()'),
    '\tcases := []struct {',
    '\t\tname, method, path, body string',
    '\t\theader                   map[string]string',
    '\t}{',
    ...cases,
    '\t}',
    '\tfor _, tc := range cases {',
    `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
    '\t\t\tresp, data := doWithHeader(t, srv, tc.method, tc.path, tc.body, tc.header)',
    `\t\t\twantStatus(t, resp, data, ${http}.StatusNotImplemented)`,
    '\t\t\twantProblem(t, resp, data)',
    '\t\t})',
    '\t}',
    '}',
  );
  return f;
}

function requiredBodyField(gm: GoModel, op: Operation): string | undefined {
  const obj = op.body && !isFormBody(op) ? gm.objectOf(op.body.type) : undefined;
  return obj?.fields.find((fl) => fl.required && !fl.readOnly)?.name;
}

function invalidBodyTest(gm: GoModel, ops: Operation[]): GoFile {
  const f = new GoFile(`${DIR}/validation_gen_test.go`, 'handler');
  const http = f.use('net/http');
  const testing = f.use('testing');
  const cases = ops.map(
    (op) => `\t\t{name: ${goString(exportedName(op.name))}, method: ${http}.Method${method(op)}, path: ${goString(concretePath(gm, op) + requiredQuery(gm, op))}, field: ${goString(requiredBodyField(gm, op)!)}},`,
  );
  f.add(
    '// TestRequestBodiesAreValidated sends an empty object, malformed JSON and a',
    '// body that is not JSON to every operation whose body has required fields,',
    '// and expects a 400 that names the missing field, a 400 and a 415.',
    `func TestRequestBodiesAreValidated(t *${testing}.T) {`,
    '\tsrv := newTestServer(t)',
    '\tcases := []struct{ name, method, path, field string }{',
    ...cases,
    '\t}',
    '\tfor _, tc := range cases {',
    `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
    '\t\t\tresp, data := do(t, srv, tc.method, tc.path, "{}")',
    `\t\t\twantStatus(t, resp, data, ${http}.StatusBadRequest)`,
    '\t\t\tp := wantProblem(t, resp, data)',
    `\t\t\tif !${f.use('strings')}.Contains(p.Detail, tc.field) {`,
    '\t\t\t\tt.Fatalf("problem detail %q does not name the field %q", p.Detail, tc.field)',
    '\t\t\t}',
    '',
    '\t\t\tresp, data = do(t, srv, tc.method, tc.path, "{")',
    `\t\t\twantStatus(t, resp, data, ${http}.StatusBadRequest)`,
    '\t\t\twantProblem(t, resp, data)',
    '',
    '\t\t\tresp, data = doWithHeader(t, srv, tc.method, tc.path, "{}", map[string]string{"Content-Type": "text/plain"})',
    `\t\t\twantStatus(t, resp, data, ${http}.StatusUnsupportedMediaType)`,
    '\t\t\twantProblem(t, resp, data)',
    '\t\t})',
    '\t}',
    '}',
  );
  return f;
}

/**
 * The lines of a generated test that serve `routes` (a Go expression of the
 * handler's route table) through Register on a test server, `srv`.
 */
export function serveRoutes(http: string, httptest: string, routes: string): string[] {
  return [
    `\tmux := ${http}.NewServeMux()`,
    `\tif err := Register(mux, ${routes}, nil); err != nil {`,
    '\t\tt.Fatalf("routes: %v", err)',
    '\t}',
    `\tsrv := ${httptest}.NewServer(mux)`,
    '\tdefer srv.Close()',
  ];
}

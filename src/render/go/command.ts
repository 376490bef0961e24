import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import { exportedName, goString } from './naming.js';
import type { GoModel } from './gomodel.js';
import { usesSql } from '../database.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/**
 * The wiring of the layers: `cmd/<name>/wire.go` for the binary and the
 * handler tests' server, built the same way over in-memory stores.
 */
export function renderCommand(gm: GoModel): Artifact[] {
  return [wire(gm).toArtifact(localImportPrefix(gm.settings)), testServer(gm).toArtifact(localImportPrefix(gm.settings))];
}

/**
 * `svc, err := service.New(service.Dependencies{...})`: the service over the
 * SQL database `db` when given, in-memory stores otherwise, then `onError`.
 */
function newService(gm: GoModel, f: GoFile, deps: { events: string; log: string; config: string; db?: string; clients?: string }, onError: string[]): string[] {
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const repos =
    gm.model.resources.length === 0
      ? [`\t\tRepos:\v${svc}.Repositories{},`]
      : [
          `\t\tRepos: ${svc}.Repositories{`,
          ...gm.model.resources.map((r) => `\t\t\t${gm.repoField(r)}:\v${store(gm, f, gm.typeName(r.entity), deps.db)},`),
          '\t\t},',
        ];
  return [
    `\tsvc, err := ${svc}.New(${svc}.Dependencies{`,
    ...repos,
    `\t\tEvents:\v${deps.events},`,
    ...(deps.db ? [`\t\tTx:\v${deps.db},`] : []),
    `\t\tLog:\v${deps.log},`,
    `\t\tConfig:\v${deps.config},`,
    ...(deps.clients ? [`\t\tClients:\v${deps.clients},`] : []),
    '\t})',
    '\tif err != nil {',
    ...onError,
    '\t}',
  ];
}

function store(gm: GoModel, f: GoFile, entity: string, db?: string): string {
  const repo = f.use(`${gm.settings.module}/internal/repository`);
  return db ? `${repo}.NewSQL${entity}Repository(${db})` : `${repo}.NewMemory${entity}Repository()`;
}

function wire(gm: GoModel): GoFile {
  const f = new GoFile(`cmd/${gm.settings.name}/wire.go`, 'main');
  const zap = f.use('go.uber.org/zap');
  const config = f.use(`${gm.settings.module}/internal/config`);
  const event = f.use(runtimeImport(gm.settings, 'event'));
  const handler = f.use(`${gm.settings.module}/internal/handler`);
  const sql = usesSql(gm.model, gm.settings.database);
  const dbParam = sql ? `, db *${f.use(runtimeImport(gm.settings, 'database'))}.DB` : '';
  const clients = gm.settings.otherClients ?? [];
  const build = clients.length === 0 ? [] : ['\tclients, err := newClients(cfg)', '\tif err != nil {', '\t\treturn nil, err', '\t}'];
  const body = newService(gm, f, { events: 'events', log: 'log', config: 'cfg.App', db: sql ? 'db' : undefined, ...(clients.length > 0 ? { clients: 'clients' } : {}) }, [
    `\t\treturn nil, ${f.use('fmt')}.Errorf("build the service layer: %w", err)`,
  ]);
  f.add(
    '// newHandler wires the layers together: repositories, the service (built by',
    '// service.New in internal/service/service.go), then the HTTP handler. The',
    '// service publishes to events and handles what it receives from sub.',
    `func newHandler(cfg *${config}.Config, log *${zap}.Logger, events ${event}.Publisher, sub ${event}.Subscriber${dbParam}) (*${handler}.Handler, error) {`,
    ...build,
    ...body,
    '\tif err := svc.Subscribe(sub); err != nil {',
    '\t\treturn nil, err',
    '\t}',
    `\t${handler}.SetBodyRules(cfg.HTTP.RejectUnknownFields(), cfg.HTTP.RejectReadOnlyFields())`,
    `\treturn ${handler}.New(svc), nil`,
    '}',
  );
  if (clients.length > 0) newClients(gm, f, config, clients);
  return f;
}

/** newClients in wire.go: each client of another service from its config, passing on the request ID. */
function newClients(gm: GoModel, f: GoFile, config: string, clients: readonly string[]): void {
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const httpclient = f.use(runtimeImport(gm.settings, 'httpclient'));
  const logging = f.use(runtimeImport(gm.settings, 'logging'));
  const fmt = f.use('fmt');
  f.add(
    '// newClients builds the typed clients of the other services svc.yaml lists',
    '// from cfg.Clients; each call carries the request ID and the trace context.',
    `func newClients(cfg *${config}.Config) (${svc}.Clients, error) {`,
    `	var c ${svc}.Clients`,
    '	var err error',
    ...[...clients].sort().flatMap((name) => [
      `	if c.${exportedName(name)}, err = ${f.use(`${gm.settings.module}/internal/client/${name}`)}.NewFromConfig(cfg.Clients.${exportedName(name)}, ${httpclient}.WithRequestID(${logging}.RequestIDFrom)); err != nil {`,
      `		return c, ${fmt}.Errorf("build the client of %s: %w", ${goString(name)}, err)`,
      '	}',
    ]),
    '	return c, nil',
    '}',
  );
}

function testServer(gm: GoModel): GoFile {
  const f = new GoFile('internal/handler/server_gen_test.go', 'handler');
  const testing = f.use('testing');
  const httptest = f.use('net/http/httptest');
  const http = f.use('net/http');
  const zap = f.use('go.uber.org/zap');
  const config = f.use(`${gm.settings.module}/internal/config`);
  const event = f.use(runtimeImport(gm.settings, 'event'));
  const ctx = f.use('context');
  const io = f.use('io');
  const strings = f.use('strings');
  const json = f.use('encoding/json');
  f.add(
    '// newTestServer serves the generated routes over in-memory stores, wired as',
    '// cmd/' + gm.settings.name + '/wire.go wires them, with the default configuration.',
    `func newTestServer(t *${testing}.T) *${httptest}.Server {`,
    '\tt.Helper()',
    `\tcfg, _, err := ${config}.Load(nil)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("default config: %v", err)',
    '\t}',
    `\tbus, err := ${event}.NewMemoryBus(64, 1, ${zap}.NewNop())`,
    '\tif err != nil {',
    '\t\tt.Fatalf("event bus: %v", err)',
    '\t}',
    `\tt.Cleanup(func() { _ = bus.Close(${ctx}.Background()) })`,
    ...newService(gm, f, { events: 'bus', log: `${zap}.NewNop()`, config: 'cfg.App' }, ['\t\tt.Fatalf("service: %v", err)']),
    '\th := New(svc)',
    `\tmux := ${http}.NewServeMux()`,
    '\tfor _, rt := range h.Routes() {',
    '\t\tmux.Handle(rt.Method+" "+rt.Pattern, rt.Handler)',
    '\t}',
    `\tsrv := ${httptest}.NewServer(mux)`,
    '\tt.Cleanup(srv.Close)',
    '\treturn srv',
    '}',
  );
  f.add(
    '// testReply is what a test request got back: the status and headers of the',
    '// response, whose body is already read and closed, and the request it answers.',
    'type testReply struct {',
    '\tStatusCode\vint',
    `\tHeader\v${http}.Header`,
    `\tRequest\v*${http}.Request`,
    '}',
  );
  f.add(
    '// do sends a request with an optional JSON body and returns the reply and its body.',
    `func do(t *${testing}.T, srv *${httptest}.Server, method, path, body string) (testReply, []byte) {`,
    '\tt.Helper()',
    '\treturn doWithHeader(t, srv, method, path, body, nil)',
    '}',
  );
  f.add(
    '// doWithHeader is do with extra request headers.',
    `func doWithHeader(t *${testing}.T, srv *${httptest}.Server, method, path, body string, header map[string]string) (testReply, []byte) {`,
    '\tt.Helper()',
    `\tvar reader ${io}.Reader`,
    '\tif body != "" {',
    `\t\treader = ${strings}.NewReader(body)`,
    '\t}',
    `\treq, err := ${http}.NewRequest(method, srv.URL+path, reader)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("new request: %v", err)',
    '\t}',
    '\tif body != "" {',
    '\t\treq.Header.Set("Content-Type", "application/json")',
    '\t}',
    '\tfor k, v := range header {',
    '\t\treq.Header.Set(k, v)',
    '\t}',
    '\tresp, err := srv.Client().Do(req)',
    '\tif err != nil {',
    '\t\tt.Fatalf("%s %s: %v", method, path, err)',
    '\t}',
    '\tdefer resp.Body.Close()',
    `\tdata, err := ${io}.ReadAll(resp.Body)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("read body: %v", err)',
    '\t}',
    '\treturn testReply{StatusCode: resp.StatusCode, Header: resp.Header, Request: resp.Request}, data',
    '}',
  );
  f.add(
    '// wantStatus fails the test unless the response has the given status.',
    `func wantStatus(t *${testing}.T, resp testReply, body []byte, status int) {`,
    '\tt.Helper()',
    '\tif resp.StatusCode != status {',
    '\t\tt.Fatalf("%s %s: status %d, want %d; body: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)',
    '\t}',
    '}',
  );
  f.add(
    '// decode unmarshals a JSON body into v.',
    `func decode(t *${testing}.T, body []byte, v any) {`,
    '\tt.Helper()',
    `\tif err := ${json}.Unmarshal(body, v); err != nil {`,
    '\t\tt.Fatalf("decode %T: %v; body: %s", v, err, body)',
    '\t}',
    '}',
  );
  const problem = f.use(runtimeImport(gm.settings, 'problem'));
  f.add(
    '// testProblem is what an error response says: its status and detail.',
    'type testProblem struct {',
    '\tType\vstring\v`json:"type"`',
    '\tTitle\vstring\v`json:"title"`',
    '\tStatus\vint\v`json:"status"`',
    '\tDetail\vstring\v`json:"detail"`',
    '}',
  );
  f.add(
    '// wantProblem checks that a response is an error in the format the contract',
    '// declares for its operation and status (ErrorFormat): RFC 9457 problem',
    '// details whose status matches, or the declared body, with its content type',
    '// and every required member, the status and detail where it has them.',
    `func wantProblem(t *${testing}.T, resp testReply, body []byte) testProblem {`,
    '\tt.Helper()',
    '\tshape := ErrorFormat(resp.Request, resp.StatusCode)',
    `\twant := ${problem}.ContentType`,
    '\tif shape != nil {',
    '\t\twant = shape.ContentType',
    '\t}',
    '\tif ct := resp.Header.Get("Content-Type"); ct != want {',
    '\t\tt.Fatalf("content type %q, want %q; body: %s", ct, want, body)',
    '\t}',
    '\tif shape == nil || (shape.Members == nil && shape.Body == nil) {',
    '\t\tvar p testProblem',
    '\t\tdecode(t, body, &p)',
    '\t\tif p.Status != resp.StatusCode || p.Title == "" {',
    '\t\t\tt.Fatalf("problem %+v does not match status %d", p, resp.StatusCode)',
    '\t\t}',
    '\t\treturn p',
    '\t}',
    '\tp := testProblem{Status: resp.StatusCode}',
    '\tif shape.Body != nil {',
    `\t\tif shape.Body.From == ${problem}.SourceDetail {`,
    '\t\t\tdecode(t, body, &p.Detail)',
    '\t\t}',
    '\t\treturn p',
    '\t}',
    `\tvar members map[string]${json}.RawMessage`,
    '\tdecode(t, body, &members)',
    '\tfor _, m := range shape.Members {',
    '\t\tv, ok := members[m.Name]',
    '\t\tswitch {',
    '\t\tcase !ok && m.Required:',
    '\t\t\tt.Fatalf("error body %s lacks the required member %q", body, m.Name)',
    `\t\tcase ok && m.From == ${problem}.SourceStatus && string(v) != ${f.use('strconv')}.Itoa(resp.StatusCode):`,
    '\t\t\tt.Fatalf("error body %s: %s is %s, want the status %d", body, m.Name, v, resp.StatusCode)',
    `\t\tcase ok && m.From == ${problem}.SourceDetail:`,
    '\t\t\tdecode(t, v, &p.Detail)',
    '\t\t}',
    '\t}',
    '\treturn p',
    '}',
  );
  return f;
}

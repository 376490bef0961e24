import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import { goString, unexportedName } from './naming.js';
import type { GoModel } from './gomodel.js';
import { usesSql } from '../database.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';
import type { Resource } from '../../model/types.js';
import { words } from '../../model/names.js';
import { cacheResourceName } from './cache.js';
import { buildClients, clientsMetricsParam, renderNewClients } from './clientswire.js';
import { eventConst, RESOURCE_CHANGES, resourceEventType } from './events.js';
import { goKey } from './sql.js';

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
function newService(gm: GoModel, f: GoFile, deps: { events: string; log: string; config: string; db?: string; clients?: string; stores?: Map<Resource, string> }, onError: string[]): string[] {
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const repos =
    gm.model.resources.length === 0
      ? [`\t\tRepos:\v${svc}.Repositories{},`]
      : [
          `\t\tRepos: ${svc}.Repositories{`,
          ...gm.model.resources.map((r) => `\t\t\t${gm.repoField(r)}:\v${deps.stores?.get(r) ?? store(gm, f, gm.typeName(r.entity), deps.db)},`),
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
  const build = buildClients(clients, 'nil, err');
  const cached = (gm.settings.cache ?? 'off') !== 'off' && gm.model.resources.length > 0;
  const stores = new Map<Resource, string>();
  if (cached) build.push(...cachedStores(gm, f, sql, stores));
  const cacheParam = (gm.settings.cache ?? 'off') !== 'off' ? `, ${cached ? 'c' : '_'} ${f.use(runtimeImport(gm.settings, 'cache'))}.Cache` : '';
  const body = newService(gm, f, { events: 'events', log: 'log', config: 'cfg.App', db: sql ? 'db' : undefined, stores, ...(clients.length > 0 ? { clients: 'clients' } : {}) }, [
    `\t\treturn nil, ${f.use('fmt')}.Errorf("build the service layer: %w", err)`,
  ]);
  f.add(
    '// newHandler wires the layers together: repositories, the service (built by',
    '// service.New in internal/service/service.go), then the HTTP handler. The',
    '// service publishes to events and handles what it receives from bus.',
    `func newHandler(cfg *${config}.Config, log *${zap}.Logger${clientsMetricsParam(gm.settings, f, clients)}, events ${event}.Publisher, bus ${event}.Broker${dbParam}${cacheParam}) (*${handler}.Handler, error) {`,
    ...build,
    ...body,
    '\tif err := svc.Subscribe(bus); err != nil {',
    '\t\treturn nil, err',
    '\t}',
    `\t${handler}.SetBodyRules(cfg.HTTP.RejectUnknownFields(), cfg.HTTP.RejectReadOnlyFields())`,
    `\treturn ${handler}.New(svc), nil`,
    '}',
  );
  renderNewClients(gm.settings, f, config, clients);
  return f;
}

/**
 * Statements building each resource's repository behind the read cache
 * (Cached<Name>Repository), and dropping a record from this replica's cache
 * when the event stream reports another replica changed it; `stores` gets
 * the variable of each.
 */
function cachedStores(gm: GoModel, f: GoFile, sql: boolean, stores: Map<Resource, string>): string[] {
  const repo = f.use(`${gm.settings.module}/internal/repository`);
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const event = f.use(runtimeImport(gm.settings, 'event'));
  const ctx = f.use('context');
  const fmt = f.use('fmt');
  const out: string[] = [];
  for (const r of gm.model.resources) {
    const entity = gm.typeName(r.entity);
    const v = `${unexportedName(r.plural)}Cache`;
    stores.set(r, v);
    const key = goKey(gm, r);
    out.push(
      `\t${v} := ${repo}.NewCached${entity}Repository(${store(gm, f, entity, sql ? 'db' : undefined)}, c, cfg.Cache.TTLFor(${goString(cacheResourceName(r))}), cfg.Service.Name)`,
      ...(sql ? [`\t${v}.BypassWhen(db.InTransaction)`] : []),
    );
    const id =
      key.type === 'string'
        ? ['\t\t\t' + `${v}.Invalidate(ctx, e.Subject)`]
        : [
            `\t\t\tif id, err := ${f.use('strconv')}.ParseInt(e.Subject, 10, ${key.bits}); err == nil {`,
            `\t\t\t\t${v}.Invalidate(ctx, ${key.type === 'int64' ? 'id' : 'int32(id)'})`,
            '\t\t\t}',
          ];
    out.push(
      `\tfor _, t := range []string{${RESOURCE_CHANGES.map((c) => `${svc}.${eventConst(gm, resourceEventType(r, c))}`).join(', ')}} {`,
      `\t\tif err := bus.Broadcast(t, func(ctx ${ctx}.Context, e ${event}.Event) error {`,
      ...id,
      '\t\t\treturn nil',
      '\t\t}); err != nil {',
      `\t\t\treturn nil, ${fmt}.Errorf("invalidate the ${words(r.name).join(' ')} cache on %s: %w", t, err)`,
      '\t\t}',
      '\t}',
    );
  }
  return out;
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
    '\tif err := Register(mux, h.Routes(), nil); err != nil {',
    '\t\tt.Fatalf("routes: %v", err)',
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

import type { Artifact } from '../artifact.js';
import type { ServiceModel } from '../../model/types.js';
import { GoFile } from './gofile.js';
import { keyedElements } from './format.js';
import { goString } from './naming.js';
import { requirementsLiteral, schemeNames, type SchemeNames, type SecuredOperation } from './security.js';
import { serviceAuthImport } from './authruntime.js';
import { runtimeImport, type RuntimePlacement, localImportPrefix } from '../runtimepkgs.js';

/**
 * `internal/server/security_gen_test.go`: the service's own proof that every
 * secured route enforces its requirements, through the real middleware chain
 * (server.NewHandler with the generated auth table). Each route's handler is
 * replaced by one that reports the principal it was given, so the test needs
 * no data: without credentials → 401 with a challenge; refused credentials →
 * 401; credentials without the required scopes → 403 (unless another
 * requirement is met without scopes); credentials that meet a requirement →
 * the handler runs with the principal in its context.
 *
 * `routes` is the Go expression of the route table (its imports taken from
 * `f`): the handler's for an OpenAPI service, the REST gateway's over
 * unimplemented servers for a proto one.
 */
export function renderSecurityTests(model: ServiceModel, where: RuntimePlacement, ops: SecuredOperation[], routes: (f: GoFile) => string): Artifact[] {
  // Only what a REST route carries: the test goes through the HTTP server.
  const secured = ops.filter((o) => o.security.length > 0 && o.routed !== false);
  if (secured.length === 0) return [];
  const module = where.module;
  const names = schemeNames(model);
  const f = new GoFile('internal/server/security_gen_test.go', 'server');
  const ctx = f.use('context');
  const auth = f.use(serviceAuthImport(where)); // the contract's schemes, verifiers and requirements
  const config = f.use(`${module}/internal/config`);
  const health = f.use(runtimeImport(where, 'health'));
  const middleware = f.use(runtimeImport(where, 'middleware'));
  const http = f.use('net/http');
  const httptest = f.use('net/http/httptest');
  const testing = f.use('testing');
  const zap = f.use('go.uber.org/zap');
  const errors = f.use('errors');
  const regexp = f.use('regexp');
  const strings = f.use('strings');
  const scopes = [...new Set(secured.flatMap((o) => o.security.flat().flatMap((s) => s.scopes)))].sort();

  f.add(
    '// testScopes are every scope the contract requires: the "good" test',
    '// credential is granted them all, the "weak" one none.',
    `var testScopes = []string{${scopes.map(goString).join(', ')}}`,
  );
  f.add(
    '// contractSecurity is what the contract requires of the callers of each',
    '// secured operation, by the operation name its routes carry.',
    `var contractSecurity = map[string]${auth}.Requirements{`,
    ...keyedElements(secured.map((o) => [goString(o.name), requirementsLiteral(o.security)]), '\t'),
    '}',
  );
  f.add(
    '// testPrincipal is what the test verifiers make of a credential.',
    `func testPrincipal(scheme, credential string) (${auth}.Principal, error) {`,
    '\tswitch credential {',
    '\tcase "good":',
    `\t\treturn ${auth}.Principal{Subject: "good", Scheme: scheme, Scopes: testScopes}, nil`,
    '\tcase "weak":',
    `\t\treturn ${auth}.Principal{Subject: "weak", Scheme: scheme}, nil`,
    '\t}',
    `\treturn ${auth}.Principal{}, ${errors}.New("unknown test credential")`,
    '}',
  );
  f.add(
    '// testVerifiers accept the test credentials for every scheme.',
    `func testVerifiers() ${auth}.Verifiers {`,
    `\treturn ${auth}.Verifiers{`,
    ...names.flatMap((n) => verifier(n, auth, ctx)),
    '\t}',
    '}',
  );
  f.add(
    '// securedHandler serves routes through the service\'s middleware, each',
    '// route behind the contract\'s requirements of its operation.',
    `func securedHandler(t *${testing}.T, routes []handler.Route) ${http}.Handler {`,
    '\tt.Helper()',
    `\tguard, err := ${auth}.NewWith(${ctx}.Background(), ${config}.Auth{}, testVerifiers(), ${auth}.Options{Realm: "test"})`,
    '\tif err != nil {',
    '\t\tt.Fatalf("guard: %v", err)',
    '\t}',
    `\tcfg, _, err := ${config}.Load(nil)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("default config: %v", err)',
    '\t}',
    '\t// Many requests from one address: no rate limit, no shedding.',
    '\tcfg.Limits.Rate = 0',
    '\tcfg.HTTP.Shedding = false',
    '\th, err := NewHandler(cfg, Deps{',
    '\t\tRoutes: routes,',
    `\t\tHealth: ${health}.New(${zap}.NewNop()),`,
    `\t\tLogger: ${zap}.NewNop(),`,
    `\t\tAuth: func(operation string) ${middleware}.Middleware {`,
    `\t\t\treturn ${middleware}.Auth(guard, operation, ${auth}.Operation(operation))`,
    '\t\t},',
    '\t})',
    '\tif err != nil {',
    '\t\tt.Fatalf("handler: %v", err)',
    '\t}',
    '\treturn h',
    '}',
  );
  f.use(`${module}/internal/handler`);
  f.add(
    '// reporting replaces the handler of every route with one that answers 204',
    '// and names the principal it was given.',
    'func reporting(routes []handler.Route) []handler.Route {',
    '\tout := make([]handler.Route, len(routes))',
    '\tfor i, rt := range routes {',
    `\t\trt.Handler = ${http}.HandlerFunc(func(w ${http}.ResponseWriter, r *${http}.Request) {`,
    `\t\t\tif p, ok := ${auth}.FromContext(r.Context()); ok {`,
    '\t\t\t\tw.Header().Set("X-Test-Subject", p.Subject)',
    '\t\t\t}',
    `\t\t\tw.WriteHeader(${http}.StatusNoContent)`,
    '\t\t})',
    '\t\tout[i] = rt',
    '\t}',
    '\treturn out',
    '}',
  );
  f.add(
    '// wildcard matches a ServeMux wildcard of a route pattern.',
    `var wildcard = ${regexp}.MustCompile(\`\\{[^}]*\\}\`)`,
  );
  f.add(
    '// schemeNamed returns the contract\'s scheme called name.',
    `func schemeNamed(t *${testing}.T, name string) ${auth}.Scheme {`,
    '\tt.Helper()',
    `\tfor _, s := range ${auth}.Schemes {`,
    '\t\tif s.Name == name {',
    '\t\t\treturn s',
    '\t\t}',
    '\t}',
    '\tt.Fatalf("no scheme %q", name)',
    `\treturn ${auth}.Scheme{}`,
    '}',
  );
  f.add(
    '// where tells where a scheme\'s credential travels: schemes that share a',
    '// place share the credential (one bearer token serves every bearer',
    '// scheme), and two "authorization:" places cannot meet in one request.',
    `func where(s ${auth}.Scheme) string {`,
    '\tswitch s.Kind {',
    `\tcase ${auth}.KindAPIKey:`,
    '\t\treturn s.In + ":" + s.Param',
    `\tcase ${auth}.KindBasic:`,
    '\t\treturn "authorization:basic"',
    `\tcase ${auth}.KindCustom:`,
    '\t\treturn "authorization:" + s.HTTPScheme',
    '\t}',
    '\treturn "authorization:bearer"',
    '}',
  );
  f.add(
    '// testRequest is a request for the route with credential sent for every',
    '// scheme of req; ok is false when one request cannot carry them all.',
    `func testRequest(t *${testing}.T, method, pattern string, req ${auth}.Requirement, credential string) (r *${http}.Request, ok bool) {`,
    '\tt.Helper()',
    `\tpath := wildcard.ReplaceAllString(${strings}.ReplaceAll(pattern, "{$}", ""), "x")`,
    `\tr = ${httptest}.NewRequest(method, path, nil)`,
    '\tauthorization := ""',
    '\tfor _, s := range req {',
    '\t\tscheme := schemeNamed(t, s.Scheme)',
    `\t\tif at := where(scheme); ${strings}.HasPrefix(at, "authorization:") {`,
    '\t\t\tif authorization != "" && authorization != at {',
    '\t\t\t\treturn nil, false',
    '\t\t\t}',
    '\t\t\tauthorization = at',
    '\t\t}',
    '\t\tswitch scheme.Kind {',
    `\t\tcase ${auth}.KindAPIKey:`,
    '\t\t\tswitch scheme.In {',
    '\t\t\tcase "header":',
    '\t\t\t\tr.Header.Set(scheme.Param, credential)',
    '\t\t\tcase "query":',
    '\t\t\t\tq := r.URL.Query()',
    '\t\t\t\tq.Set(scheme.Param, credential)',
    '\t\t\t\tr.URL.RawQuery = q.Encode()',
    '\t\t\tcase "cookie":',
    `\t\t\t\tr.AddCookie(&${http}.Cookie{Name: scheme.Param, Value: credential})`,
    '\t\t\t}',
    `\t\tcase ${auth}.KindBasic:`,
    `\t\t\tr.SetBasicAuth(credential, credential)`,
    `\t\tcase ${auth}.KindCustom:`,
    '\t\t\tr.Header.Set("Authorization", scheme.HTTPScheme+" "+credential)',
    '\t\tdefault:',
    '\t\t\tr.Header.Set("Authorization", "Bearer "+credential)',
    '\t\t}',
    '\t}',
    '\treturn r, true',
    '}',
  );
  f.add(
    '// carried reports whether the request built for sent also carries the',
    '// credentials of every scheme of req (a bearer token serves every bearer',
    '// scheme), and req needs no scope.',
    `func carried(t *${testing}.T, sent, req ${auth}.Requirement) bool {`,
    '\tt.Helper()',
    '\tat := map[string]bool{}',
    '\tfor _, s := range sent {',
    '\t\tat[where(schemeNamed(t, s.Scheme))] = true',
    '\t}',
    '\tfor _, s := range req {',
    '\t\tif len(s.Scopes) > 0 || !at[where(schemeNamed(t, s.Scheme))] {',
    '\t\t\treturn false',
    '\t\t}',
    '\t}',
    '\treturn true',
    '}',
  );
  f.add(
    '// TestSecurity checks every route of a secured operation against the',
    '// contract\'s requirements, through the middleware the service runs.',
    `func TestSecurity(t *${testing}.T) {`,
    `\tsrv := securedHandler(t, reporting(${routes(f)}))`,
    '\tserve := func(r *http.Request) *httptest.ResponseRecorder {',
    `\t\tw := ${httptest}.NewRecorder()`,
    '\t\tsrv.ServeHTTP(w, r)',
    '\t\treturn w',
    '\t}',
    '\tchecked := map[string]bool{}',
    `\tfor _, rt := range ${routes(f)} {`,
    '\t\treqs, ok := contractSecurity[rt.Operation]',
    '\t\tif !ok || rt.Method == "" {',
    '\t\t\tcontinue',
    '\t\t}',
    '\t\tchecked[rt.Operation] = true',
    '\t\tt.Run(rt.Method+" "+rt.Template(), func(t *testing.T) {',
    '\t\t\tanonymous := false',
    '\t\t\tfor _, req := range reqs {',
    '\t\t\t\tanonymous = anonymous || len(req) == 0',
    '\t\t\t}',
    '\t\t\tr, _ := testRequest(t, rt.Method, rt.Template(), nil, "")',
    '\t\t\tif w := serve(r); anonymous && w.Code != http.StatusNoContent {',
    '\t\t\t\tt.Fatalf("anonymous request: status %d, want 204", w.Code)',
    '\t\t\t} else if !anonymous && (w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "") {',
    '\t\t\t\tt.Fatalf("no credentials: status %d, WWW-Authenticate %q; want 401 with a challenge", w.Code, w.Header().Get("WWW-Authenticate"))',
    '\t\t\t}',
    '\t\t\tfor _, req := range reqs {',
    '\t\t\t\tif len(req) == 0 {',
    '\t\t\t\t\tcontinue',
    '\t\t\t\t}',
    '\t\t\t\tif r, ok := testRequest(t, rt.Method, rt.Template(), req, "forged"); ok && !anonymous {',
    '\t\t\t\t\tif w := serve(r); w.Code != http.StatusUnauthorized {',
    '\t\t\t\t\t\tt.Errorf("refused credentials for %v: status %d, want 401", req, w.Code)',
    '\t\t\t\t\t}',
    '\t\t\t\t}',
    '\t\t\t\tr, ok := testRequest(t, rt.Method, rt.Template(), req, "good")',
    '\t\t\t\tif !ok {',
    '\t\t\t\t\tcontinue',
    '\t\t\t\t}',
    '\t\t\t\tif w := serve(r); w.Code != http.StatusNoContent || w.Header().Get("X-Test-Subject") != "good" {',
    '\t\t\t\t\tt.Errorf("credentials for %v: status %d, principal %q; want 204 and the principal in the context", req, w.Code, w.Header().Get("X-Test-Subject"))',
    '\t\t\t\t}',
    '\t\t\t\tweak, _ := testRequest(t, rt.Method, rt.Template(), req, "weak")',
    '\t\t\t\twant := http.StatusForbidden',
    '\t\t\t\tfor _, other := range reqs {',
    '\t\t\t\t\tif carried(t, req, other) {',
    '\t\t\t\t\t\twant = http.StatusNoContent',
    '\t\t\t\t\t}',
    '\t\t\t\t}',
    '\t\t\t\tif w := serve(weak); w.Code != want {',
    '\t\t\t\t\tt.Errorf("credentials without scopes for %v: status %d, want %d", req, w.Code, want)',
    '\t\t\t\t}',
    '\t\t\t}',
    '\t\t})',
    '\t}',
    '\tfor operation := range contractSecurity {',
    '\t\tif !checked[operation] {',
    '\t\t\tt.Errorf("secured operation %s: no route checked", operation)',
    '\t\t}',
    '\t}',
    '}',
  );
  return [f.toArtifact(localImportPrefix(where))];
}

/** The test verifier of one scheme, as the lines of its Verifiers field: the credential decides the principal. */
function verifier(n: SchemeNames, auth: string, ctx: string): string[] {
  const fn = `${auth}.${n.go}VerifierFunc`;
  const name = goString(n.scheme.name);
  const field = (params: string, body: string) => [`\t\t${n.go}: ${fn}(func(_ ${ctx}.Context, ${params}) (${auth}.Principal, error) {`, `\t\t\t${body}`, '\t\t}),'];
  switch (n.scheme.kind) {
    case 'apiKey':
      return field('key string', `return testPrincipal(${name}, key)`);
    case 'basic':
      return field('username, _ string', `return testPrincipal(${name}, username)`);
    case 'custom':
      return field('value string', `return testPrincipal(${name}, value)`);
    default:
      return field('token string', `return testPrincipal(${name}, token)`);
  }
}

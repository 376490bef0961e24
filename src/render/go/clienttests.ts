import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goString } from './naming.js';
import { requestType } from './crud.js';
import { responseSet } from './responses.js';
import type { ClientLayout } from './client.js';
import { localImportPrefix } from '../runtimepkgs.js';

/**
 * `internal/handler/client_gen_test.go`: the handler's response tests
 * (responses_gen_test.go) send every case a second time through the
 * service's own generated client. The handler must decode the very request
 * it decoded from the hand-written one, and the client must give back what
 * the service answered: the encoding of the client is checked against the
 * decoding of the server, operation by operation.
 */
export function renderClientTests(gm: GoModel, layout: ClientLayout): Artifact[] {
  if (gm.model.operations.length === 0) return [];
  const f = new GoFile('internal/handler/client_gen_test.go', 'handler');
  const ctx = f.use('context');
  const testing = f.use('testing');
  const reflect = f.use('reflect');
  const json = f.use('encoding/json');
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const client = f.use(`${gm.settings.module}/${layout.dir}`, layout.pkg === 'client' ? undefined : layout.pkg);
  const rt = f.use(layout.runtime);
  f.add(`// The client has the method set of the service API: it can stand in for it.`, `var _ ${svc}.API = (*${client}.Client)(nil)`);
  const entries: string[] = [];
  for (const op of gm.model.operations) {
    const name = gm.opName(op);
    const typed = responseSet(gm, op) !== undefined;
    const hasResult = typed || op.success.type !== undefined;
    const call = `c.${name}(ctx, req.(${svc}.${requestType(gm, op)}))`;
    entries.push(
      `\t${goString(name)}: {`,
      ...(typed ? ['\t\ttyped: true,'] : []),
      `\t\tcall: func(ctx ${ctx}.Context, c *${client}.Client, req any) (any, error) {`,
      hasResult ? `\t\t\treturn ${call}` : `\t\t\treturn nil, ${call}`,
      '\t\t},',
      '\t},',
    );
  }
  f.add(
    '// clientCalls calls each operation through the client; typed marks the',
    '// operations that answer with one of several declared responses.',
    'var clientCalls = map[string]struct {',
    '\ttyped bool',
    `\tcall  func(ctx ${ctx}.Context, c *${client}.Client, req any) (any, error)`,
    '}{',
    ...entries,
    '}',
  );
  f.add(
    '// throughClient sends the request the handler decoded in case name once',
    '// more, through the client: the handler must decode the same request, and',
    '// the client must return what the service answered, or an error carrying',
    '// the status of the problem the handler wrote.',
    `func throughClient(t *${testing}.T, baseURL string, fake *responsesFake, name string, status int, problem bool) {`,
    '\tt.Helper()',
    `\top, _, _ := ${f.use('strings')}.Cut(name, "/")`,
    '\tentry, ok := clientCalls[op]',
    '\tif !ok {',
    '\t\tt.Fatalf("no client call for %s", op)',
    '\t}',
    `\tc, err := ${client}.New(${rt}.Config{BaseURL: baseURL})`,
    '\tif err != nil {',
    '\t\tt.Fatalf("new client: %v", err)',
    '\t}',
    '\tsent := fake.req',
    '\tfake.req = nil',
    `\tgot, err := entry.call(${ctx}.Background(), c, sent)`,
    '\tif fake.req == nil {',
    '\t\tt.Fatalf("the request sent through the client did not reach the service (%v)", err)',
    '\t}',
    '\twantSameJSON(t, fake.req, sent)',
    '\tif problem {',
    `\t\tvar apiErr *${rt}.Error`,
    `\t\tif ${f.use('errors')}.As(err, &apiErr) {`,
    '\t\t\tif apiErr.StatusCode != status {',
    '\t\t\t\tt.Fatalf("client error %v, want status %d", err, status)',
    '\t\t\t}',
    '\t\t\treturn',
    '\t\t}',
    '\t\tif err != nil {',
    '\t\t\tt.Fatalf("client: %v", err)',
    '\t\t}',
    '\t\t// An error whose body the contract declares comes back as that response.',
    `\t\tif code := ${reflect}.Indirect(${reflect}.ValueOf(got)).FieldByName("StatusCode"); !code.IsValid() || int(code.Int()) != status {`,
    '\t\t\tt.Fatalf("client returned %#v, want an answer with status %d", got, status)',
    '\t\t}',
    '\t\treturn',
    '\t}',
    '\tif err != nil {',
    '\t\tt.Fatalf("client: %v", err)',
    '\t}',
    '\tif !entry.typed {',
    '\t\twantSameJSON(t, got, fake.resp)',
    '\t\treturn',
    '\t}',
    `\tif ${reflect}.TypeOf(got) != ${reflect}.TypeOf(fake.resp) {`,
    '\t\tt.Fatalf("client returned %T, want %T", got, fake.resp)',
    '\t}',
    `\tgv, wv := ${reflect}.ValueOf(got), ${reflect}.ValueOf(fake.resp)`,
    '\tif code := gv.FieldByName("StatusCode"); code.IsValid() && int(code.Int()) != status {',
    '\t\tt.Fatalf("client returned status %d, want %d", code.Int(), status)',
    '\t}',
    '\tif body := wv.FieldByName("Body"); body.IsValid() {',
    '\t\twantSameJSON(t, gv.FieldByName("Body").Interface(), body.Interface())',
    '\t}',
    '}',
  );
  f.add(
    '// wantSameJSON checks that two values encode to the same JSON.',
    `func wantSameJSON(t *${testing}.T, got, want any) {`,
    '\tt.Helper()',
    `\tg, err := ${json}.Marshal(got)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("encode %T: %v", got, err)',
    '\t}',
    `\tw, err := ${json}.Marshal(want)`,
    '\tif err != nil {',
    '\t\tt.Fatalf("encode %T: %v", want, err)',
    '\t}',
    `\tif string(g) != string(w) {`,
    '\t\tt.Fatalf("client returned %s, want %s", g, w)',
    '\t}',
    '}',
  );
  return [f.toArtifact(localImportPrefix(gm.settings))];
}

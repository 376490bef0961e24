import type { RpcMethod } from '../../model/rpc.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import { goString } from '../go/naming.js';
import { gatewayRoutes } from './gateway.js';
import { OPENAPI_PATH, goCamelCase, type ProtoLayout } from './layout.js';
import { messageRef } from './services.js';
import type { StandardMethod } from './crud.js';
import { localImportPrefix } from '../runtimepkgs.js';

/**
 * `cmd/<name>/api_gen_test.go`: the service's own tests over its real servers.
 * The gRPC health service answers SERVING, then NOT_SERVING once shutdown
 * starts; every RPC, called through the generated Go client with a request
 * whose required fields are set, is served by its implementation (whatever it
 * answers); every REST route answers JSON from its RPC; and a request missing a
 * required field is rejected with InvalidArgument before reaching the stub.
 */
export function renderRpcTests(layout: ProtoLayout, name: string, standard: ReadonlyMap<string, StandardMethod> = new Map()): Artifact[] {
  const f = new GoFile(`cmd/${name}/api_gen_test.go`, 'main');
  const testing = f.use('testing');
  const ctxPkg = f.use('context');
  const healthpb = f.use('google.golang.org/grpc/health/grpc_health_v1', 'healthpb');

  f.add(
    '// TestHealthService checks the standard gRPC health service against readiness.',
    `func TestHealthService(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    `\tclient := ${healthpb}.NewHealthClient(api.conn)`,
    `\tresp, err := client.Check(${ctxPkg}.Background(), &${healthpb}.HealthCheckRequest{})`,
    '\tif err != nil {',
    '\t\tt.Fatalf("health check: %v", err)',
    '\t}',
    `\tif resp.GetStatus() != ${healthpb}.HealthCheckResponse_SERVING {`,
    '\t\tt.Fatalf("health status %v, want SERVING", resp.GetStatus())',
    '\t}',
    '\tapi.checker.SetShuttingDown()',
    `\tresp, err = client.Check(${ctxPkg}.Background(), &${healthpb}.HealthCheckRequest{})`,
    '\tif err != nil {',
    '\t\tt.Fatalf("health check: %v", err)',
    '\t}',
    `\tif resp.GetStatus() != ${healthpb}.HealthCheckResponse_NOT_SERVING {`,
    '\t\tt.Fatalf("health status %v during shutdown, want NOT_SERVING", resp.GetStatus())',
    '\t}',
    '}',
  );

  const rpcCases: string[] = [];
  const requiredCases: string[] = [];
  for (const s of layout.rpc.services) {
    const pb = f.use(layout.goPackage(s.file).path, layout.goPackage(s.file).name);
    const client = `${pb}.New${layout.grpcName(s)}Client(conn)`;
    for (const m of s.methods) {
      const label = goString(`${s.name}.${m.name}`);
      // A standard method serves storage: resources_gen_test.go tests it.
      if (!standard.has(`${s.fullName}.${m.name}`)) rpcCases.push(`\t\t{${label}, func(ctx ${ctxPkg}.Context, conn *grpcClientConn) error {`, ...callLines(layout, f, client, m, 'valid'), '\t\t}},');
      if (!m.clientStreaming && hasRequired(layout, m.input)) {
        requiredCases.push(`\t\t{${label}, func(ctx ${ctxPkg}.Context, conn *grpcClientConn) error {`, ...callLines(layout, f, client, m, 'empty'), '\t\t}},');
      }
    }
  }
  const anyCases = rpcCases.length > 0 || requiredCases.length > 0;
  const codes = anyCases ? f.use('google.golang.org/grpc/codes') : '';
  const status = anyCases ? f.use('google.golang.org/grpc/status') : '';
  // A check of one case's status error: `code` is its code.
  const rpcTest = (title: string, doc: string, cases: string[], check: string[]) => [
    doc,
    `func ${title}(t *${testing}.T) {`,
    '\tapi := startAPI(t)',
    '\ttests := []struct {',
    '\t\tname\vstring',
    `\t\tcall\vfunc(${ctxPkg}.Context, *grpcClientConn) error`,
    '\t}{',
    ...cases,
    '\t}',
    '\tfor _, tt := range tests {',
    '\t\tt.Run(tt.name, func(t *testing.T) {',
    `\t\t\terr := tt.call(${ctxPkg}.Background(), api.conn)`,
    ...check,
    '\t\t})',
    '\t}',
    '}',
  ];
  if (anyCases) {
    const grpcConn = f.use('google.golang.org/grpc');
    f.add(`// grpcClientConn is the client connection the RPC cases call through.`, `type grpcClientConn = ${grpcConn}.ClientConn`);
  }
  if (rpcCases.length > 0) {
    f.add(
    ...rpcTest(
      'TestRPCsReachTheirImplementation',
      "// TestRPCsReachTheirImplementation calls every RPC with a valid request: each\n// is served and answers what its implementation returns (Unimplemented, for a\n// stub), so the test holds whatever the implementation does; only gRPC's own\n// answers for a service or method it does not serve, or no connection, fail.",
      rpcCases,
      [
        `\t\t\tst := ${status}.Convert(err)`,
        `\t\t\tnotServed := st.Code() == ${codes}.Unimplemented && ${f.use('strings')}.HasPrefix(st.Message(), "unknown ")`,
        `\t\t\tif notServed || st.Code() == ${codes}.Unavailable {`,
        '\t\t\t\tt.Fatalf("not served: %v", err)',
        '\t\t\t}',
      ],
    ),
    );
  }
  if (requiredCases.length > 0) {
    f.add(
      ...rpcTest(
        'TestRPCsRejectMissingRequiredFields',
        '// TestRPCsRejectMissingRequiredFields sends empty requests to the RPCs whose\n// request has REQUIRED fields: validation answers InvalidArgument.',
        requiredCases,
        [
          `\t\t\tif got := ${status}.Code(err); got != ${codes}.InvalidArgument {`,
          '\t\t\t\tt.Fatalf("code %v (%v), want InvalidArgument", got, err)',
          '\t\t\t}',
        ],
      ),
    );
  }

  const restCases: string[] = [];
  for (const g of gatewayRoutes(layout, [])) {
    const members = [...(g.plain ? [{ verb: undefined, r: g.plain }] : []), ...[...g.verbs].map(([verb, r]) => ({ verb, r }))];
    for (const { verb, r } of members) {
      if (standard.has(`${r.service.fullName}.${r.method.name}`)) continue;
      const path = g.pattern.replace(/\{(\w+)(\.\.\.)?\}/g, (_, n: string, rest?: string) => (rest ? `${n}-1/sub` : `${n}-1`)) + (verb ? `:${verb}` : '');
      const req = messageRef(layout, f, r.method.input);
      restCases.push(`\t\t{${goString(r.rule.method)}, ${goString(path)}, ${goString(r.rule.body ?? '')}, valid(&${req.slice(1)}{})},`);
    }
  }
  const paths = gatewayRoutes(layout, []).flatMap((g) => [...(g.plain ? [g.pattern] : []), ...[...g.verbs.keys()].map((v) => `${g.pattern}:${v}`)]);
  const strings = f.use('strings');
  f.add(
    '// TestOpenAPIDocument fetches the OpenAPI document the service serves and',
    '// checks that it describes every REST route.',
    `func TestOpenAPIDocument(t *${testing}.T) {`,
    '	api := startAPI(t)',
    `	code, _, body := api.call(t, "GET", ${goString(OPENAPI_PATH)}, "")`,
    `	if code != 200 || !${strings}.Contains(string(body), "openapi: 3.0.3") {`,
    '		t.Fatalf("status %d, body %.200s", code, body)',
    '	}',
    `	for _, path := range []string{${paths.map((p) => goString(p.replace(/\{(\w+)\.\.\.\}/g, '{$1}'))).join(', ')}} {`,
    `		if !${strings}.Contains(string(body), "\\n  "+path+":") {`,
    '			t.Errorf("the document lacks the path %s", path)',
    '		}',
    '	}',
    '}',
  );
  if (restCases.length > 0) {
    const proto = f.use('google.golang.org/protobuf/proto');
    const nethttp = f.use('net/http');
    const gateway = f.use(`${layout.module}/internal/gateway`);
    f.add(
      '// TestRESTRoutesReachTheirImplementation sends a valid request to every',
      "// google.api.http route: each answers what its RPC returns (501 with an",
      '// RFC 9457 problem, for a stub) as JSON, whatever the implementation does;',
      "// only a route the table lacks fails: no route matches, the router answers",
      '// 405, or no custom verb does.',
      `func TestRESTRoutesReachTheirImplementation(t *${testing}.T) {`,
      '\tapi := startAPI(t)',
      '\ttests := []struct {',
      '\t\tmethod\vstring',
      '\t\tpath\vstring',
      '\t\tbody\vstring',
      `\t\treq\v${proto}.Message`,
      '\t}{',
      ...restCases,
      '\t}',
      '\tfor _, tt := range tests {',
      '\t\tt.Run(tt.method+" "+tt.path, func(t *testing.T) {',
      '\t\t\tif !api.routed(tt.method, tt.path) {',
      '\t\t\t\tt.Fatalf("no route matches %s %s", tt.method, tt.path)',
      '\t\t\t}',
      '\t\t\tcode, contentType, body := api.call(t, tt.method, tt.path+restQuery(tt.req, tt.body), restBody(t, tt.req, tt.body))',
      `\t\t\tif contentType != "application/json" && contentType != "application/problem+json" {`,
      '\t\t\t\tt.Fatalf("status %d (%s), want a JSON answer from the RPC; body: %s", code, contentType, body)',
      '\t\t\t}',
      `\t\t\tif code == ${nethttp}.StatusMethodNotAllowed || code == ${nethttp}.StatusNotFound && ${strings}.Contains(string(body), ${gateway}.NoVerbDetail) {`,
      '\t\t\t\tt.Fatalf("status %d: the route is not served; body: %s", code, body)',
      '\t\t\t}',
      '\t\t})',
      '\t}',
      '}',
    );
  }
  return [f.toArtifact(localImportPrefix(layout))];
}

function hasRequired(layout: ProtoLayout, message: string): boolean {
  return (layout.rpc.messages[message]?.fields ?? []).some((fl) => fl.behaviors.includes('REQUIRED'));
}

/** The body of one RPC case: call through the client and return the status error. */
function callLines(layout: ProtoLayout, f: GoFile, client: string, m: RpcMethod, request: 'valid' | 'empty'): string[] {
  const req = messageRef(layout, f, m.input).slice(1);
  const value = request === 'valid' ? `valid(&${req}{})` : `&${req}{}`;
  const name = goCamelCase(m.name);
  if (!m.clientStreaming && !m.serverStreaming) {
    return [`\t\t\t_, err := ${client}.${name}(ctx, ${value})`, '\t\t\treturn err'];
  }
  if (!m.clientStreaming) {
    return [
      `\t\t\tstream, err := ${client}.${name}(ctx, ${value})`,
      '\t\t\tif err != nil {',
      '\t\t\t\treturn err',
      '\t\t\t}',
      '\t\t\t_, err = stream.Recv()',
      '\t\t\treturn err',
    ];
  }
  return [
    `\t\t\tstream, err := ${client}.${name}(ctx)`,
    '\t\t\tif err != nil {',
    '\t\t\t\treturn err',
    '\t\t\t}',
    ...(m.serverStreaming ? ['\t\t\t_, err = stream.Recv()'] : ['\t\t\t_, err = stream.CloseAndRecv()']),
    '\t\t\treturn err',
  ];
}


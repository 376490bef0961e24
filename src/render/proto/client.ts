import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import type { ServiceSettings } from '../go/gomodel.js';
import { goString } from '../go/naming.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { messageRef, servicePackage } from './services.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** Where a proto service's own Go client goes, for other services to import. */
export const CLIENT_DIR = 'pkg/client';

/** Names the Client struct has of its own, which a service's field must not take. */
const RESERVED = new Set(['Close']);

/**
 * `pkg/client`: the Go client other services import to call this one, for a
 * service that serves gRPC. One `Client` holds protoc's client of each gRPC
 * service of the contract over one connection, made by `pkg/grpcclient`
 * (deadlines, retries, keepalive, round-robin, tracing, request IDs,
 * metrics). The test beside it dials a server of unimplemented services and
 * calls one unary RPC of each, so the wiring is proven end to end.
 */
export function renderProtoClient(layout: ProtoLayout, settings: ServiceSettings): Artifact[] {
  if (!(settings.transports ?? []).includes('grpc') || layout.rpc.services.length === 0) return [];
  return [clientFile(layout, settings.name).toArtifact(localImportPrefix(layout)), clientTest(layout).toArtifact(localImportPrefix(layout))];
}

/**
 * The name of each service's field in Client, by full name: its Go name
 * (`Catalog`; `ShopV1Catalog` when two services share a name), `Service`
 * added where it would clash with a method of Client.
 */
export function clientFields(layout: ProtoLayout): Map<string, string> {
  const names = layout.rpc.services.map((s) => {
    const base = layout.serverName(s).replace(/Server$/, '');
    const joined = base.replaceAll('_', '');
    const name = layout.rpc.services.some((o) => o !== s && layout.serverName(o).replace(/Server$/, '').replaceAll('_', '') === joined) ? base : joined;
    return [s.fullName, RESERVED.has(name) ? `${name}Service` : name] as const;
  });
  return new Map(names);
}

function clientFile(layout: ProtoLayout, name: string): GoFile {
  const f = new GoFile(`${CLIENT_DIR}/client.gen.go`, 'client', {
    generated: true,
    doc: `Package client calls the ${name} service over gRPC: Dial connects with the defaults of pkg/grpcclient, and Client holds the client protoc generated for each of its gRPC services.`,
  });
  const grpc = f.use('google.golang.org/grpc');
  const grpcclient = f.use(runtimeImport(layout, 'grpcclient'));
  const names = clientFields(layout);
  const fields = layout.rpc.services.map((s) => ({ s, field: names.get(s.fullName)!, pb: servicePackage(layout, f, s), grpc: layout.grpcName(s) }));
  f.add(
    `// Client calls the gRPC services of the ${name} service over one connection.`,
    '// Its fields are safe for concurrent use.',
    'type Client struct {',
    ...fields.flatMap(({ s, field, pb, grpc: g }) => [`\t// ${field} calls ${s.fullName}.`, `\t${field}\v${pb}.${g}Client`]),
    '',
    `\tconn *${grpc}.ClientConn // the connection Dial made; nil from New`,
    '}',
  );
  f.add(
    `// Dial connects to the ${name} service at cfg.Target (a host:port resolved`,
    `// through DNS, every address used in turn) with the deadline, retries,`,
    '// keepalive, tracing, request IDs and metrics cfg and opts configure. It',
    '// does no I/O: a service that is down makes calls fail with Unavailable.',
    '// Close the client when done.',
    `func Dial(cfg ${grpcclient}.Config, opts ...${grpcclient}.Option) (*Client, error) {`,
    `\tconn, err := ${grpcclient}.Dial(cfg, opts...)`,
    '\tif err != nil {',
    `\t\treturn nil, ${f.use('fmt')}.Errorf("dial the ${name} service: %w", err)`,
    '\t}',
    '\tc := New(conn)',
    '\tc.conn = conn',
    '\treturn c, nil',
    '}',
  );
  f.add(
    '// New returns a client over conn, a connection the caller made and closes',
    '// (Close leaves it open).',
    `func New(conn ${grpc}.ClientConnInterface) *Client {`,
    '\treturn &Client{',
    ...fields.map(({ field, pb, grpc: g }) => `\t\t${field}:\v${pb}.New${g}Client(conn),`),
    '\t}',
    '}',
  );
  f.add(
    '// Close closes the connection Dial made; a client from New has none to close.',
    'func (c *Client) Close() error {',
    '\tif c.conn == nil {',
    '\t\treturn nil',
    '\t}',
    '\treturn c.conn.Close()',
    '}',
  );
  return f;
}

/**
 * `pkg/client/client_gen_test.go`: a server of the unimplemented services on
 * loopback, dialled with Dial; one unary RPC of each service must come back
 * Unimplemented from the server (not Unavailable, not a local error).
 */
function clientTest(layout: ProtoLayout): GoFile {
  const f = new GoFile(`${CLIENT_DIR}/client_gen_test.go`, 'client');
  const testing = f.use('testing');
  const grpc = f.use('google.golang.org/grpc');
  const context = f.use('context');
  const time = f.use('time');
  const grpcclient = f.use(runtimeImport(layout, 'grpcclient'));
  const net = f.use('net');
  const registrations = layout.rpc.services.map((s) => {
    const pb = servicePackage(layout, f, s);
    return `\t${pb}.Register${layout.grpcName(s)}Server(srv, ${pb}.Unimplemented${layout.grpcName(s)}Server{})`;
  });
  const names = clientFields(layout);
  const calls: string[] = [];
  for (const s of layout.rpc.services) {
    const m = s.methods.find((x) => !x.clientStreaming && !x.serverStreaming);
    if (!m) continue;
    const label = goString(`${s.name}.${m.name}`);
    // Imported only when some service has a unary RPC to call (a streaming-only contract has none).
    const codes = f.use('google.golang.org/grpc/codes');
    const status = f.use('google.golang.org/grpc/status');
    calls.push(
      `\t_, err = c.${names.get(s.fullName)!}.${goCamelCase(m.name)}(ctx, &${messageRef(layout, f, m.input).slice(1)}{})`,
      `\tif ${status}.Code(err) != ${codes}.Unimplemented {`,
      `\t\tt.Errorf("${label.slice(1, -1)}: %v, want Unimplemented from the server", err)`,
      '\t}',
    );
  }
  f.add(
    '// TestDialReachesEveryService calls a unary RPC of each service through',
    '// Dial against a server that implements none of them.',
    `func TestDialReachesEveryService(t *${testing}.T) {`,
    `\tlis, err := ${net}.Listen("tcp", "127.0.0.1:0")`,
    '\tif err != nil {',
    '\t\tt.Fatal(err)',
    '\t}',
    `\tsrv := ${grpc}.NewServer()`,
    ...registrations,
    '\tgo func() { _ = srv.Serve(lis) }()',
    '\tdefer srv.Stop()',
    '',
    `\tcfg := ${grpcclient}.DefaultConfig()`,
    '\tcfg.Target = lis.Addr().String()',
    '\tc, err := Dial(cfg)',
    '\tif err != nil {',
    '\t\tt.Fatalf("Dial: %v", err)',
    '\t}',
    '\tdefer func() {',
    '\t\tif err := c.Close(); err != nil {',
    '\t\t\tt.Errorf("Close: %v", err)',
    '\t\t}',
    '\t}()',
    `\tctx, cancel := ${context}.WithTimeout(${context}.Background(), 5*${time}.Second)`,
    '\tdefer cancel()',
    ...(calls.length > 0 ? calls : ['\t_ = ctx']),
    '}',
  );
  f.add(
    '// TestCloseKeepsTheConnectionOfNew checks that a client from New does not',
    '// close the connection it was given.',
    `func TestCloseKeepsTheConnectionOfNew(t *${testing}.T) {`,
    `\tconn, err := ${grpcclient}.Dial(${grpcclient}.Config{Target: "127.0.0.1:1"})`,
    '\tif err != nil {',
    '\t\tt.Fatal(err)',
    '\t}',
    '\tdefer func() { _ = conn.Close() }()',
    '\tif err := New(conn).Close(); err != nil {',
    '\t\tt.Fatalf("Close: %v", err)',
    '\t}',
    '\tif err := conn.Close(); err != nil {',
    '\t\tt.Errorf("the connection was closed by the client from New: %v", err)',
    '\t}',
    '}',
  );
  return f;
}

import { snake, words } from '../../model/names.js';
import type { RpcMethod, RpcService } from '../../model/rpc.js';
import type { Artifact } from '../artifact.js';
import { GoFile, comment, continueSentence } from '../go/gofile.js';
import { goString } from '../go/naming.js';
import type { StandardMethod } from './crud.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { localImportPrefix } from '../runtimepkgs.js';

const SERVICE_DIR = 'internal/service';

/**
 * The service layer of a proto service: per gRPC service a generated struct
 * that implements its server interface, and per RPC a user-owned file holding
 * its method, which answers codes.Unimplemented until the user writes it. An
 * RPC added to the contract later gets its file on the next `svc gen api`.
 */
export function renderRpcServices(layout: ProtoLayout, standard: ReadonlyMap<string, StandardMethod> = new Map()): Artifact[] {
  const out: Artifact[] = [];
  for (const s of layout.rpc.services) {
    out.push(serverFile(layout, s).toArtifact(localImportPrefix(layout)));
    for (const m of s.methods) {
      const f = stubFile(layout, s, m, standard.get(`${s.fullName}.${m.name}`));
      const a = f.toArtifact(localImportPrefix(layout));
      a.signature = a.content.split('\n').find((l) => l.startsWith(`func (s *${layout.serverName(s)}) ${goCamelCase(m.name)}(`));
      a.operation = {
        method: goCamelCase(m.name),
        receiver: layout.serverName(s),
        identity: `rpc ${s.fullName} (${m.input}) returns (${m.output})`,
        derived: [],
      };
      out.push(a);
    }
  }
  return out;
}

/** The Go type of a message as seen from file f, e.g. `*pubsubpb.Topic`. */
export function messageRef(layout: ProtoLayout, f: GoFile, fullName: string): string {
  const t = layout.messageType(fullName);
  const pkg = layout.rpc.messages[fullName]!.file;
  return `*${f.use(t.importPath, layout.goPackage(pkg).name)}.${t.name}`;
}

/** The pb package of a service's file, as seen from f. */
export function servicePackage(layout: ProtoLayout, f: GoFile, s: RpcService): string {
  const p = layout.goPackage(s.file);
  return f.use(p.path, p.name);
}

function serverFile(layout: ProtoLayout, s: RpcService): GoFile {
  const f = new GoFile(`${SERVICE_DIR}/${layout.fileBase(s)}.gen.go`, 'service');
  const pb = servicePackage(layout, f, s);
  const name = layout.serverName(s);
  const grpc = layout.grpcName(s);
  f.add(
    ...comment(`${name} implements the ${s.fullName} gRPC service${s.comment ? `: ${continueSentence(firstSentence(s.comment))}` : '.'} Each RPC is a method in its own file, ${layout.fileBase(s)}_<rpc>.go, which is yours to edit.`),
    `type ${name} struct {`,
    '\t*Service',
    '}',
  );
  f.add(
    `// New${name} returns the ${s.fullName} implementation backed by svc.`,
    `func New${name}(svc *Service) *${name} {`,
    `\treturn &${name}{Service: svc}`,
    '}',
  );
  f.add(`var _ ${pb}.${grpc}Server = (*${name})(nil)`);
  return f;
}

/** The Go signature of an RPC's method as protoc-gen-go-grpc declares it. */
export function methodSignature(layout: ProtoLayout, f: GoFile, m: RpcMethod): string {
  const name = goCamelCase(m.name);
  const req = messageRef(layout, f, m.input);
  const resp = messageRef(layout, f, m.output);
  if (!m.clientStreaming && !m.serverStreaming) {
    return `${name}(ctx ${f.use('context')}.Context, req ${req}) (${resp}, error)`;
  }
  const grpc = f.use('google.golang.org/grpc');
  if (!m.clientStreaming) return `${name}(req ${req}, stream ${grpc}.ServerStreamingServer[${resp.slice(1)}]) error`;
  if (!m.serverStreaming) return `${name}(stream ${grpc}.ClientStreamingServer[${req.slice(1)}, ${resp.slice(1)}]) error`;
  return `${name}(stream ${grpc}.BidiStreamingServer[${req.slice(1)}, ${resp.slice(1)}]) error`;
}

function stubFile(layout: ProtoLayout, s: RpcService, m: RpcMethod, standard: StandardMethod | undefined): GoFile {
  const f = new GoFile(`${SERVICE_DIR}/${layout.fileBase(s)}_${snake(m.name)}.go`, 'service', { generated: false });
  const sig = methodSignature(layout, f, m);
  if (standard) {
    const noun = words(standard.resource.entity.name).join(' ');
    f.add(
      ...comment(`${goCamelCase(m.name)} implements ${s.fullName}.${m.name}${m.comment ? `: ${continueSentence(m.comment)}` : '.'}`),
      '//',
      ...comment(`It is the standard ${standard.kind} of the ${noun} resource: ${standard.helper}, generated from the contract, does the storage work. Add your business logic around the call.`),
      `func (s *${layout.serverName(s)}) ${sig} {`,
      `\treturn s.${standard.helper}(ctx, req)`,
      '}',
    );
    return f;
  }
  const status = f.use('google.golang.org/grpc/status');
  const codes = f.use('google.golang.org/grpc/codes');
  const unary = !m.clientStreaming && !m.serverStreaming;
  const kind = unary ? '' : m.clientStreaming && m.serverStreaming ? ' (bidirectional streaming)' : m.clientStreaming ? ' (client streaming)' : ' (server streaming)';
  f.add(
    ...comment(`${goCamelCase(m.name)} implements ${s.fullName}.${m.name}${kind}${m.comment ? `: ${continueSentence(m.comment)}` : '.'}`),
    '//',
    '// Replace the body with the business logic; until then the RPC answers',
    '// codes.Unimplemented (HTTP 501 through the gateway).',
    `func (s *${layout.serverName(s)}) ${sig} {`,
    `\treturn ${unary ? 'nil, ' : ''}${status}.Error(${codes}.Unimplemented, ${goString(`${s.fullName}.${m.name} is not implemented`)})`,
    '}',
  );
  return f;
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end < 0 ? `${flat}.` : flat.slice(0, end + 1);
}

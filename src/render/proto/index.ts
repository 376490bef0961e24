import { buildClients, clientsMetricsParam, renderNewClients } from '../go/clientswire.js';
import type { ProtoFile, RpcModel } from '../../model/rpc.js';
import type { SecurityRequirement, ServiceModel } from '../../model/types.js';
import { protocCommandLine } from '../../tools/protoc.js';
import { GO_GENERATED_HEADER, artifact, type Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import type { ServiceSettings } from '../go/gomodel.js';
import { unexportedName } from '../go/naming.js';
import { deriveOpenAPI } from '../openapi/fromproto.js';
import { gatewayRoutes, renderGateway } from './gateway.js';
import { allOf, renderSecurity, type SecuredOperation } from '../go/security.js';
import { renderSecurityTests } from '../go/securitytests.js';
import { OPENAPI_PATH, ProtoLayout, generatedFiles, goOptionsOf, goPackagesOf } from './layout.js';
import { renderStandardMethods, standardMethods, type StandardMethod } from './crud.js';
import { idField, messageResources, type MessageResource } from './resources.js';
import { renderRpcServices, servicePackage } from './services.js';
import { renderMessageRepositories, repositoriesLiteral } from './storage.js';
import { renderStorageTests } from './storagetests.js';
import { usesSql } from '../database.js';
import { renderRpcTests } from './tests.js';
import { renderProtoClient } from './client.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** Folder of the copies of provided protos (google/api, google/protobuf, ...) that `make generate` reads. */
export const THIRD_PARTY = 'third_party';

/** The contract folder of a service: `product` → `productproto`. */
export function contractDirOf(name: string): string {
  return `${name.replaceAll('-', '')}proto`;
}

export function protoLayout(model: ServiceModel, settings: ServiceSettings): ProtoLayout {
  return new ProtoLayout(model.rpc!, settings.module, contractDirOf(settings.name), settings.platformModule);
}

/**
 * The Go files of a proto service that come from the model alone: the service
 * implementations and their per-RPC files, the REST gateway's route table,
 * the wiring, the tests, and the proto files protoc needs that the contract
 * folder does not hold.
 */
export function renderProtoService(model: ServiceModel, settings: ServiceSettings): Artifact[] {
  const layout = protoLayout(model, settings);
  const resources = messageResources(model);
  const standard = standardMethods(layout.rpc, resources);
  const sql = usesSql(model, settings.database);
  const rpcs = securedRpcs(model, layout);
  return [
    ...renderRpcServices(layout, standard),
    ...renderMessageRepositories(model, layout, resources, sql),
    ...renderStandardMethods(layout, resources, standard),
    ...renderGateway(layout, model.warnings),
    ...renderSecurity(model, settings, rpcs, true),
    ...renderSecurityTests(model, settings, rpcs, (f) => {
      const servers = layout.rpc.services.map((s) => `${servicePackage(layout, f, s)}.Unimplemented${layout.grpcName(s)}Server{}`);
      const gateway = f.use(`${layout.module}/internal/gateway`);
      return `${gateway}.Routes(${[`${gateway}.Options{}`, ...servers].join(', ')})`;
    }),
    wire(layout, settings.name, resources, sql, settings.otherClients ?? []).toArtifact(localImportPrefix(settings)),
    ...renderRpcTests(layout, settings.name, standard),
    ...renderStorageTests(layout, settings.name, resources, standard),
    ...protoCopies(layout),
    ...openapiDocument(model, layout, standard),
    ...renderProtoClient(layout, settings),
  ];
}


/**
 * Every RPC with its requirements, by the name its REST routes carry
 * (`Service.Method`, also what its full gRPC method gives); a REST path
 * several RPCs share (custom verbs) needs what each of them needs. An RPC
 * without a REST route of its own (gRPC-only, or one of a shared path) is
 * not `routed`.
 */
function securedRpcs(model: ServiceModel, layout: ProtoLayout): SecuredOperation[] {
  const ops = new Map(model.operations.map((o) => [o.name, o]));
  const out: SecuredOperation[] = [];
  const byName = new Map<string, SecurityRequirement[]>();
  const groups = gatewayRoutes(layout, []).map((g) => [...(g.plain ? [g.plain] : []), ...g.verbs.values()].map((r) => `${r.service.name}.${r.method.name}`));
  const routed = new Set(groups.filter((members) => members.length === 1).map((members) => members[0]!));
  for (const s of layout.rpc.services) {
    for (const m of s.methods) {
      const op = m.operation !== undefined ? ops.get(m.operation) : undefined;
      const name = `${s.name}.${m.name}`;
      const security = m.security ?? op?.security ?? [];
      byName.set(name, security);
      out.push({ name, security, routed: routed.has(name), ...(op?.limits ? { limits: op.limits } : {}) });
    }
  }
  for (const members of groups) {
    if (members.length < 2) continue;
    out.push({ name: members.join(', '), security: allOf(members.map((n) => byName.get(n) ?? [])), routed: true });
  }
  return out;
}

/**
 * The OpenAPI document derived from the HTTP bindings, in the contract
 * folder's openapi/ beside a Go file that embeds it, so the service serves
 * the same bytes at OPENAPI_PATH. Streaming RPCs are gRPC-only, as in the
 * gateway, so they are left out.
 */
function openapiDocument(model: ServiceModel, layout: ProtoLayout, standard: ReadonlyMap<string, StandardMethod>): Artifact[] {
  const rpc: RpcModel = {
    ...layout.rpc,
    services: layout.rpc.services.map((s) => ({
      ...s,
      methods: s.methods.map((m) => (m.clientStreaming || m.serverStreaming ? { ...m, http: [] } : m)),
    })),
  };
  const file = `${model.name}.yaml`;
  const pagedLists = new Set([...standard].filter(([, m]) => m.kind === 'list').map(([key]) => key));
  const updateMasks = new Map(
    [...standard]
      .filter(([, m]) => m.kind === 'update')
      .map(([key, m]) => [key, m.resource.entity.fields.filter((f) => !m.resource.immutable.includes(f.name) && !m.resource.outputOnly.includes(f.name)).map((f) => f.jsonName)]),
  );
  const createIds = new Map<string, string>();
  for (const [key, m] of standard) {
    const method = m.resource.methods.create?.method;
    const id = m.kind === 'create' && method ? idField(layout.rpc, method, m.resource) : undefined;
    if (id) createIds.set(key, id.name);
  }
  const doc = deriveOpenAPI(rpc, { title: model.title, version: model.version, ...(model.description ? { description: model.description } : {}) }, { pagedLists, updateMasks, createIds, securitySchemes: model.securitySchemes });
  const f = new GoFile(`${layout.contractDir}/openapi/openapi.go`, 'openapi', {
    generated: true,
    doc: `Package openapi holds the OpenAPI document derived from the proto contract's google.api.http bindings, served at ${OPENAPI_PATH}.`,
  });
  f.use('embed', '_');
  f.add(`// Document is ${file}.`, `//`, `//go:embed ${file}`, 'var Document []byte');
  return [artifact(`${layout.contractDir}/openapi/${file}`, doc), f.toArtifact(localImportPrefix(layout))];
}

/**
 * Copies of the proto files svc found in its own library (google-proto-files):
 * those whose Go code an existing module provides go to third_party/ for
 * protoc; the other imports (google/longrunning, google/type, ...) go to the
 * contract folder, since their Go code is generated into the service.
 */
function protoCopies(layout: ProtoLayout): Artifact[] {
  const out: Artifact[] = [];
  const header = `${GO_GENERATED_HEADER}\n// Copied from the npm package google-proto-files.\n\n`;
  for (const f of layout.providedFiles()) out.push(artifact(`${THIRD_PARTY}/${f.path}`, header + f.text));
  for (const f of layout.generatedFiles()) {
    if (f.origin === 'import' && f.library) out.push(artifact(`${layout.contractDir}/${f.path}`, header + f.text));
  }
  return out;
}

/** The protoc command line the service's Makefile runs (`make generate`), relative to the service root. */
export function protocArgs(model: ServiceModel, settings: ServiceSettings): string[] {
  const layout = protoLayout(model, settings);
  return protocCommandLine({
    includes: [layout.contractDir, THIRD_PARTY, ...(settings.platformModule ? [settings.platformRoot ?? '../..'] : [])],
    files: layout.generatedFiles().map((f) => f.path),
    outDir: '.',
    goOptions: [`module=${settings.module}`, ...layout.goOptions()],
    grpc: true,
  });
}

/** What protoc is to generate for a proto service: the Go messages and gRPC stubs. */
export interface ProtocJob {
  /** The .proto files protoc reads, by path: the service's, then the platform's shared protos it imports. */
  sources: { path: string; text: string }[];
  /** The sources protoc generates Go for. */
  files: string[];
  /** protoc-gen-go's and protoc-gen-go-grpc's options (module=, M...). */
  goOptions: string[];
}

/**
 * The protoc run the service needs, from the contract's files (build's
 * protoFiles, the model's rpc.files), or undefined when it has nothing for
 * protoc. The pipeline runs it (see pipeline/protoc.ts); a platform's shared
 * protos are imported, not generated, but protoc must find them.
 */
export function protocJob(files: readonly ProtoFile[], settings: ServiceSettings): ProtocJob | undefined {
  const generated = generatedFiles(files);
  if (generated.length === 0) return undefined;
  return {
    sources: [...generated, ...files.filter((x) => x.origin === 'provided' && !x.library)].map((f) => ({ path: f.path, text: f.text })),
    files: generated.map((f) => f.path),
    goOptions: [`module=${settings.module}`, ...goOptionsOf(files, goPackagesOf(files, settings.module, contractDirOf(settings.name)))],
  };
}

/** cmd/<name>/wire.go: the repositories, the service, its gRPC registrations and its REST routes. */
function wire(layout: ProtoLayout, name: string, resources: MessageResource[], sql: boolean, clients: readonly string[]): GoFile {
  const f = new GoFile(`cmd/${name}/wire.go`, 'main');
  const zap = f.use('go.uber.org/zap');
  const grpc = f.use('google.golang.org/grpc');
  const config = f.use(`${layout.module}/internal/config`);
  const event = f.use(runtimeImport(layout, 'event'));
  const handler = f.use(`${layout.module}/internal/handler`);
  const gateway = f.use(`${layout.module}/internal/gateway`);
  const svc = layout.rpc.services.length > 0 ? f.use(`${layout.module}/internal/service`) : '';
  const openapi = f.use(`${layout.module}/${layout.contractDir}/openapi`);
  const http = f.use('net/http');
  const vars = layout.rpc.services.map((s) => unexportedName(layout.serverName(s)));
  const db = sql && resources.length > 0 ? f.use(runtimeImport(layout, 'database')) : '';
  const [first, ...rest] = vars.length > 0 ? repositoriesLiteral(layout, f, resources, db ? 'db' : undefined) : [];
  f.add(
    '// newAPI wires the layers together: the repositories, the service, its gRPC',
    '// services and their REST routes. register adds the gRPC services to a server.',
    `func newAPI(cfg *${config}.Config, log *${zap}.Logger${clientsMetricsParam(layout, f, clients)}, events ${event}.Publisher${db ? `, db *${db}.DB` : ''}) (routes []${handler}.Route, register func(${grpc}.ServiceRegistrar), err error) {`,
    ...(vars.length === 0
      ? [`\tregister = func(${grpc}.ServiceRegistrar) {}`]
      : [
          ...buildClients(clients, 'nil, nil, err'),
          `\trepos := ${first!}`,
          ...rest.map((l) => `\t${l}`),
          `\tsvc, err := ${svc}.New(${svc}.Dependencies{Repos: repos, Events: events${db ? ', Tx: db' : ''}, Log: log, Config: cfg.App${clients.length > 0 ? ', Clients: clients' : ''}})`,
          '\tif err != nil {',
          `\t\treturn nil, nil, ${f.use('fmt')}.Errorf("build the service layer: %w", err)`,
          '\t}',
          ...layout.rpc.services.map((s, i) => `\t${vars[i]} := ${svc}.New${layout.serverName(s)}(svc)`),
          `\tregister = func(s ${grpc}.ServiceRegistrar) {`,
          ...layout.rpc.services.map((s, i) => `\t\t${servicePackage(layout, f, s)}.Register${layout.grpcName(s)}Server(s, ${vars[i]})`),
          '\t}',
        ]),
    `\tbodyRules := ${gateway}.Options{UnknownFields: cfg.HTTP.UnknownFields, ReadOnlyFields: cfg.HTTP.ReadOnlyFields}`,
    `\troutes = append(${gateway}.Routes(${['bodyRules', ...vars].join(', ')}), ${handler}.Route{`,
    `\t\tMethod:\v${http}.MethodGet,`,
    `\t\tPattern:\v"${OPENAPI_PATH}",`,
    `\t\tOperation:\v"OpenAPIDocument",`,
    `\t\tHandler:\v${gateway}.Document(${openapi}.Document),`,
    '\t})',
    '\treturn routes, register, nil',
    '}',
  );
  renderNewClients(layout, f, config, clients);
  return f;
}

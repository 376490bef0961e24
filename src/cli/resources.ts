import type { Resource, ServiceModel } from '../model/types.js';

const HOW: Record<NonNullable<Resource['recognisedBy']>, string> = {
  rest: 'REST paths',
  rpc: 'standard method names',
  marker: 'x-svc-resource',
};

/** What the generator recognised in a contract: a stored resource, or (proto) a gRPC service. */
export type ResourceFacts =
  | { kind: 'resource'; name: string; methods: string[]; recognisedBy?: Resource['recognisedBy']; concurrencyField?: string }
  | { kind: 'grpc-service'; name: string; rpcs: number; overRest: number };

export function resourceFacts(model: ServiceModel): ResourceFacts[] {
  if (model.rpc) {
    return model.rpc.services.map((s) => ({
      kind: 'grpc-service',
      name: s.fullName,
      rpcs: s.methods.length,
      overRest: s.methods.filter((m) => m.http.length > 0 && !m.clientStreaming && !m.serverStreaming).length,
    }));
  }
  return model.resources.map((r) => ({
    kind: 'resource',
    name: r.name,
    methods: (['create', 'get', 'list', 'update', 'delete'] as const).filter((k) => r.operations[k]),
    ...(r.recognisedBy ? { recognisedBy: r.recognisedBy } : {}),
    ...(r.concurrency ? { concurrencyField: r.concurrency.field } : {}),
  }));
}

/** One line per resource the generator recognised in the contract, for the CLI's report. */
export function describeResources(model: ServiceModel): string[] {
  const facts = resourceFacts(model);
  if (facts.length === 0 && !model.rpc) {
    return ['resources: none recognised (mark the operations of one with x-svc-resource to have it stored)'];
  }
  return facts.map((f) => {
    if (f.kind === 'grpc-service') return `service ${f.name}: ${f.rpcs} RPCs, ${f.overRest} also over REST`;
    const how = f.recognisedBy ? ` from ${HOW[f.recognisedBy]}` : '';
    const concurrency = f.concurrencyField ? `; optimistic concurrency on ${f.concurrencyField}` : '';
    return `resource ${f.name}${how}: ${f.methods.join(', ')}${concurrency}`;
  });
}

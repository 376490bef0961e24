import type { Resource, ServiceModel } from '../model/types.js';

const HOW: Record<NonNullable<Resource['recognisedBy']>, string> = {
  rest: 'REST paths',
  rpc: 'standard method names',
  marker: 'x-svc-resource',
};

/** One line per resource the generator recognised in the contract, for the CLI's report. */
export function describeResources(model: ServiceModel): string[] {
  if (model.rpc) {
    return model.rpc.services.map((s) => {
      const rest = s.methods.filter((m) => m.http.length > 0 && !m.clientStreaming && !m.serverStreaming).length;
      return `service ${s.fullName}: ${s.methods.length} RPCs, ${rest} also over REST`;
    });
  }
  if (model.resources.length === 0) {
    return ['resources: none recognised (mark the operations of one with x-svc-resource to have it stored)'];
  }
  return model.resources.map((r) => {
    const methods = (['create', 'get', 'list', 'update', 'delete'] as const).filter((k) => r.operations[k]).join(', ');
    const how = r.recognisedBy ? ` from ${HOW[r.recognisedBy]}` : '';
    const concurrency = r.concurrency ? `; optimistic concurrency on ${r.concurrency.field}` : '';
    return `resource ${r.name}${how}: ${methods}${concurrency}`;
  });
}

import type { LoadedContract } from '../load/index.js';
import type { ServiceModel } from '../model/types.js';
import { buildFromOpenAPI } from './openapi/index.js';
import { buildFromProto } from './proto/index.js';

export { protoFiles } from './proto/index.js';

/**
 * Builds the language-neutral service model from any loaded contract. A proto
 * contract's security comes from svc.yaml's `security` section (`security`).
 */
export function buildModel(contract: LoadedContract, serviceName: string, security?: Record<string, unknown>): ServiceModel {
  switch (contract.kind) {
    case 'openapi':
      return buildFromOpenAPI(contract, serviceName);
    case 'proto':
      return buildFromProto(contract, serviceName, security);
  }
}

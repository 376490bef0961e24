import { buildFromOpenAPI } from '../../build/openapi/index.js';
import { loadOpenAPI } from '../../load/openapi.js';
import { camel } from '../../model/names.js';
import type { Operation, ServiceModel } from '../../model/types.js';
import type { ServiceSettings } from '../go/gomodel.js';
import { renderProtoService } from './index.js';

/**
 * The model clients are rendered from (the TypeScript SDK, a Go client of
 * another service). An OpenAPI service's own. A proto service's HTTP clients
 * speak to its REST gateway, whose JSON is protojson's
 * (lowerCamelCase names, 64-bit integers as strings, enums by name) and whose
 * routes are the ServeMux patterns of the HTTP bindings (`/v1/carts/{cart}`,
 * not `/v1/{name=carts/*}`): that is what the OpenAPI document the service
 * derives and serves describes, so the client is built from that document, the
 * very bytes the service embeds. `settings` are the service's (serviceSettingsOf),
 * or, for a contract alone, left out.
 */
export async function gatewayModel(model: ServiceModel, settings?: ServiceSettings): Promise<ServiceModel> {
  if (!model.rpc) return model;
  // The document depends on the contract alone; the settings only place the service's Go files.
  settings ??= { name: model.name, module: `example.com/${model.name}`, contract: `${model.name}.proto`, contractKind: 'proto', transports: ['http', 'grpc'] };
  const suffix = `/openapi/${model.name}.yaml`;
  const doc = renderProtoService({ ...model, warnings: [] }, settings).find((a) => a.path.endsWith(suffix));
  if (!doc) throw new Error(`internal error: no derived OpenAPI document (${suffix}) for ${model.name}`);
  const loaded = await loadOpenAPI(`/virtual/${doc.path}`, doc.content, doc.path);
  const gateway = buildFromOpenAPI(loaded, model.name);
  return { ...gateway, operations: withRpcNames(gateway.operations) };
}

/**
 * The derived document names an operation `<Service>_<Method>` (plus `_<n>`
 * for additional bindings), which the model spells `productServiceCreateProduct`;
 * the SDK calls it by its method's name (its group is the service) where that
 * is unique: `createProduct`.
 */
function withRpcNames(operations: Operation[]): Operation[] {
  const short = (op: Operation) => {
    const prefix = camel(op.group);
    const rest = op.name.startsWith(prefix) ? op.name.slice(prefix.length) : '';
    return /^[A-Z]/.test(rest) ? rest.charAt(0).toLowerCase() + rest.slice(1) : op.name;
  };
  const count = new Map<string, number>();
  for (const op of operations) count.set(short(op), (count.get(short(op)) ?? 0) + 1);
  const taken = new Set(operations.map((op) => op.name));
  return operations.map((op) => {
    const name = short(op);
    return name !== op.name && count.get(name) === 1 && !taken.has(name) ? { ...op, name } : op;
  });
}

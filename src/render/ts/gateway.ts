import { buildFromOpenAPI } from '../../build/openapi/index.js';
import { loadOpenAPI } from '../../load/openapi.js';
import type { ServiceModel } from '../../model/types.js';
import type { ServiceSettings } from '../go/gomodel.js';
import { renderProtoService } from '../proto/index.js';

/**
 * The model the SDK is rendered from. An OpenAPI service's own. A proto
 * service's clients speak to its REST gateway, whose JSON is protojson's
 * (lowerCamelCase names, 64-bit integers as strings, enums by name) and whose
 * routes are the ServeMux patterns of the HTTP bindings (`/v1/carts/{cart}`,
 * not `/v1/{name=carts/*}`): that is what the OpenAPI document the service
 * derives and serves describes, so the SDK is built from that document, the
 * very bytes the service embeds.
 */
export async function sdkModel(model: ServiceModel, settings: ServiceSettings): Promise<ServiceModel> {
  if (!model.rpc) return model;
  const suffix = `/openapi/${model.name}.yaml`;
  const doc = renderProtoService({ ...model, warnings: [] }, settings).find((a) => a.path.endsWith(suffix));
  if (!doc) throw new Error(`internal error: no derived OpenAPI document (${suffix}) for ${model.name}`);
  const loaded = await loadOpenAPI(`/virtual/${doc.path}`, doc.content, doc.path);
  return buildFromOpenAPI(loaded, model.name);
}

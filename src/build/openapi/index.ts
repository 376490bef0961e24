import type { LoadedOpenAPI } from '../../load/index.js';
import type { ServiceModel } from '../../model/types.js';
import { recogniseResources } from '../resources.js';
import { BuildContext } from './context.js';
import { buildOperations } from './operations.js';
import { buildComponentSchemas } from './schemas.js';
import { buildSecurity } from './security.js';

/** Builds the service model from a loaded OpenAPI document. */
export function buildFromOpenAPI(loaded: LoadedOpenAPI, serviceName: string): ServiceModel {
  const ctx = new BuildContext(loaded.document, loaded.source);
  buildComponentSchemas(ctx);
  const security = buildSecurity(ctx);
  const operations = buildOperations(ctx, security);
  ctx.flushGrouped();
  const types = [...ctx.types.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const decl of types) {
    let owner = ctx.owners.get(decl.name);
    while (owner !== undefined && ctx.owners.has(owner)) owner = ctx.owners.get(owner);
    if (owner !== undefined && ctx.types.has(owner)) decl.inFileOf = owner;
  }
  const info = loaded.document.info ?? {};
  const model: ServiceModel = {
    name: serviceName,
    title: info.title ?? serviceName,
    version: info.version ?? '0.0.0',
    types,
    operations,
    resources: recogniseResources(operations, ctx.types, ctx.warnings),
    warnings: ctx.warnings,
    securitySchemes: security.schemes,
  };
  if (info.description) model.description = info.description.trim();
  ctx.locateWarnings();
  return model;
}

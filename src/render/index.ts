import type { ServiceModel } from '../model/types.js';
import type { Artifact } from './artifact.js';
import { renderCommand } from './go/command.js';
import { GoModel, type ServiceSettings } from './go/gomodel.js';
import { renderHandlers } from './go/handler.js';
import { renderHandlerTests } from './go/handlertests.js';
import { renderModels } from './go/models.js';
import { renderModelTests } from './go/modeltests.js';
import { renderRepositories } from './go/repository.js';
import { renderServiceLayer } from './go/service.js';
import { renderSqlRepositories } from './go/sql.js';
import { renderRepositoryTests } from './go/repotests.js';
import { renderCachedRepositories } from './go/cache.js';
import { projectContext } from './project.js';
import { renderTree } from './templates.js';
import { isShared, runtimePackageAt } from './runtimepkgs.js';
import { renderSecurity, type SecuredOperation } from './go/security.js';
import { renderSecurityTests } from './go/securitytests.js';
import { renderProtoService } from './proto/index.js';
import { renderAPITypes } from './go/api.js';
import { renderApiSnapshot } from './apisnapshot.js';
import { ownClientLayout, renderGoClient } from './go/client.js';
import { renderClientTests } from './go/clienttests.js';
import { renderClientsConfig, renderOtherClient, type OtherClient } from './go/otherclients.js';

export type { ServiceSettings } from './go/gomodel.js';

/**
 * Renders every file of the service from the model and the settings alone:
 * the static shell from `templates/service`, then the contract-derived Go code.
 * The result is sorted by path and free of duplicates.
 */
export function renderService(model: ServiceModel, given: ServiceSettings, clients: readonly OtherClient[] = []): Artifact[] {
  const settings: ServiceSettings = clients.length > 0 ? { ...given, otherClients: clients.map((c) => c.name) } : given;
  const gm = model.rpc ? undefined : new GoModel(model, settings);
  // In a platform, the shared runtime packages are its shared/pkg's, not the service's.
  const place = (path: string) => {
    const p = runtimePackageAt(path);
    return p && isShared(p, settings) ? undefined : path;
  };
  const others = [renderClientsConfig(clients, settings.module), ...clients.flatMap((c) => renderOtherClient(c, settings))];
  const artifacts = !gm
    ? [...renderTree('service', projectContext(model, settings), place), ...renderProtoService(model, settings), ...others]
    : [
    ...others,
    ...renderTree('service', projectContext(model, settings), place),
    ...renderModels(gm),
    ...renderModelTests(gm),
    ...renderAPITypes(gm),
    ...renderServiceLayer(gm),
    ...renderGoClient(gm, ownClientLayout(gm)),
    ...renderClientTests(gm, ownClientLayout(gm)),
    ...renderRepositories(gm),
    ...renderSqlRepositories(gm),
    ...renderRepositoryTests(gm),
    ...((settings.cache ?? 'off') !== 'off' ? renderCachedRepositories(gm) : []),
    ...renderHandlers(gm),
    ...renderHandlerTests(gm),
    ...renderCommand(gm),
    ...renderSecurity(model, settings, securedOperations(model), false),
    ...renderSecurityTests(model, settings, securedOperations(model), (f) => `${f.use(`${settings.module}/internal/handler`)}.New(nil).Routes()`),
  ];
  artifacts.push(renderApiSnapshot(model));
  const seen = new Map<string, Artifact>();
  for (const a of artifacts) {
    if (seen.has(a.path)) throw new Error(`internal error: two artifacts for ${a.path}`);
    seen.set(a.path, a);
  }
  return [...seen.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** The operations of an OpenAPI service as its routes name them, with their requirements and limits. */
function securedOperations(model: ServiceModel): SecuredOperation[] {
  return model.operations.map((o) => ({ name: o.name, security: o.security, ...(o.limits ? { limits: o.limits } : {}) }));
}

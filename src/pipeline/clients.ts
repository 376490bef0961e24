import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import { buildModel } from '../build/index.js';
import { loadContract } from '../load/index.js';
import { SETTINGS_PATH, type ClientSettings, type ProjectSettings } from '../project/settings.js';
import type { OtherClient } from '../render/go/otherclients.js';
import { gatewayModel } from '../render/proto/gatewaymodel.js';

/** A client contract's kind: as svc.yaml says, or from its extension. */
export function clientContractKind(c: ClientSettings): 'openapi' | 'proto' {
  return c.kind ?? (c.contract.endsWith('.proto') ? 'proto' : 'openapi');
}

/**
 * Loads the contract of every client of another service svc.yaml lists, from
 * paths relative to the service root, and builds its model. A missing file
 * or a bad contract is a one-line UserError naming it.
 */
export async function loadClients(settings: ProjectSettings, root: string): Promise<OtherClient[]> {
  const out: OtherClient[] = [];
  for (const [name, c] of Object.entries(settings.clients ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === settings.name) throw new UserError(`${SETTINGS_PATH}: clients.${name}: a service does not need a client of itself (its own is pkg/client)`);
    const path = resolve(root, c.contract);
    if (!existsSync(path)) throw new UserError(`${SETTINGS_PATH}: clients.${name}.contract: file not found: ${c.contract}`);
    const kind = clientContractKind(c);
    // In a platform, its root too: the other service's contract may import shared/proto/... .
    const platformRoot = settings.platform ? [resolve(root, settings.platform.root)] : [];
    const includes = kind === 'proto' ? (c.includes ?? []).map((i) => resolve(root, i)).concat(resolve(path, '..'), platformRoot) : undefined;
    const loaded = await loadContract(path, kind, undefined, c.contract, includes);
    // A proto service is called over its REST gateway: the model of the OpenAPI document it derives and serves.
    const model = await gatewayModel(buildModel(loaded, name));
    if (model.operations.length === 0) throw new UserError(`${c.contract}: the contract of client ${name} has no HTTP operations to call`);
    out.push({ name, model });
  }
  return out;
}

import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { ENVIRONMENTS } from '../../project/deploy.js';
import { callEdges, namespaceOf } from './facts.js';
import type { Platform } from './types.js';

/** Where the platform's Kubernetes infrastructure lives, relative to its root. */
export const INFRA_DIR = 'infrastructure/kubernetes';

/** The NetworkPolicy of one call, as the templates see it. */
interface EdgeContext {
  caller: string;
  callee: string;
  /** The callee's container port its HTTP API listens on (what the caller's client reaches). */
  port: number;
  /** Its file under infrastructure/kubernetes/policies/. */
  file: string;
}

/** The NetworkPolicy context of every call of the platform. */
export function edgePolicies(platform: Platform): EdgeContext[] {
  return callEdges(platform).map(({ caller, callee }) => ({
    caller: caller.name,
    callee: callee.name,
    port: callee.ports.http!,
    file: `${caller.name}-to-${callee.name}.yaml`,
  }));
}

/**
 * infrastructure/kubernetes/: a namespace per environment (Pod Security
 * "restricted" enforced) and the network policies between the services, one
 * per call; each environment's folder is a kustomization the overlay in
 * deployments/<env> includes.
 */
export function renderInfrastructure(platform: Platform): Artifact[] {
  const edges = edgePolicies(platform);
  const out: Artifact[] = [];
  for (const env of ENVIRONMENTS) {
    const ctx = { name: platform.name, edges, env: { name: env, namespace: namespaceOf(platform, env) } };
    out.push(artifact(`${INFRA_DIR}/${env}/kustomization.yaml`, renderTemplate('platform/infrastructure/kustomization.yaml.hbs', ctx)));
    out.push(artifact(`${INFRA_DIR}/${env}/namespace.yaml`, renderTemplate('platform/infrastructure/namespace.yaml.hbs', ctx)));
  }
  if (edges.length > 0) {
    out.push(artifact(`${INFRA_DIR}/policies/kustomization.yaml`, renderTemplate('platform/infrastructure/policies.yaml.hbs', { name: platform.name, edges })));
    for (const e of edges) out.push(artifact(`${INFRA_DIR}/policies/${e.file}`, renderTemplate('platform/infrastructure/edge.yaml.hbs', e)));
  }
  return out;
}

import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { ENVIRONMENTS } from '../../project/deploy.js';
import { envSizing, envTag, namespaceOf, type PlatformFiles } from './facts.js';

/**
 * deployments/<env>/: one kustomize overlay per environment that composes
 * every service's base (services/<name>/deployments/base) with the platform's
 * namespace and network policies (infrastructure/kubernetes/<env>).
 *
 *   kustomization.yaml      generated: what the environment is made of
 *   defaults/               generated component: image tags, replicas,
 *                           autoscaling bounds, resources, log level
 *   custom/                 the user's component, created once, applied last
 *
 * Both components run before the overlay's own transformers; the overlay
 * itself sets only the namespace and labels, so what custom/ sets wins over
 * defaults/ and nothing the generator rewrites overrides it.
 */
export function renderDeployments(platform: PlatformFiles): Artifact[] {
  const out: Artifact[] = [];
  for (const env of ENVIRONMENTS) {
    const ctx = {
      name: platform.name,
      env: { name: env, namespace: namespaceOf(platform, env) },
      example: platform.services[0]?.name ?? 'my-service',
      exampleImage: platform.services[0]?.image ?? 'registry.example.com/my-service',
      services: platform.services.map((s) => ({
        name: s.name,
        dir: s.dir,
        image: s.image,
        envPrefix: s.envPrefix,
        tag: envTag(s, env),
        sizing: envSizing(s, env),
      })),
    };
    out.push(artifact(`deployments/${env}/kustomization.yaml`, renderTemplate('platform/deployments/kustomization.yaml.hbs', ctx)));
    out.push(artifact(`deployments/${env}/defaults/kustomization.yaml`, renderTemplate('platform/deployments/defaults.yaml.hbs', ctx)));
    out.push(artifact(`deployments/${env}/custom/kustomization.yaml`, renderTemplate('platform/deployments/custom.yaml.hbs', ctx)));
  }
  return out;
}

import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { ENVIRONMENTS } from '../../project/deploy.js';
import { namespaceOf } from './facts.js';
import type { Platform } from './types.js';

/** The root README.md: the tree explained and how to work on it; the user's, created once. */
export function renderReadme(platform: Platform): Artifact {
  const ctx = {
    name: platform.name,
    module: platform.module,
    example: platform.services[0]?.name ?? 'SERVICE',
    services: platform.services.map((s) => ({
      name: s.name,
      dir: s.dir,
      api: s.grpc ? 'HTTP, gRPC' : 'HTTP',
      data: s.database === 'sql' ? 'SQL (its own database)' : 'in memory',
      calls: s.calls.length > 0 ? s.calls.join(', ') : '-',
    })),
    envs: ENVIRONMENTS.map((env) => ({ name: env, namespace: namespaceOf(platform, env) })),
  };
  return artifact('README.md', renderTemplate('platform/README.md.hbs', ctx));
}

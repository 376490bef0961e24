import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { renderCompose } from './compose.js';
import { renderDeployments } from './deployments.js';
import { checkPlatform, type PlatformFiles } from './facts.js';
import { renderInfrastructure } from './infra.js';
import { renderMakefile } from './makefile.js';
import { renderReadme } from './readme.js';
import { renderWorkflow } from './workflow.js';
import type { Platform } from './types.js';

/**
 * The root files of a platform, rendered from its description alone: paths
 * are relative to the platform root; each file's owner follows from its first
 * line (generated files carry svc's header, the README and the per-environment
 * custom/ components are the user's, created once).
 *
 *   docker-compose.yml, deployments/compose/**      the local stack
 *   deployments/<env>/**                            one kustomize overlay per environment
 *   infrastructure/kubernetes/**                    namespaces, network policies per call
 *   Makefile, README.md, .dockerignore, .github/workflows/ci.yml
 *
 * Throws a UserError when the description is inconsistent (a call to an
 * unknown service, a name that is not a DNS label, ...).
 */
export function renderPlatformFiles(platform: Platform): Artifact[] {
  checkPlatform(platform);
  const p = platform as PlatformFiles;
  return [
    ...renderCompose(p),
    ...renderDeployments(p),
    ...renderInfrastructure(p),
    renderMakefile(p),
    renderReadme(p),
    renderWorkflow(p),
    artifact('.dockerignore', renderTemplate('platform/_dot_dockerignore.hbs', { name: p.name })),
  ];
}

export type { PlatformFiles, PlatformServiceFiles } from './facts.js';

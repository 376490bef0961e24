import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import type { Platform } from './types.js';

/**
 * The root Makefile (generated): whole-platform targets (build, test, lint,
 * images, tidy) that run each module's in turn through the Go workspace, one
 * set of targets per service (build-<name>, test-<name>, lint-<name>,
 * run-<name>, image-<name>), `run SERVICE=...`, `k8s ENV=...`, `deploy ENV=...`
 * and the local stack (up, down, logs).
 */
export function renderMakefile(platform: Platform): Artifact {
  const ctx = {
    name: platform.name,
    example: platform.services[0]?.name ?? 'SERVICE',
    services: platform.services.map((s) => ({ name: s.name, dir: s.dir, image: s.image })),
  };
  return artifact('Makefile', renderTemplate('platform/Makefile.hbs', ctx));
}

import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import type { Platform } from './types.js';
import { GOLANGCI_LINT_VERSION } from '../../tools/pins.js';

/**
 * The golangci-lint release the platform's CI runs: the one svc's own tests
 * lint generated services with (scripts/setup.sh), so the services'
 * .golangci.yml and nolint comments are known to it.
 */
export const CI_GOLANGCI_LINT = GOLANGCI_LINT_VERSION;

/** Where GitHub Actions finds the workflow, relative to the platform root. */
export const WORKFLOW_PATH = '.github/workflows/ci.yml';

/**
 * .github/workflows/ci.yml (generated): a first job compares the change with
 * its base commit and picks the services it touches (every one when shared/,
 * the root module, go.work or the workflow changes); a matrix job builds,
 * vets, tests, lints and builds the image of each picked service.
 */
export function renderWorkflow(platform: Platform): Artifact {
  const ctx = {
    name: platform.name,
    allJson: JSON.stringify(platform.services.map((s) => s.name)),
    golangciLint: CI_GOLANGCI_LINT,
  };
  return artifact(WORKFLOW_PATH, renderTemplate('platform/github/ci.yml.hbs', ctx));
}

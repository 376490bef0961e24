import type { ServiceModel } from '../model/types.js';
import type { Artifact } from './artifact.js';
import type { Target } from './target.js';
import { renderService, type ServiceSettings } from './index.js';
import { GoModel } from './go/gomodel.js';
import { ownClientLayout, renderGoClient } from './go/client.js';
import { renderOtherClient, type OtherClient } from './go/otherclients.js';
import type { ProjectSettings } from '../project/settings.js';
import { renderHelmChart, type HelmChartOptions } from './helm/chart.js';

/** What the Go service target renders from. */
export interface ServiceInput {
  model: ServiceModel;
  settings: ServiceSettings;
  clients?: readonly OtherClient[];
}

/**
 * The Go service: the static shell (templates), the contract-derived Go
 * code, and the clients of other services svc.yaml lists. What a person
 * writes is theirs; everything derived from the contract is the generator's.
 */
export const goServiceTarget: Target<ServiceInput> = {
  name: 'go-service',
  summary: 'a Go service from its contract (svc new, svc gen api)',
  root: 'service',
  files: [
    { pattern: 'svc.yaml', when: 'always: the settings svc reads, kept up to date by svc', owner: 'user' },
    { pattern: '{go.mod,README.md,.gitignore,.golangci.yml,configs/config.yaml,docs/architecture.md,scripts/smoke.sh}', when: 'once, when the service is created', owner: 'user' },
    { pattern: '{internal/config/app.go,internal/auth/custom.go}', when: "once: the service's own settings and its hook into authentication", owner: 'user' },
    { pattern: 'internal/service/*.gen.go', when: 'always: the API, the repositories, the CRUD helpers and the events', owner: 'generated' },
    { pattern: 'internal/service/*.go', when: 'once per operation and per received event (its business logic), and service.go', owner: 'user' },
    { pattern: 'migrations/{sqlite,postgres}/*.sql', when: "once per change of a resource's table", owner: 'user' },
    { pattern: '*proto/**.proto', when: 'once, for the starter: the contract itself', owner: 'user' },
    { pattern: '*proto/openapi/*.{yaml,json}', when: 'once, for the starter: the contract itself', owner: 'user', contract: 'openapi' },
    { pattern: '*proto/asyncapi.yaml', when: 'once, when svc new finds one beside the contract: the events the service sends and receives', owner: 'user' },
    { pattern: 'deployments/{dev,staging,prod}/svc/**', when: "always: what svc.yaml says of the environment, a component its overlay includes (svc gen k8s)", owner: 'generated' },
    { pattern: 'deployments/{dev,staging,prod}/**', when: 'once per environment: its overlay (svc gen k8s)', owner: 'user' },
    { pattern: '.svc/api.yaml', when: 'always: the API the service is generated for, which `svc lint` compares the contract with', owner: 'generated' },
    { pattern: '**', when: 'always: the runtime, the code derived from the contract, its tests and the base manifests', owner: 'generated' },
  ],
  render: (i) => renderService(i.model, i.settings, i.clients ?? []),
};

/** The service's own typed Go client: part of every OpenAPI service, and what `svc gen client` refreshes. */
export const goClientTarget: Target<{ model: ServiceModel; settings: ServiceSettings }> = {
  name: 'go-client',
  summary: "a service's own typed Go client, pkg/client (svc gen client)",
  root: 'service',
  files: [{ pattern: 'pkg/client/*.gen.go', when: 'always, for an OpenAPI contract: the client, one file per group of operations, credentials and parameter helpers', owner: 'generated' }],
  render: (i) => {
    const gm = new GoModel(i.model, i.settings);
    return renderGoClient(gm, ownClientLayout(gm));
  },
};

/** A typed client of another service, from its contract (svc.yaml clients, svc gen client --contract). */
export const goOtherClientTarget: Target<{ client: OtherClient; settings: ServiceSettings }> = {
  name: 'go-other-client',
  summary: "a client of another service in internal/client/<name>, with that service's models and api",
  root: 'service',
  files: [{ pattern: 'internal/client/*/**', when: 'always, for each client svc.yaml lists', owner: 'generated' }],
  render: (i) => renderOtherClient(i.client, i.settings),
};

/**
 * A service's Helm chart (svc gen helm; in a platform, infrastructure/helm/<service>):
 * static templates, the service's facts in values.yaml, and the environments'
 * values, which are the user's like the kustomize overlays.
 */
export const helmChartTarget: Target<{ model: ServiceModel; settings: ProjectSettings; options?: HelmChartOptions }> = {
  name: 'helm-chart',
  summary: "a service's Helm chart in charts/<name> (svc gen helm)",
  root: 'service',
  files: [
    { pattern: 'charts/*/values-{dev,staging,prod}.yaml', when: 'once per environment, from svc.yaml deploy.environments', owner: 'user' },
    { pattern: 'charts/*/templates/NOTES.txt', when: 'once: what helm prints after an install', owner: 'user' },
    { pattern: 'charts/*/{Chart.yaml,values.yaml,templates/*.yaml,templates/_helpers.tpl}', when: 'always: the chart, its templates and the service\'s facts', owner: 'generated' },
  ],
  render: (i) => renderHelmChart(i.model, i.settings, i.options ?? {}),
};

/**
 * A platform's root (svc new --monorepo, svc add service, svc gen api at the
 * root): the shared runtime, the workspace and the files over every
 * service. Its services are go-service targets under services/<name>.
 */
export const platformRootTarget: Target<{ root: Artifact[] }> = {
  name: 'platform-root',
  summary: "a platform's root: shared/pkg, go.work, compose, overlays, namespaces, charts, Makefile, CI",
  root: 'service',
  files: [
    { pattern: 'svc.yaml', when: 'always: the platform settings svc reads', owner: 'user' },
    { pattern: '{go.mod,README.md,.gitignore,.golangci.yml,shared/proto/README.md}', when: 'once, when the platform is created', owner: 'user' },
    { pattern: 'deployments/{dev,staging,prod}/custom/kustomization.yaml', when: "once per environment: the user's own patches, applied last", owner: 'user' },
    { pattern: 'infrastructure/helm/*/{values-dev.yaml,values-staging.yaml,values-prod.yaml,templates/NOTES.txt}', when: "once per chart: the environments' values and the notes", owner: 'user' },
    { pattern: '**', when: 'always: the shared runtime, go.work, compose, overlays, namespaces, policies, charts, Makefile and CI', owner: 'generated' },
  ],
  // The pipeline renders the root from the services it reads (src/pipeline/platform.ts renderPlatformRoot).
  render: (i) => i.root,
};

export { TS_SDK_TARGET as tsSdkTarget } from './ts/index.js';

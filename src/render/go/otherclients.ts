import type { ServiceModel } from '../../model/types.js';
import { artifact, type Artifact } from '../artifact.js';
import { renderTemplate } from '../templates.js';
import { comment, GoFile } from './gofile.js';
import { GoModel, type ServiceSettings } from './gomodel.js';
import { renderModels } from './models.js';
import { renderAPITypes } from './api.js';
import { credentialConstructors, credentialKind, renderGoClient, type ClientLayout } from './client.js';
import { exportedName, goString } from './naming.js';
import { schemeNames } from './security.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** A client of another service that svc.yaml asks for: its name and the model of its contract. */
export interface OtherClient {
  /** The client's name in svc.yaml, a Go package name: `user`. */
  name: string;
  model: ServiceModel;
}

/** The folder of a client of another service. */
export function otherClientDir(name: string): string {
  return `internal/client/${name}`;
}

/** The hand-written helpers of package models that generated models need, rendered for a client's own models package. */
const MODELS_RUNTIME = ['request.go', 'validation.go', 'bodyscan.go'];

/**
 * A typed client of another service in `internal/client/<name>/`, from that
 * service's contract: its types (`models/`), its request and response types
 * (`api/`), the client itself, and NewFromConfig, which builds it from the
 * caller's config (clients.<name>) and secrets.
 */
export function renderOtherClient(other: OtherClient, settings: ServiceSettings): Artifact[] {
  const dir = otherClientDir(other.name);
  const gm = new GoModel(other.model, { ...settings, name: other.name }, { models: `${dir}/models`, api: `${dir}/api` });
  const layout: ClientLayout = { dir, pkg: other.name, service: other.name, runtime: runtimeImport(settings, 'httpclient') };
  const runtime = MODELS_RUNTIME.map((file) => artifact(`${dir}/models/${file}`, renderTemplate(`service/pkg/models/${file}.hbs`, { proto: false })));
  return [...renderModels(gm), ...runtime, ...renderAPITypes(gm), ...renderGoClient(gm, layout), renderFromConfig(gm, layout, settings)];
}

/** `internal/client/<name>/config.gen.go`: the client as the caller's config and secrets describe it. */
function renderFromConfig(gm: GoModel, layout: ClientLayout, settings: ServiceSettings): Artifact {
  const f = new GoFile(`${layout.dir}/config.gen.go`, layout.pkg);
  const rt = f.use(layout.runtime);
  const config = f.use(`${settings.module}/internal/config`);
  const key = `clients.${layout.pkg}`;
  f.add(
    ...comment(`NewFromConfig returns a client of the ${layout.service} service as cfg (${key}) sets it up, presenting the credentials its secrets hold; opts come last and win (WithMetrics, WithRequestID...).`),
    `func NewFromConfig(cfg ${config}.Client, opts ...${rt}.Option) (*Client, error) {`,
    `\thc := ${rt}.DefaultConfig()`,
    '\thc.BaseURL = cfg.URL',
    '\thc.Timeout = cfg.Timeout',
    '\thc.Retry.MaxAttempts = cfg.MaxAttempts',
    '\thc.Breaker.FailureThreshold = cfg.BreakerFailures',
    '\thc.Breaker.OpenTimeout = cfg.BreakerOpen',
    '\thc.MaxIdleConnsPerHost = cfg.MaxIdleConnsPerHost',
    '\tcreds, err := credentials()',
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    `\tbase := []${rt}.Option{${rt}.WithName(${goString(layout.pkg)}), ${rt}.WithCredentials(creds...)}`,
    '\treturn New(hc, append(base, opts...)...)',
    '}',
  );
  const lines: string[] = [];
  const ctors = credentialConstructors(gm.model.securitySchemes);
  const usable = schemeNames(gm.model).filter((n) => credentialKind(n.scheme) !== undefined);
  for (const n of usable) {
    const secret = `${key}.${n.key}`;
    const ctor = ctors.get(n.scheme)!;
    lines.push(`\tv, err ${lines.length === 0 ? ':=' : '='} ${config}.OptionalSecret(${goString(secret)})`, '\tif err != nil {', '\t\treturn nil, err', '\t}', '\tif v != "" {');
    if (n.scheme.kind === 'basic') {
      const strings = f.use('strings');
      const fmt = f.use('fmt');
      lines.push(
        `\t\tuser, password, ok := ${strings}.Cut(v, ":")`,
        '\t\tif !ok {',
        `\t\t\treturn nil, ${fmt}.Errorf("config: secret ${secret} must be user:password")`,
        '\t\t}',
        `\t\tcreds = append(creds, ${ctor}(user, password))`,
      );
    } else lines.push(`\t\tcreds = append(creds, ${ctor}(v))`);
    lines.push('\t}');
  }
  f.add(
    ...comment(
      `credentials reads the secret of each security scheme of the ${layout.service} service (see config.SecretFromEnvOrFile: ${usable.map((n) => `${key}.${n.key}`).join(', ') || 'it declares none'}); a scheme whose secret is not set is not presented.`,
    ),
    `func credentials() ([]${rt}.Credential, error) {`,
    `\tvar creds []${rt}.Credential`,
    ...lines,
    '\treturn creds, nil',
    '}',
  );
  return f.toArtifact(localImportPrefix(settings));
}

/**
 * `internal/config/clients.gen.go`: one Client section per client of another
 * service, under clients.<name>, its URL defaulting to the service's name in
 * the cluster's DNS.
 */
export function renderClientsConfig(clients: readonly OtherClient[], module: string): Artifact {
  const f = new GoFile('internal/config/clients.gen.go', 'config');
  const fields = clients.map((c) => [...comment(`${exportedName(c.name)} configures the client of the ${c.name} service.`, '\t'), `\t${exportedName(c.name)} Client \`mapstructure:"${c.name}"\``]);
  f.add(
    '// Clients configures the typed clients of other services that svc.yaml',
    '// lists, under clients.<name>.',
    ...(fields.length === 0 ? ['type Clients struct{}'] : ['type Clients struct {', ...fields.flatMap((l, i) => (i > 0 ? ['', ...l] : l)), '}']),
  );
  if (clients.length === 0) {
    f.add('// clientsDefaults adds the default of every clients key to d.', 'func clientsDefaults(map[string]any) {}');
    f.add('// validate checks the settings of every client.', 'func (Clients) validate() error {', '\treturn nil', '}');
    return f.toArtifact(module);
  }
  f.add(
    '// clientsDefaults adds the default of every clients key to d.',
    'func clientsDefaults(d map[string]any) {',
    '\tfor name, url := range map[string]string{',
    ...clients.map((c) => `\t\t${goString(c.name)}:\v${goString(`http://${c.name}`)},`),
    '\t} {',
    '\t\tfor k, v := range ClientDefaults(url) {',
    '\t\t\td["clients."+name+"."+k] = v',
    '\t\t}',
    '\t}',
    '}',
  );
  f.add(
    '// validate checks the settings of every client.',
    'func (c Clients) validate() error {',
    ...clients.flatMap((c) => [`\tif err := c.${exportedName(c.name)}.validate(${goString(`clients.${c.name}`)}); err != nil {`, '\t\treturn err', '\t}']),
    '\treturn nil',
    '}',
  );
  return f.toArtifact(module);
}

import type { GoFile } from './gofile.js';
import { exportedName, goString } from './naming.js';
import { runtimeImport, type RuntimePlacement } from '../runtimepkgs.js';

/** Where a service's wiring lives: its module and where its runtime packages are. */
type Where = RuntimePlacement & { module: string };

/** The parameter newHandler / newAPI take for the clients' metrics, when there are clients. */
export function clientsMetricsParam(where: Where, f: GoFile, clients: readonly string[]): string {
  return clients.length === 0 ? '' : `, m *${f.use(runtimeImport(where, 'metrics'))}.Metrics`;
}

/** The statements building `clients` at the top of newHandler / newAPI, returning `onError` on failure. */
export function buildClients(clients: readonly string[], onError: string): string[] {
  return clients.length === 0 ? [] : ['\tclients, err := newClients(cfg, m)', '\tif err != nil {', `\t\treturn ${onError}`, '\t}'];
}

/**
 * newClients in wire.go: each client of another service from its config,
 * passing on the request ID and the trace context, with its metrics on the
 * service's registry (none when metrics are off).
 */
export function renderNewClients(where: Where, f: GoFile, config: string, clients: readonly string[]): void {
  if (clients.length === 0) return;
  const svc = f.use(`${where.module}/internal/service`);
  const httpclient = f.use(runtimeImport(where, 'httpclient'));
  const logging = f.use(runtimeImport(where, 'logging'));
  const metrics = f.use(runtimeImport(where, 'metrics'));
  const fmt = f.use('fmt');
  f.add(
    '// newClients builds the typed clients of the other services svc.yaml lists',
    '// from cfg.Clients; each call carries the request ID and the trace context,',
    '// and their metrics join the service\'s registry m (nil: metrics are off).',
    `func newClients(cfg *${config}.Config, m *${metrics}.Metrics) (${svc}.Clients, error) {`,
    `\topts := []${httpclient}.Option{${httpclient}.WithRequestID(${logging}.RequestIDFrom)}`,
    '\tif m != nil {',
    `\t\topts = append(opts, ${httpclient}.WithMetrics(m.Registry()))`,
    '\t}',
    `\tvar c ${svc}.Clients`,
    '\tvar err error',
    ...[...clients].sort().flatMap((name) => [
      `\tif c.${exportedName(name)}, err = ${f.use(`${where.module}/internal/client/${name}`)}.NewFromConfig(cfg.Clients.${exportedName(name)}, opts...); err != nil {`,
      `\t\treturn c, ${fmt}.Errorf("build the client of %s: %w", ${goString(name)}, err)`,
      '\t}',
    ]),
    '\treturn c, nil',
    '}',
  );
}

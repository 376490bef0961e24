import type { ServiceModel } from '../model/types.js';
import { pascal } from '../model/names.js';
import type { ServiceSettings } from './go/gomodel.js';
import { isFormBody } from './go/handler.js';
import { exportedName, packageName } from './go/naming.js';
import { envPrefixOf, runtimeContext } from './runtime.js';
import { databaseContext } from './database.js';

/** Versions of the Go modules generated services depend on; bumped deliberately, with the fixtures. */
export const GO_DEPENDENCIES = {
  'github.com/fsnotify/fsnotify': 'v1.7.0',
  'github.com/google/uuid': 'v1.6.0',
  // The last releases that build with Go 1.22 (later ones require Go 1.23).
  'github.com/jackc/pgx/v5': 'v5.7.4',
  'github.com/pressly/goose/v3': 'v3.24.1',
  'github.com/prometheus/client_golang': 'v1.20.5',
  'github.com/spf13/pflag': 'v1.0.5',
  'github.com/spf13/viper': 'v1.19.0',
  'go.opentelemetry.io/otel': 'v1.31.0',
  'go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp': 'v1.31.0',
  'go.opentelemetry.io/otel/sdk': 'v1.31.0',
  'go.opentelemetry.io/otel/trace': 'v1.31.0',
  'go.uber.org/zap': 'v1.27.0',
  'modernc.org/sqlite': 'v1.36.1',
} as const;

export const GO_VERSION = '1.22';

/** What the static templates of `templates/service` see. */
export function projectContext(model: ServiceModel, settings: ServiceSettings) {
  return {
    name: settings.name,
    Name: pascal(settings.name),
    pkg: packageName(settings.name),
    module: settings.module,
    envPrefix: envPrefixOf(settings.name),
    runtime: runtimeContext(settings.name),
    title: model.title,
    description: model.description ?? '',
    version: model.version,
    contract: settings.contract,
    contractKind: settings.contractKind,
    goVersion: GO_VERSION,
    requires: Object.entries(GO_DEPENDENCIES).map(([path, version]) => ({ path, version })),
    resources: model.resources.map((r) => ({ name: r.name, plural: r.plural, Go: exportedName(r.entity) })),
    operations: model.operations.map((o) => ({ method: o.method, path: o.path, name: o.name, summary: o.summary ?? '' })),
    hasResources: model.resources.length > 0,
    hasForms: model.operations.some(isFormBody),
    database: databaseContext(model, settings.name, settings.database),
  };
}

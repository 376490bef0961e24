import type { FileSystem } from '../fs/types.js';
import type { ServiceModel } from '../model/types.js';
import type { ProjectSettings } from '../project/settings.js';
import type { Artifact } from '../render/artifact.js';
import { usesSql } from '../render/database.js';
import { GO_DEPENDENCIES } from '../render/project.js';
import { migrationsDir, parseState, planMigrations, SCHEMA_STATE_PATH } from '../render/sql/migrations.js';
import { DIALECTS, schemaOf, type Dialect } from '../render/sql/schema.js';

/**
 * The migration files a run adds and the schema record it updates, decided
 * from what is already on the file system (the record and the migrations
 * written so far), for a service that keeps its data in SQL.
 */
export async function migrationArtifacts(model: ServiceModel, settings: ProjectSettings, fs: FileSystem): Promise<{ artifacts: Artifact[]; warnings: string[] }> {
  if (!usesSql(model, settings.features.database)) return { artifacts: [], warnings: [] };
  const existing = {} as Record<Dialect, string[]>;
  for (const d of DIALECTS) existing[d] = (await fs.list(migrationsDir(d))).filter((f) => f.endsWith('.sql'));
  const text = await fs.read(SCHEMA_STATE_PATH);
  if (text === undefined && DIALECTS.some((d) => existing[d].length > 0)) {
    return {
      artifacts: [],
      warnings: [`${SCHEMA_STATE_PATH} is missing but migrations exist, so svc cannot tell what they create and wrote no new migration; restore the file from version control`],
    };
  }
  const plan = planMigrations(settings.name, schemaOf(model), text === undefined ? undefined : parseState(text), existing);
  return { artifacts: plan.artifacts, warnings: [...plan.warnings, ...(await missingModules(fs))] };
}

/** The modules the SQL layer needs, when the service's go.mod (which is the user's) lacks them. */
async function missingModules(fs: FileSystem): Promise<string[]> {
  const goMod = await fs.read('go.mod');
  if (goMod === undefined) return [];
  const missing = SQL_MODULES.filter((m) => !goMod.includes(`${m} `));
  if (missing.length === 0) return [];
  const pinned = missing.map((m) => `${m}@${GO_DEPENDENCIES[m]}`).join(' ');
  return [`go.mod lacks the database drivers and migration library; add the versions svc is tested with: go get ${pinned}`];
}

const SQL_MODULES = ['github.com/jackc/pgx/v5', 'github.com/pressly/goose/v3', 'modernc.org/sqlite'] as const;

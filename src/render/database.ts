import type { ServiceModel } from '../model/types.js';
import { envVarOf } from './runtime.js';

/**
 * The database facts of a generated service that its Go code, its config
 * file and its deployment all depend on.
 */

/** Folder, relative to the working directory, of the default SQLite file. */
export const SQLITE_DIR = 'data';

/**
 * Whether the service keeps its data in SQL (SQLite or PostgreSQL, chosen at
 * run time). A service without resources has nothing to store and no database.
 * `database` is svc.yaml's features.database; absent means the default, sql.
 */
export function usesSql(model: ServiceModel, database: string | undefined): boolean {
  return (database ?? 'sql') === 'sql' && model.resources.length > 0;
}

/** The variable the generated tests read to run against a real PostgreSQL. */
export const TEST_DATABASE_URL_ENV = 'DATABASE_URL';

/** What templates see as `database`. */
export function databaseContext(model: ServiceModel, name: string, database: string | undefined) {
  return {
    sql: usesSql(model, database),
    sqliteDir: SQLITE_DIR,
    sqlitePath: `${SQLITE_DIR}/${name}.db`,
    /** The secret holding the DSN: this variable, or a file named by it + `_FILE`. */
    dsnEnv: envVarOf(name, 'database.dsn'),
    driverEnv: envVarOf(name, 'database.driver'),
    testUrlEnv: TEST_DATABASE_URL_ENV,
  };
}

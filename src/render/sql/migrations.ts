import { parse, stringify } from 'yaml';
import { UserError } from '../../errors.js';
import { HASH_GENERATED_HEADER, artifact, type Artifact } from '../artifact.js';
import { COLUMN_TYPES, DIALECTS, RUNTIME_TABLES, columnDefinition, ident, sqlType, type Column, type ColumnType, type Dialect, type Index, type Table } from './schema.js';

/**
 * SQL migrations, one folder per dialect (`migrations/sqlite`,
 * `migrations/postgres`), in goose's format. The generator writes a migration
 * only for what changed since the schema it last emitted, which it records in
 * `.svc/schema.yaml`; migration files belong to the user once written and are
 * never rewritten.
 */

export const MIGRATIONS_DIR = 'migrations';
export const SCHEMA_STATE_PATH = '.svc/schema.yaml';

/** What the migrations written so far create: per table, its columns; and the secondary indexes. */
export interface SchemaState {
  tables: { name: string; columns: Omit<Column, 'field' | 'default'>[] }[];
  /** Absent in records written before svc created indexes. */
  indexes?: StateIndex[];
}

/** A secondary index as the state records it: on which table. */
export interface StateIndex extends Index {
  table: string;
}

/** An index as the state file spells it: `table (a, b) WHERE predicate`. */
function indexText(i: StateIndex): string {
  return `${i.table} (${i.columns.join(', ')})${i.where ? ` WHERE ${i.where}` : ''}`;
}

export function migrationsDir(dialect: Dialect): string {
  return `${MIGRATIONS_DIR}/${dialect}`;
}

export function serializeState(state: SchemaState): string {
  const tables = Object.fromEntries(
    state.tables.map((t) => [t.name, t.columns.map((c) => [c.name, c.type, c.notNull ? 'not null' : '', c.primaryKey ? 'primary key' : ''].filter(Boolean).join(' '))]),
  );
  const indexes = state.indexes?.length ? Object.fromEntries(state.indexes.map((i) => [i.name, indexText(i)])) : undefined;
  return [
    HASH_GENERATED_HEADER,
    '#',
    '# The database schema that the migrations in migrations/ build, as svc last',
    '# wrote them. `svc gen api` compares it with the contract and writes a new',
    '# migration for the difference; it never rewrites a migration. Keep this file',
    '# under version control with the migrations.',
    stringify(indexes ? { tables, indexes } : { tables }, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}

export function parseState(text: string): SchemaState {
  const bad = (why: string) => new UserError(`${SCHEMA_STATE_PATH}: ${why}; restore it from version control (or delete it to start the migrations afresh)`);
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw bad(`invalid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const tables = (data as { tables?: unknown } | null)?.tables;
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) throw bad('expected a "tables" mapping');
  const state: SchemaState = { tables: [] };
  for (const [name, cols] of Object.entries(tables)) {
    if (!Array.isArray(cols)) throw bad(`table ${name}: expected a list of columns`);
    const columns = cols.map((c) => {
      const m = typeof c === 'string' ? /^(\S+) (\S+)( not null)?( primary key)?$/.exec(c) : null;
      if (!m || !COLUMN_TYPES.includes(m[2] as ColumnType)) throw bad(`table ${name}: cannot read column "${String(c)}"`);
      return { name: m[1]!, type: m[2] as ColumnType, notNull: m[3] !== undefined, primaryKey: m[4] !== undefined };
    });
    state.tables.push({ name, columns });
  }
  const indexes = (data as { indexes?: unknown }).indexes;
  if (indexes !== undefined && indexes !== null) {
    if (typeof indexes !== 'object' || Array.isArray(indexes)) throw bad('expected "indexes" to be a mapping');
    state.indexes = Object.entries(indexes).map(([name, def]) => {
      const m = typeof def === 'string' ? /^(\S+) \(([^()]+)\)(?: WHERE (.+))?$/.exec(def) : null;
      if (!m) throw bad(`index ${name}: cannot read "${String(def)}"`);
      const index: StateIndex = { name, table: m[1]!, columns: m[2]!.split(',').map((c) => c.trim()) };
      if (m[3] !== undefined) index.where = m[3];
      return index;
    });
  }
  return state;
}

/** What one migration does, before a dialect spells it. */
interface Change {
  creates: Table[];
  adds: { table: string; columns: Column[] }[];
  /** Columns whose type widens, keeping every value: `from` is the type before. */
  widens: { table: string; column: Column; from: ColumnType }[];
  /** Indexes to create, after the tables and columns. */
  indexes: StateIndex[];
}

/**
 * Type changes that keep every stored value, which svc migrates by itself
 * (an integer field that becomes int64 or a number); any other conversion
 * is the user's call.
 */
const WIDENINGS: Partial<Record<ColumnType, readonly ColumnType[]>> = {
  integer: ['bigint', 'double'],
  bigint: ['double'],
  real: ['double'],
};

export interface MigrationPlan {
  /** The new migration files (none when the schema is unchanged) and the updated state file. */
  artifacts: Artifact[];
  /** Changes the generator does not migrate by itself (removed or retyped fields). */
  warnings: string[];
}

/**
 * Compares the tables the model needs, and the runtime's (RUNTIME_TABLES),
 * with the recorded state and writes the next migration for each dialect:
 * CREATE TABLE for new resources, ADD COLUMN for new fields, ALTER COLUMN ...
 * TYPE for a type that widens (WIDENINGS), CREATE INDEX for new indexes.
 * Removed, otherwise retyped or re-constrained fields are reported, not
 * migrated: dropping or converting data is the user's call. So a service
 * that predates a runtime table gets it in its next migration.
 *
 * `existing` holds the file names already in each dialect's folder, so the
 * new migration takes the next free version number.
 */
export function planMigrations(serviceName: string, resourceTables: readonly Table[], previous: SchemaState | undefined, existing: Record<Dialect, readonly string[]>): MigrationPlan {
  for (const t of resourceTables) {
    if (RUNTIME_TABLES.some((r) => r.name === t.name)) {
      throw new UserError(`the ${t.resource} resource's table would be ${t.name}, which svc's runtime keeps for itself; rename the resource`);
    }
  }
  const tables = [...resourceTables, ...RUNTIME_TABLES];
  const warnings: string[] = [];
  const change: Change = { creates: [], adds: [], widens: [], indexes: [] };
  const state: SchemaState = {
    tables: (previous?.tables ?? []).map((t) => ({ name: t.name, columns: [...t.columns] })),
    indexes: (previous?.indexes ?? []).map((i) => ({ ...i, columns: [...i.columns] })),
  };
  const stateColumn = (c: Column) => ({ name: c.name, type: c.type, notNull: c.notNull, primaryKey: c.primaryKey });

  for (const table of tables) {
    const known = state.tables.find((t) => t.name === table.name);
    if (!known) {
      change.creates.push(table);
      state.tables.push({ name: table.name, columns: table.columns.map(stateColumn) });
      continue;
    }
    const added: Column[] = [];
    for (const c of table.columns) {
      const old = known.columns.find((k) => k.name === c.name);
      if (!old) {
        added.push(c);
        known.columns.push(stateColumn(c));
      } else if (old.type !== c.type && !old.primaryKey && WIDENINGS[old.type]?.includes(c.type)) {
        change.widens.push({ table: table.name, column: c, from: old.type });
        known.columns[known.columns.indexOf(old)] = { ...old, type: c.type };
      } else if (old.type !== c.type) {
        warnings.push(`${table.name}.${c.name}: the contract now makes it ${c.type}, the database has ${old.type}; svc does not convert columns: write a migration for it in ${MIGRATIONS_DIR}/`);
      } else if (old.notNull && !c.notNull) {
        warnings.push(`${table.name}.${c.name}: the field became optional but the column is NOT NULL; write a migration that drops the constraint`);
      }
    }
    for (const old of known.columns) {
      if (old.primaryKey || table.columns.some((c) => c.name === old.name)) continue;
      warnings.push(
        `${table.name}.${old.name}: no field stores it any more; svc keeps the column (it never drops data)` +
          (old.notNull ? ' but it is NOT NULL, so inserts fail until a migration of yours drops it or gives it a default' : ''),
      );
    }
    if (added.length > 0) change.adds.push({ table: table.name, columns: added });
  }
  for (const t of state.tables) {
    if (!tables.some((x) => x.name === t.name)) warnings.push(`table ${t.name}: no resource stores it any more; svc keeps it (it never drops data)`);
  }
  planIndexes(tables, state, change, warnings);

  const artifacts: Artifact[] = [];
  if (change.creates.length > 0 || change.adds.length > 0 || change.widens.length > 0 || change.indexes.length > 0) {
    const version = nextVersion(existing);
    const file = `${String(version).padStart(5, '0')}_${describe(change)}.sql`;
    for (const dialect of DIALECTS) artifacts.push(artifact(`${migrationsDir(dialect)}/${file}`, migrationText(serviceName, dialect, version, change)));
  }
  artifacts.push(artifact(SCHEMA_STATE_PATH, serializeState(state)));
  return { artifacts, warnings };
}

/**
 * Adds the indexes of tables that the state lacks to the change and the
 * state; an index whose definition changed, or that no table wants any
 * more, is reported and kept.
 */
function planIndexes(tables: readonly Table[], state: SchemaState, change: Change, warnings: string[]): void {
  const known = state.indexes!;
  const wanted = tables.flatMap((t) => (t.indexes ?? []).map((i): StateIndex => ({ ...i, table: t.name })));
  for (const i of wanted) {
    const old = known.find((k) => k.name === i.name);
    if (!old) {
      change.indexes.push(i);
      known.push(i);
    } else if (indexText(old) !== indexText(i)) {
      warnings.push(`index ${i.name}: svc now defines it as ${indexText(i)}, the database has ${indexText(old)}; svc does not rebuild indexes: write a migration for it in ${MIGRATIONS_DIR}/`);
    }
  }
  for (const old of known) {
    if (!wanted.some((i) => i.name === old.name)) warnings.push(`index ${old.name}: svc no longer defines it; svc keeps it`);
  }
}

/** One past the highest version among the existing migration files of every dialect. */
function nextVersion(existing: Record<Dialect, readonly string[]>): number {
  let max = 0;
  for (const files of Object.values(existing)) {
    for (const f of files) {
      const m = /^(\d+)_.*\.sql$/.exec(f);
      if (m) max = Math.max(max, Number(m[1]));
    }
  }
  return max + 1;
}

/**
 * A file name stem saying what the migration does: `create_products`,
 * `add_sku_to_products`. The runtime's tables, created with a resource's,
 * go unnamed: the first migration of a service is `create_<its resources>`.
 */
function describe(c: Change): string {
  let what: string;
  const onlyNewTables = c.indexes.every((i) => c.creates.some((t) => t.name === i.table));
  const named = c.creates.some((t) => !t.runtime) ? c.creates.filter((t) => !t.runtime) : c.creates;
  if (c.creates.length === 0 && c.adds.length === 0 && c.widens.length === 1 && c.indexes.length === 0) {
    const [{ table, column }] = c.widens as [Change['widens'][number]];
    what = `widen_${column.name}_in_${table}`;
  } else if (c.creates.length === 0 && c.adds.length === 0 && c.widens.length === 0 && c.indexes.length === 1) {
    what = `create_index_${c.indexes[0]!.name}`;
  } else if (c.adds.length === 0 && c.widens.length === 0 && onlyNewTables) what = `create_${named.map((t) => t.name).join('_and_')}`;
  else if (c.creates.length === 0 && c.adds.length === 1 && c.widens.length === 0 && c.indexes.length === 0) {
    const [{ table, columns }] = c.adds as [Change['adds'][number]];
    what = columns.length <= 2 ? `add_${columns.map((x) => x.name).join('_and_')}_to_${table}` : `add_columns_to_${table}`;
  } else what = 'update_schema';
  return what.length > 60 ? (c.adds.length === 0 ? 'create_tables' : 'update_schema') : what;
}

const DIALECT_NAMES: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

function migrationText(serviceName: string, dialect: Dialect, version: number, c: Change): string {
  const up: string[] = [];
  const down: string[] = [];
  for (const t of c.creates) {
    up.push(`CREATE TABLE ${ident(t.name)} (\n${t.columns.map((col) => `    ${columnDefinition(dialect, col)}`).join(',\n')}\n);`);
    down.unshift(`DROP TABLE ${ident(t.name)};`);
  }
  for (const a of c.adds) {
    for (const col of a.columns) {
      up.push(`ALTER TABLE ${ident(a.table)} ADD COLUMN ${columnDefinition(dialect, col, true)};`);
      down.unshift(`ALTER TABLE ${ident(a.table)} DROP COLUMN ${ident(col.name)};`);
    }
  }
  for (const w of c.widens) {
    const to = sqlType(dialect, w.column.type);
    const from = sqlType(dialect, w.from);
    if (to === from) continue;
    // SQLite cannot change a column's type, and needs not: it keeps a value of any type in any column.
    if (dialect === 'sqlite') continue;
    up.push(`ALTER TABLE ${ident(w.table)} ALTER COLUMN ${ident(w.column.name)} TYPE ${to};`);
    down.unshift(`ALTER TABLE ${ident(w.table)} ALTER COLUMN ${ident(w.column.name)} TYPE ${from};`);
  }
  for (const i of c.indexes) {
    up.push(`CREATE INDEX ${ident(i.name)} ON ${ident(i.table)} (${i.columns.map(ident).join(', ')})${i.where ? ` WHERE ${i.where}` : ''};`);
    down.unshift(`DROP INDEX ${ident(i.name)};`);
  }
  const summary = [
    ...c.creates.map((t) => `creates the ${t.name} table (${t.runtime ?? `the ${t.resource} resource`})`),
    ...c.adds.map((a) => `adds ${a.columns.map((x) => x.name).join(', ')} to ${a.table}`),
    ...c.widens.map((w) => `widens ${w.table}.${w.column.name} from ${w.from} to ${w.column.type}`),
    ...c.indexes.filter((i) => !c.creates.some((t) => t.name === i.table)).map((i) => `indexes ${i.table} (${i.name})`),
  ].join('; ');
  // goose runs a section without statements as a no-op; say why it is empty.
  if (up.length === 0) up.push(`-- ${DIALECT_NAMES[dialect]} keeps the values as they are: nothing to change.`);
  if (down.length === 0) down.push('-- Nothing to undo.');
  return [
    `-- Migration ${version} of the ${serviceName} service for ${DIALECT_NAMES[dialect]}: ${summary}.`,
    '--',
    '-- Written by `svc gen api` from the contract. This file is yours: svc never',
    '-- rewrites it. Review it before it runs anywhere; once it has been applied,',
    '-- change the schema with a new migration rather than by editing this one.',
    '-- The service applies migrations at start-up (database.migrate_on_start) or',
    '-- with its `migrate up|down|status` subcommand.',
    '',
    '-- +goose Up',
    up.join('\n\n'),
    '',
    '-- +goose Down',
    down.join('\n'),
    '',
  ].join('\n');
}

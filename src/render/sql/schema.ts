import type { Field, ObjectDecl, Resource, ServiceModel, TypeDecl, TypeRef } from '../../model/types.js';
import { snake } from '../../model/names.js';
import { messageTables } from '../proto/resources.js';

/**
 * The relational schema of a service's resources, language- and
 * dialect-neutral: one table per resource, one column per field of its
 * entity. Nested objects, arrays, maps and free-form values are kept as JSON.
 */

/**
 * A column's type, before a dialect names it. `serial` and `bigserial` are
 * integer primary keys (32 and 64 bits) the database assigns on insert.
 */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'serial' | 'bigserial' | 'real' | 'double' | 'boolean' | 'timestamp' | 'bytes' | 'json';

export const COLUMN_TYPES: readonly ColumnType[] = ['text', 'integer', 'bigint', 'serial', 'bigserial', 'real', 'double', 'boolean', 'timestamp', 'bytes', 'json'];

export interface Column {
  name: string;
  type: ColumnType;
  notNull: boolean;
  primaryKey: boolean;
  /** The wire name of the entity field the column stores; absent for columns only the database still has. */
  field?: string;
  /** The contract's default, used to fill existing rows when a NOT NULL column is added. */
  default?: string | number | boolean;
}

export interface Table {
  name: string;
  /** The resource (its entity type) the table stores; empty for a table of the runtime. */
  resource: string;
  /** The primary key first, then the entity's fields in contract order. */
  columns: Column[];
  /** Secondary indexes, created with the table (or by a later migration when added). */
  indexes?: Index[];
  /** For a table of the runtime rather than of a resource: what it keeps, for the migration's summary. */
  runtime?: string;
}

/** A secondary index of a table, in SQL both dialects accept. */
export interface Index {
  name: string;
  columns: string[];
  /** A predicate that makes it a partial index, e.g. `published_at IS NULL`. */
  where?: string;
}

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/**
 * The tables the runtime keeps in every service with SQL, migrated with the
 * resources' (see planMigrations). Their columns follow the Go code that
 * uses them (templates/service/internal/outbox).
 */
export const RUNTIME_TABLES: readonly Table[] = [
  {
    // The transactional outbox (package outbox): an event is written in the
    // transaction of the change it announces, and a relay publishes it.
    name: 'svc_outbox',
    resource: '',
    runtime: 'the outbox of events to publish',
    columns: [
      { name: 'seq', type: 'bigserial', notNull: true, primaryKey: true },
      { name: 'id', type: 'text', notNull: true, primaryKey: false },
      { name: 'type', type: 'text', notNull: true, primaryKey: false },
      { name: 'source', type: 'text', notNull: true, primaryKey: false },
      { name: 'subject', type: 'text', notNull: true, primaryKey: false },
      { name: 'time', type: 'timestamp', notNull: true, primaryKey: false },
      { name: 'data_content_type', type: 'text', notNull: true, primaryKey: false },
      { name: 'data', type: 'bytes', notNull: false, primaryKey: false },
      { name: 'attempts', type: 'integer', notNull: true, primaryKey: false },
      { name: 'available_at', type: 'timestamp', notNull: true, primaryKey: false },
      { name: 'published_at', type: 'timestamp', notNull: false, primaryKey: false },
      { name: 'last_error', type: 'text', notNull: false, primaryKey: false },
    ],
    indexes: [
      // What the relay looks for, and the backlog it counts.
      { name: 'svc_outbox_pending', columns: ['available_at'], where: 'published_at IS NULL' },
      // What it prunes.
      { name: 'svc_outbox_published', columns: ['published_at'], where: 'published_at IS NOT NULL' },
    ],
  },
  {
    // The ids of the events a consumer has handled (outbox.NewDeduper).
    name: 'svc_processed_events',
    resource: '',
    runtime: 'the ids of the events consumed',
    columns: [
      { name: 'id', type: 'text', notNull: true, primaryKey: true },
      { name: 'processed_at', type: 'timestamp', notNull: true, primaryKey: false },
    ],
    // What the relay prunes (its dedupe_retention).
    indexes: [{ name: 'svc_processed_events_at', columns: ['processed_at'] }],
  },
];

/** The tables of every resource of the model, in resource order. */
export function schemaOf(model: ServiceModel): Table[] {
  // A proto service stores each resource as its encoded message (see render/proto/storage.ts).
  if (model.rpc) return messageTables(model);
  const decls = new Map(model.types.map((t) => [t.name, t]));
  const names = new Set<string>();
  return model.resources.map((r) => tableOf(r, decls, names));
}

function tableOf(r: Resource, decls: ReadonlyMap<string, TypeDecl>, taken: Set<string>): Table {
  const entity = decls.get(r.entity) as ObjectDecl;
  const columnNames = new Set<string>();
  const fields = [...entity.fields].sort((a, b) => Number(b.name === r.idField) - Number(a.name === r.idField));
  const columns = fields.map((f) => columnOf(f, f.name === r.idField, decls, columnNames));
  if (r.idAssignment === 'database') columns[0]!.type = columns[0]!.type === 'integer' ? 'serial' : 'bigserial';
  return { name: unique(snake(r.plural) || 'items', taken), resource: r.entity, columns };
}

function columnOf(f: Field, primaryKey: boolean, decls: ReadonlyMap<string, TypeDecl>, taken: Set<string>): Column {
  const type = columnType(f.type, decls);
  // Values Go holds without a pointer are never NULL; JSON and bytes are
  // nullable whatever the contract says, so that adding one is always possible.
  const notNull = primaryKey || (f.required && !f.nullable && type !== 'json' && type !== 'bytes');
  const column: Column = { name: unique(snake(f.name) || 'field', taken), type, notNull, primaryKey, field: f.name };
  const d = f.default;
  if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean') column.default = d;
  return column;
}

/** The neutral column type of a contract type. */
export function columnType(ref: TypeRef, decls: ReadonlyMap<string, TypeDecl>, seen = new Set<string>()): ColumnType {
  switch (ref.kind) {
    case 'scalar':
      switch (ref.scalar) {
        case 'bool':
          return 'boolean';
        case 'int32':
          return 'integer';
        case 'int64':
          return 'bigint';
        case 'float32':
          return 'real';
        case 'float64':
          return 'double';
        case 'datetime':
          return 'timestamp';
        case 'bytes':
          return 'bytes';
        default:
          // string, uuid and date are kept as text, exactly as the contract spells them.
          return 'text';
      }
    case 'named': {
      const d = decls.get(ref.name);
      if (!d || d.kind === 'object' || d.kind === 'union' || seen.has(ref.name)) return 'json';
      if (d.kind === 'enum') return d.base === 'int' ? 'bigint' : 'text';
      return columnType(d.type, decls, new Set([...seen, ref.name]));
    }
    default:
      return 'json';
  }
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** Words both dialects reserve (or treat specially); identifiers spelled like them are quoted. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp ' +
    'current_user default deferrable desc distinct do else end except exists false fetch for foreign freeze from full grant group having ' +
    'ilike in index initially inner intersect into is isnull join key lateral leading left like limit localtime localtimestamp natural ' +
    'not notnull null offset on only or order outer overlaps placing primary references returning right rowid select session_user ' +
    'similar some symmetric table tablesample then to trailing transaction true union unique user using values variadic verbose when ' +
    'where window with'
  ).split(' '),
);

/** An identifier as SQL text: quoted when it is a reserved word or not a plain lower-case name. */
export function ident(name: string): string {
  return RESERVED.has(name) || !/^[a-z_][a-z0-9_]*$/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
}

/** The type of a column in a dialect. */
export function sqlType(dialect: Dialect, type: ColumnType): string {
  const types: Record<Dialect, Record<ColumnType, string>> = {
    // SQLite keeps any value in any column; the declared names pick the
    // affinity, and TIMESTAMP lets the driver read times back as time.Time.
    // INTEGER PRIMARY KEY is SQLite's rowid (see columnDefinition).
    sqlite: { text: 'TEXT', integer: 'INTEGER', bigint: 'INTEGER', serial: 'INTEGER', bigserial: 'INTEGER', real: 'REAL', double: 'REAL', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', bytes: 'BLOB', json: 'TEXT' },
    postgres: { text: 'TEXT', integer: 'INTEGER', bigint: 'BIGINT', serial: 'SERIAL', bigserial: 'BIGSERIAL', real: 'REAL', double: 'DOUBLE PRECISION', boolean: 'BOOLEAN', timestamp: 'TIMESTAMPTZ', bytes: 'BYTEA', json: 'JSONB' },
  };
  return types[dialect][type];
}

/** A column definition, as in CREATE TABLE or ADD COLUMN. */
export function columnDefinition(dialect: Dialect, c: Column, adding = false): string {
  let def = `${ident(c.name)} ${sqlType(dialect, c.type)}`;
  // Byte order for keys, as Go compares strings: pages come out the same on every database.
  if (c.primaryKey && dialect === 'postgres' && c.type === 'text') def += ' COLLATE "C"';
  if (c.notNull) def += ' NOT NULL';
  // Rows that exist when a NOT NULL column is added need a value.
  if (adding && c.notNull) def += ` DEFAULT ${literal(dialect, c.type, c.default)}`;
  if (c.primaryKey) def += ' PRIMARY KEY';
  // Never reuse the identifier of a deleted row, as PostgreSQL's sequences and the memory store don't.
  if (c.primaryKey && dialect === 'sqlite' && (c.type === 'serial' || c.type === 'bigserial')) def += ' AUTOINCREMENT';
  return def;
}

/** A SQL literal of a column type: the given value, or the type's zero value. */
export function literal(dialect: Dialect, type: ColumnType, value?: string | number | boolean): string {
  if (value !== undefined) {
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return String(value);
    return `'${value.replaceAll("'", "''")}'`;
  }
  switch (type) {
    case 'boolean':
      return 'FALSE';
    case 'integer':
    case 'bigint':
    case 'serial':
    case 'bigserial':
    case 'real':
    case 'double':
      return '0';
    case 'timestamp':
      return dialect === 'postgres' ? `'0001-01-01 00:00:00+00'` : `'0001-01-01 00:00:00+00:00'`;
    default:
      return `''`;
  }
}

/** The kind of a resource's identifier (a field of its entity): a string, or an integer of 32 or 64 bits. */
export function keyOf(r: Resource, entity: ObjectDecl): 'string' | 'int32' | 'int64' {
  const t = entity.fields.find((f) => f.name === r.idField)?.type;
  return t?.kind === 'scalar' && (t.scalar === 'int32' || t.scalar === 'int64') ? t.scalar : 'string';
}

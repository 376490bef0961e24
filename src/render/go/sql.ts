import type { Field, ObjectDecl, Resource } from '../../model/types.js';
import { words } from '../../model/names.js';
import type { Artifact } from '../artifact.js';
import { usesSql } from '../database.js';
import { ident, keyOf, schemaOf, type Column, type Table } from '../sql/schema.js';
import { comment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString, unexportedName } from './naming.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/**
 * Per resource of a service that keeps its data in SQL: the repository over
 * database/sql, one implementation for both dialects (SQLite, PostgreSQL).
 * Columns follow src/render/sql/schema.ts, as the migrations create them.
 */
export function renderSqlRepositories(gm: GoModel): Artifact[] {
  if (!usesSql(gm.model, gm.settings.database)) return [];
  const tables = schemaOf(gm.model);
  return gm.model.resources.map((r, i) => renderSql(gm, r, tables[i]!).toArtifact(localImportPrefix(gm.settings)));
}

/** Identifiers the generated methods use, which a record's variable must not shadow. */
const TAKEN = new Set([
  'r', 'ctx', 'args', 'err', 'res', 'n', 'page', 'after', 'size', 'rows', 'items', 'values', 'current', 'next', 'one', 'id', 'row', 'ok', 'stored',
  'models', 'database', 'sql', 'apperrors', 'context', 'errors', 'fmt', 'uuid', 'sync', 'sort', 'time',
]);

/** The variable holding one record of a resource: `product`. */
export function recordVar(r: Resource): string {
  const v = unexportedName(r.name);
  return TAKEN.has(v) ? `${v}Record` : v;
}

/** A resource's identifier, seen from Go. */
export interface GoKey {
  /** The struct field, e.g. `ID`. */
  field: string;
  /** The Go type of identifiers: `string`, `int32` or `int64`. */
  type: 'string' | 'int32' | 'int64';
  /** For an integer, its bit size (page tokens are parsed to it). */
  bits: 32 | 64;
  /** The store assigns it on create (an integer the database counts). */
  database: boolean;
  /** The fmt verb that prints one in a message: `%q` or `%d`. */
  verb: '%q' | '%d';
}

export function goKey(gm: GoModel, r: Resource): GoKey {
  const entity = gm.decl(r.entity) as ObjectDecl;
  const type = keyOf(r, entity);
  return {
    field: gm.fieldName(entity, entity.fields.find((x) => x.name === r.idField)!),
    type,
    bits: type === 'int32' ? 32 : 64,
    database: r.idAssignment === 'database',
    verb: type === 'string' ? '%q' : '%d',
  };
}

/** A resource's optimistic concurrency field, seen from Go. */
export interface GoConcurrency {
  kind: 'version' | 'etag';
  /** The struct field, e.g. `Version`. */
  field: string;
  /** The value's Go type, e.g. `int64`. */
  type: string;
  pointer: boolean;
}

export function goConcurrency(gm: GoModel, r: Resource, f: GoFile): GoConcurrency | undefined {
  if (!r.concurrency) return undefined;
  const entity = gm.decl(r.entity) as ObjectDecl;
  const field = entity.fields.find((x) => x.name === r.concurrency!.field)!;
  return { kind: r.concurrency.kind, field: gm.fieldName(entity, field), type: gm.goType(field.type, f), pointer: gm.fieldIsPointer(field) };
}

/** Statements giving a new record its first version or etag. */
export function firstVersion(c: GoConcurrency, v: string, f: GoFile): string[] {
  const value = c.kind === 'version' ? `${c.type}(1)` : `${f.use('github.com/google/uuid')}.NewString()`;
  if (!c.pointer) return [`\t${v}.${c.field} = ${c.kind === 'version' ? '1' : value}`];
  return [`\tfirst := ${value}`, `\t${v}.${c.field} = &first`];
}

/** Statements declaring `current` (the version the caller read) and `next` (the one written). */
export function nextVersion(c: GoConcurrency, v: string, f: GoFile): string[] {
  const current = c.pointer
    ? [`\tvar current ${c.type}`, `\tif ${v}.${c.field} != nil {`, `\t\tcurrent = *${v}.${c.field}`, '\t}']
    : [`\tcurrent := ${v}.${c.field}`];
  return [...current, `\tnext := ${c.kind === 'version' ? 'current + 1' : `${f.use('github.com/google/uuid')}.NewString()`}`];
}

/** The statement recording `next` on the record once written. */
export function applyNext(c: GoConcurrency, v: string): string {
  return `\t${v}.${c.field} = ${c.pointer ? '&next' : 'next'}`;
}

/** The Conflict error for a stale version, as a Go expression. */
export function staleError(c: GoConcurrency, noun: string, errs: string, id: string, idVerb: GoKey['verb']): string {
  const verb = c.kind === 'version' ? '%d' : '%q';
  return `${errs}.Conflict(${goString(`${noun} ${idVerb} was changed by another request (${c.kind} ${verb} is stale): get it again and retry`)}, ${id}, current)`;
}

interface GoColumn {
  column: Column;
  field: Field;
  /** `product.Name` */
  expr: string;
  pointer: boolean;
}

function renderSql(gm: GoModel, r: Resource, table: Table): GoFile {
  const name = gm.typeName(r.entity);
  const entity = gm.decl(r.entity) as ObjectDecl;
  const noun = words(r.name).join(' ');
  const nouns = words(r.plural).join(' ');
  const f = new GoFile(gm.fileName('internal/repository', `${fileStem(name)}_sql`, '.gen.go'), 'repository');
  const ctx = f.use('context');
  const models = f.use(gm.modelsPkg);
  const errs = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const database = f.use(runtimeImport(gm.settings, 'database'));
  const v = recordVar(r);
  const type = `SQL${name}Repository`;
  const columns: GoColumn[] = table.columns.map((c) => {
    const field = entity.fields.find((x) => x.name === c.field)!;
    return { column: c, field, expr: `${v}.${gm.fieldName(entity, field)}`, pointer: gm.fieldIsPointer(field) };
  });
  const id = columns[0]!;
  const tableName = ident(table.name);
  const idCol = ident(id.column.name);
  const cc = goConcurrency(gm, r, f);
  const key = goKey(gm, r);
  const integer = key.type !== 'string';
  const versionIndex = cc ? columns.findIndex((c) => c.field.name === r.concurrency!.field) : -1;
  const versionCol = versionIndex >= 0 ? ident(columns[versionIndex]!.column.name) : '';
  const colsConst = `${unexportedName(name)}Columns`;
  const valuesFn = `${unexportedName(name)}Values`;
  const scanFn = `scan${name}`;
  const normalizeFn = `normalize${name}`;
  const times = columns.filter((c) => c.column.type === 'timestamp');
  const jsons = columns.filter((c) => c.column.type === 'json');
  const fallible = jsons.length > 0;

  const placeholders = columns.map(() => '?').join(', ');
  // The database assigns the identifier: insert the other columns, read it back.
  const rest = columns.slice(1);
  const insertSql = key.database
    ? rest.length > 0
      ? `${goString(`INSERT INTO ${tableName} (${rest.map((c) => ident(c.column.name)).join(', ')}) VALUES (${rest.map(() => '?').join(', ')}) RETURNING ${idCol}`)}`
      : goString(`INSERT INTO ${tableName} DEFAULT VALUES RETURNING ${idCol}`)
    : `${goString(`INSERT INTO ${tableName} (`)} + ${colsConst} + ${goString(`) VALUES (${placeholders})`)}`;
  // An entity of nothing but its identifier still has an update that finds it.
  const sets = columns.length > 1 ? columns.slice(1).map((c) => `${ident(c.column.name)} = ?`).join(', ') : `${ident(columns[0]!.column.name)} = ${ident(columns[0]!.column.name)}`;
  f.add(
    ...comment(`${type} stores ${noun} records in the ${table.name} table of the SQL database (SQLite or PostgreSQL), as the migrations in migrations/ create it.`),
    `type ${type} struct {`,
    `\tdb\v*${database}.DB`,
    '\tinsert\vstring',
    '\tget\vstring',
    '\tlist\vstring',
    '\tupdate\vstring',
    '\tdelete\vstring',
    ...(cc ? ['\texists\vstring'] : []),
    '}',
  );
  f.add(`var _ ${name}Repository = (*${type})(nil)`);
  f.add(
    `// ${colsConst} are the columns of the ${table.name} table, in the order`,
    `// ${valuesFn} and ${scanFn} use.`,
    `const ${colsConst} = ${goString(columns.map((c) => ident(c.column.name)).join(', '))}`,
  );
  f.add(
    ...comment(`New${type} returns a ${noun} repository over db, whose migrations must have been applied.`),
    `func New${type}(db *${database}.DB) *${type} {`,
    '\tq := db.Dialect().Rebind',
    `\treturn &${type}{`,
    '\t\tdb:\vdb,',
    `\t\tinsert:\vq(${insertSql}),`,
    `\t\tget:\vq(${goString('SELECT ')} + ${colsConst} + ${goString(` FROM ${tableName} WHERE ${idCol} = ?`)}),`,
    `\t\tlist:\vq(${goString('SELECT ')} + ${colsConst} + ${goString(` FROM ${tableName} WHERE ${idCol} > ? ORDER BY ${idCol} LIMIT ?`)}),`,
    `\t\tupdate:\vq(${goString(`UPDATE ${tableName} SET ${sets} WHERE ${idCol} = ?${cc ? ` AND ${versionCol} = ?` : ''}`)}),`,
    `\t\tdelete:\vq(${goString(`DELETE FROM ${tableName} WHERE ${idCol} = ?`)}),`,
    ...(cc ? [`\t\texists:\vq(${goString(`SELECT 1 FROM ${tableName} WHERE ${idCol} = ?`)}),`] : []),
    '\t}',
    '}',
  );

  const values = fallible ? [`\targs, err := ${valuesFn}(${v})`, '\tif err != nil {', '\t\treturn err', '\t}'] : [`\targs := ${valuesFn}(${v})`];
  const idExpr = id.expr;
  const normalize = times.length > 0 ? [`\t${normalizeFn}(${v})`] : [];
  const notFound = (id: string) => `${errs}.NotFound(${goString(`${noun} ${key.verb} not found`)}, ${id})`;
  const failed = (verb: string, id: string) => `${database}.Error(err, ${goString(`${verb} ${noun} ${key.verb}`)}, ${id})`;
  f.add(
    key.database
      ? `// Create inserts ${v} and sets the identifier the database assigned.`
      : `// Create inserts ${v}; a ${noun} with the same identifier is AlreadyExists.`,
    `func (r *${type}) Create(ctx ${ctx}.Context, ${v} *${models}.${name}) error {`,
    ...normalize,
    ...(cc ? firstVersion(cc, v, f) : []),
    ...values,
    ...(key.database
      ? [
          `\tif err := r.db.QueryRowContext(ctx, r.insert, args[1:]...).Scan(&${idExpr}); err != nil {`,
          `\t\treturn ${database}.Error(err, ${goString(`insert ${noun}`)})`,
          '\t}',
        ]
      : [
          '\tif _, err := r.db.ExecContext(ctx, r.insert, args...); err != nil {',
          '\t\tif r.db.Dialect().IsUniqueViolation(err) {',
          `\t\t\treturn ${errs}.AlreadyExists(${goString(`${noun} ${key.verb} already exists`)}, ${idExpr})`,
          '\t\t}',
          `\t\treturn ${failed('insert', idExpr)}`,
          '\t}',
        ]),
    '\treturn nil',
    '}',
  );
  f.add(
    `// Get returns the ${noun} with the given identifier, or NotFound.`,
    `func (r *${type}) Get(ctx ${ctx}.Context, id ${key.type}) (*${models}.${name}, error) {`,
    `\t${v}, err := ${scanFn}(r.db.QueryRowContext(ctx, r.get, id))`,
    `\tif ${f.use('errors')}.Is(err, ${f.use('database/sql')}.ErrNoRows) {`,
    `\t\treturn nil, ${notFound('id')}`,
    '\t}',
    '\tif err != nil {',
    `\t\treturn nil, ${failed('get', 'id')}`,
    '\t}',
    `\treturn ${v}, nil`,
    '}',
  );
  f.add(
    '// List returns records ordered by identifier, fetching one more than the page',
    '// holds to know whether another page follows; the page token is the last',
    '// identifier of the previous page.',
    `func (r *${type}) List(ctx ${ctx}.Context, page Page) ([]${models}.${name}, string, error) {`,
    integer ? `\tafter, err := decodeIntPageToken(page.Token, ${key.bits})` : '\tafter, err := decodePageToken(page.Token)',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\tsize := page.limit()',
    '\trows, err := r.db.QueryContext(ctx, r.list, after, size+1)',
    '\tif err != nil {',
    `\t\treturn nil, "", ${database}.Error(err, ${goString(`list ${nouns}`)})`,
    '\t}',
    '\tdefer rows.Close()',
    `\titems := make([]${models}.${name}, 0, size+1)`,
    '\tfor rows.Next() {',
    `\t\t${v}, err := ${scanFn}(rows)`,
    '\t\tif err != nil {',
    `\t\t\treturn nil, "", ${database}.Error(err, ${goString(`list ${nouns}`)})`,
    '\t\t}',
    `\t\titems = append(items, *${v})`,
    '\t}',
    '\tif err := rows.Err(); err != nil {',
    `\t\treturn nil, "", ${database}.Error(err, ${goString(`list ${nouns}`)})`,
    '\t}',
    '\tif len(items) > size {',
    '\t\titems = items[:size]',
    integer
      ? `\t\treturn items, encodeIntPageToken(${key.type === 'int32' ? `int64(items[size-1].${key.field})` : `items[size-1].${key.field}`}), nil`
      : `\t\treturn items, encodePageToken(items[size-1].${key.field}), nil`,
    '\t}',
    '\treturn items, "", nil',
    '}',
  );

  const updateArgs = cc ? 'append(args[1:], args[0], current)' : 'append(args[1:], args[0])';
  const updateDoc = cc
    ? `Update replaces the stored ${noun} if its ${r.concurrency!.field} is still the one ${v} carries, and moves it on; a missing ${noun} is NotFound, a stale ${r.concurrency!.field} Conflict.`
    : `Update replaces the stored ${noun}; a missing one is NotFound.`;
  f.add(
    ...comment(updateDoc),
    `func (r *${type}) Update(ctx ${ctx}.Context, ${v} *${models}.${name}) error {`,
    ...normalize,
    ...(cc ? nextVersion(cc, v, f) : []),
    ...values,
    ...(cc ? [`\targs[${versionIndex}] = next`] : []),
    `\tres, err := r.db.ExecContext(ctx, r.update, ${updateArgs}...)`,
    '\tif err != nil {',
    `\t\treturn ${failed('update', idExpr)}`,
    '\t}',
    '\tn, err := res.RowsAffected()',
    '\tif err != nil {',
    `\t\treturn ${failed('update', idExpr)}`,
    '\t}',
    ...(cc
      ? [
          '\tif n == 0 {',
          '\t\t// Nothing matched: either no such record, or its version moved on.',
          '\t\tvar one int',
          `\t\terr := r.db.QueryRowContext(ctx, r.exists, ${idExpr}).Scan(&one)`,
          '\t\tswitch {',
          `\t\tcase ${f.use('errors')}.Is(err, ${f.use('database/sql')}.ErrNoRows):`,
          `\t\t\treturn ${notFound(idExpr)}`,
          '\t\tcase err != nil:',
          `\t\t\treturn ${failed('update', idExpr)}`,
          '\t\tdefault:',
          `\t\t\treturn ${staleError(cc, noun, errs, idExpr, key.verb)}`,
          '\t\t}',
          '\t}',
          applyNext(cc, v),
        ]
      : ['\tif n == 0 {', `\t\treturn ${notFound(idExpr)}`, '\t}']),
    '\treturn nil',
    '}',
  );
  f.add(
    `// Delete removes the ${noun} with the given identifier, or reports NotFound.`,
    `func (r *${type}) Delete(ctx ${ctx}.Context, id ${key.type}) error {`,
    '\tres, err := r.db.ExecContext(ctx, r.delete, id)',
    '\tif err != nil {',
    `\t\treturn ${failed('delete', 'id')}`,
    '\t}',
    '\tn, err := res.RowsAffected()',
    '\tif err != nil {',
    `\t\treturn ${failed('delete', 'id')}`,
    '\t}',
    '\tif n == 0 {',
    `\t\treturn ${notFound('id')}`,
    '\t}',
    '\treturn nil',
    '}',
  );

  // The column values, JSON columns encoded.
  const literal = columns.map((c) => (c.column.type === 'json' ? 'nil' : c.expr));
  const valueLines = [`// ${valuesFn} returns the values of ${colsConst} for ${v}.`];
  if (fallible) {
    valueLines.push(`func ${valuesFn}(${v} *${models}.${name}) ([]any, error) {`, '\tvalues := []any{', ...literal.map((x) => `\t\t${x},`), '\t}', '\tvar err error');
    columns.forEach((c, i) => {
      if (c.column.type !== 'json') return;
      valueLines.push(
        `\tif values[${i}], err = ${database}.JSON(${c.expr}); err != nil {`,
        `\t\treturn nil, ${f.use('fmt')}.Errorf(${goString(`encode ${noun} ${c.field.name}: %w`)}, err)`,
        '\t}',
      );
    });
    valueLines.push('\treturn values, nil', '}');
  } else {
    valueLines.push(`func ${valuesFn}(${v} *${models}.${name}) []any {`, '\treturn []any{', ...literal.map((x) => `\t\t${x},`), '\t}', '}');
  }
  f.add(...valueLines);

  const targets = columns.map((c) => (c.column.type === 'json' ? `${database}.ScanJSON(&${c.expr})` : `&${c.expr}`));
  const scan = [
    `// ${scanFn} reads a row of ${colsConst}.`,
    `func ${scanFn}(row interface{ Scan(dest ...any) error }) (*${models}.${name}, error) {`,
    `\tvar ${v} ${models}.${name}`,
    '\tif err := row.Scan(',
    ...targets.map((t) => `\t\t${t},`),
    '\t); err != nil {',
    '\t\treturn nil, err',
    '\t}',
  ];
  for (const t of times) {
    if (t.pointer) scan.push(`\tif ${t.expr} != nil {`, `\t\t*${t.expr} = ${t.expr}.UTC()`, '\t}');
    else scan.push(`\t${t.expr} = ${t.expr}.UTC()`);
  }
  scan.push(`\treturn &${v}, nil`, '}');
  f.add(...scan);

  if (times.length > 0) {
    const norm = [
      `// ${normalizeFn} rounds the times of ${v} to what the database keeps (UTC,`,
      '// microseconds), so that the record reads back exactly as written.',
      `func ${normalizeFn}(${v} *${models}.${name}) {`,
    ];
    for (const t of times) {
      if (t.pointer) norm.push(`\tif ${t.expr} != nil {`, `\t\tt := ${database}.Timestamp(*${t.expr})`, `\t\t${t.expr} = &t`, '\t}');
      else norm.push(`\t${t.expr} = ${database}.Timestamp(${t.expr})`);
    }
    norm.push('}');
    f.add(...norm);
  }
  return f;
}

import { words } from '../../model/names.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import { exportedName, goString } from '../go/naming.js';
import type { ProtoLayout } from './layout.js';
import { goCamelCase } from './layout.js';
import { DATA_COLUMN, messageTables, type MessageResource } from './resources.js';
import type { ServiceModel } from '../../model/types.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';
import { MIGRATIONS_DIR } from '../sql/migrations.js';

const REPO_DIR = 'internal/repository';

/**
 * The data layer of a proto service. Each resource is stored as its message
 * in the protobuf binary encoding, keyed by its name: a field added to the
 * contract later is stored and read back by the code protoc regenerates,
 * without a migration, and a renamed field keeps its data (the encoding goes
 * by field number). One generic store per backend (memory, SQL) serves every
 * resource; each resource gets a named repository type and its constructors.
 */
export function renderMessageRepositories(model: ServiceModel, layout: ProtoLayout, resources: MessageResource[], sql: boolean): Artifact[] {
  const out = [repositoriesFile(layout, resources).toArtifact(localImportPrefix(layout))];
  if (resources.length === 0) return out;
  out.push(storeFile(layout).toArtifact(localImportPrefix(layout)));
  if (sql) out.push(sqlStoreFile(layout).toArtifact(localImportPrefix(layout)));
  const tables = new Map(messageTables(model).map((t) => [t.resource, t]));
  for (const r of resources) out.push(resourceFile(layout, r, sql ? tables.get(r.resource.entity)! : undefined).toArtifact(localImportPrefix(layout)));
  out.push(repositoryTests(layout, resources, sql).toArtifact(localImportPrefix(layout)));
  return out;
}

/** The Go name of a resource's message, e.g. `Book`. */
export function entityName(layout: ProtoLayout, r: MessageResource): string {
  return layout.messageType(r.entity.fullName).name;
}

/** The field of service.Repositories holding a resource's repository, e.g. `Books`. */
export function repoField(r: MessageResource): string {
  return exportedName(r.resource.plural);
}

function noun(r: MessageResource): string {
  return words(r.entity.name).join(' ');
}

function storeFile(layout: ProtoLayout): GoFile {
  const f = new GoFile(`${REPO_DIR}/messages.gen.go`, 'repository');
  const ctx = f.use('context');
  const proto = f.use('google.golang.org/protobuf/proto');
  const sort = f.use('sort');
  const strings = f.use('strings');
  const sync = f.use('sync');
  const errs = f.use(runtimeImport(layout, 'errors'), 'apperrors');
  f.add(
    '// Messages stores the protobuf messages of one resource, keyed by resource',
    '// name. Implementations return apperrors.NotFound for a missing message and',
    '// apperrors.AlreadyExists for a duplicate name; they store and return copies.',
    `type Messages[M ${proto}.Message] interface {`,
    '\t// Create stores a new message.',
    `\tCreate(ctx ${ctx}.Context, m M) error`,
    '\t// Get returns the message with the given key.',
    `\tGet(ctx ${ctx}.Context, key string) (M, error)`,
    '\t// List returns one page of the messages whose key starts with prefix,',
    '\t// ordered by key, and the token of the next page, empty on the last page.',
    `\tList(ctx ${ctx}.Context, prefix string, page Page) ([]M, string, error)`,
    '\t// Update replaces a stored message.',
    `\tUpdate(ctx ${ctx}.Context, m M) error`,
    '\t// Delete removes the message with the given key.',
    `\tDelete(ctx ${ctx}.Context, key string) error`,
    '}',
  );
  f.add(
    '// messageKind tells a store what it keeps: the noun for messages, how to',
    '// read a message\'s key and how to make an empty one.',
    `type messageKind[M ${proto}.Message] struct {`,
    '\tnoun\vstring',
    '\tkey\vfunc(M) string',
    '\tnew\vfunc() M',
    '}',
  );
  f.add(
    '// memoryMessages keeps messages in memory, guarded by a mutex, for tests and',
    '// for services whose svc.yaml says database: memory; its data is lost on restart.',
    `type memoryMessages[M ${proto}.Message] struct {`,
    '\tkind\vmessageKind[M]',
    `\tmu\v${sync}.RWMutex`,
    '\titems\vmap[string]M',
    '}',
  );
  f.add(
    `func newMemoryMessages[M ${proto}.Message](kind messageKind[M]) *memoryMessages[M] {`,
    '\treturn &memoryMessages[M]{kind: kind, items: make(map[string]M)}',
    '}',
  );
  f.add(
    `func (r *memoryMessages[M]) Create(_ ${ctx}.Context, m M) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    '\tkey := r.kind.key(m)',
    '\tif _, ok := r.items[key]; ok {',
    `\t\treturn ${errs}.AlreadyExists("%s %q already exists", r.kind.noun, key)`,
    '\t}',
    `\tr.items[key] = ${proto}.CloneOf(m)`,
    '\treturn nil',
    '}',
  );
  f.add(
    `func (r *memoryMessages[M]) Get(_ ${ctx}.Context, key string) (M, error) {`,
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    '\tm, ok := r.items[key]',
    '\tif !ok {',
    '\t\tvar zero M',
    `\t\treturn zero, ${errs}.NotFound("%s %q not found", r.kind.noun, key)`,
    '\t}',
    `\treturn ${proto}.CloneOf(m), nil`,
    '}',
  );
  f.add(
    `func (r *memoryMessages[M]) List(_ ${ctx}.Context, prefix string, page Page) ([]M, string, error) {`,
    '\tafter, err := decodePageToken(page.Token)',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\tsize := page.limit()',
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    '\tkeys := make([]string, 0, len(r.items))',
    '\tfor key := range r.items {',
    `\t\tif key > after && ${strings}.HasPrefix(key, prefix) {`,
    '\t\t\tkeys = append(keys, key)',
    '\t\t}',
    '\t}',
    `\t${sort}.Strings(keys)`,
    '\tnext := ""',
    '\tif len(keys) > size {',
    '\t\tkeys = keys[:size]',
    '\t\tnext = encodePageToken(keys[size-1])',
    '\t}',
    '\tout := make([]M, len(keys))',
    '\tfor i, key := range keys {',
    `\t\tout[i] = ${proto}.CloneOf(r.items[key])`,
    '\t}',
    '\treturn out, next, nil',
    '}',
  );
  f.add(
    `func (r *memoryMessages[M]) Update(_ ${ctx}.Context, m M) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    '\tkey := r.kind.key(m)',
    '\tif _, ok := r.items[key]; !ok {',
    `\t\treturn ${errs}.NotFound("%s %q not found", r.kind.noun, key)`,
    '\t}',
    `\tr.items[key] = ${proto}.CloneOf(m)`,
    '\treturn nil',
    '}',
  );
  f.add(
    `func (r *memoryMessages[M]) Delete(_ ${ctx}.Context, key string) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    '\tif _, ok := r.items[key]; !ok {',
    `\t\treturn ${errs}.NotFound("%s %q not found", r.kind.noun, key)`,
    '\t}',
    '\tdelete(r.items, key)',
    '\treturn nil',
    '}',
  );
  return f;
}

function sqlStoreFile(layout: ProtoLayout): GoFile {
  const f = new GoFile(`${REPO_DIR}/messages_sql.gen.go`, 'repository');
  const ctx = f.use('context');
  const sqlPkg = f.use('database/sql');
  const errorsPkg = f.use('errors');
  const proto = f.use('google.golang.org/protobuf/proto');
  const utf8 = f.use('unicode/utf8');
  const database = f.use(runtimeImport(layout, 'database'));
  const errs = f.use(runtimeImport(layout, 'errors'), 'apperrors');
  f.add(
    '// sqlMessages keeps messages in a table of two columns: the key and the',
    '// message in the protobuf binary encoding, which needs no migration when the',
    '// message gains a field.',
    `type sqlMessages[M ${proto}.Message] struct {`,
    `\tdb\v*${database}.DB`,
    '\tkind\vmessageKind[M]',
    '\tinsert\vstring',
    '\tget\vstring',
    '\tlist\vstring',
    '\tupdate\vstring',
    '\tremove\vstring',
    '}',
  );
  f.add(
    '// newSQLMessages returns the store of table, whose columns are key and data.',
    `func newSQLMessages[M ${proto}.Message](db *${database}.DB, table, key string, kind messageKind[M]) *sqlMessages[M] {`,
    '\tq := db.Dialect().Rebind',
    '\treturn &sqlMessages[M]{',
    '\t\tdb:\vdb,',
    '\t\tkind:\vkind,',
    `\t\tinsert:\vq("INSERT INTO " + table + " (" + key + ", ${DATA_COLUMN}) VALUES (?, ?)"),`,
    `\t\tget:\vq("SELECT ${DATA_COLUMN} FROM " + table + " WHERE " + key + " = ?"),`,
    `\t\tlist:\vq("SELECT " + key + ", ${DATA_COLUMN} FROM " + table + " WHERE " + key + " > ? AND substr(" + key + ", 1, ?) = ? ORDER BY " + key + " LIMIT ?"),`,
    `\t\tupdate:\vq("UPDATE " + table + " SET ${DATA_COLUMN} = ? WHERE " + key + " = ?"),`,
    '\t\tremove:\vq("DELETE FROM " + table + " WHERE " + key + " = ?"),',
    '\t}',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) encode(m M) ([]byte, error) {`,
    `\tdata, err := ${proto}.MarshalOptions{Deterministic: true}.Marshal(m)`,
    '\tif err != nil {',
    `\t\treturn nil, ${errs}.Internal(err, "encode %s", r.kind.noun)`,
    '\t}',
    '\treturn data, nil',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) decode(data []byte) (M, error) {`,
    '\tm := r.kind.new()',
    `\tif err := ${proto}.Unmarshal(data, m); err != nil {`,
    '\t\tvar zero M',
    `\t\treturn zero, ${errs}.Internal(err, "decode %s", r.kind.noun)`,
    '\t}',
    '\treturn m, nil',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) Create(ctx ${ctx}.Context, m M) error {`,
    '\tdata, err := r.encode(m)',
    '\tif err != nil {',
    '\t\treturn err',
    '\t}',
    '\tkey := r.kind.key(m)',
    '\tif _, err := r.db.ExecContext(ctx, r.insert, key, data); err != nil {',
    '\t\tif r.db.Dialect().IsUniqueViolation(err) {',
    `\t\t\treturn ${errs}.AlreadyExists("%s %q already exists", r.kind.noun, key)`,
    '\t\t}',
    `\t\treturn ${database}.Error(err, "create %s", r.kind.noun)`,
    '\t}',
    '\treturn nil',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) Get(ctx ${ctx}.Context, key string) (M, error) {`,
    '\tvar data []byte',
    '\terr := r.db.QueryRowContext(ctx, r.get, key).Scan(&data)',
    '\tif err != nil {',
    '\t\tvar zero M',
    `\t\tif ${errorsPkg}.Is(err, ${sqlPkg}.ErrNoRows) {`,
    `\t\t\treturn zero, ${errs}.NotFound("%s %q not found", r.kind.noun, key)`,
    '\t\t}',
    `\t\treturn zero, ${database}.Error(err, "get %s", r.kind.noun)`,
    '\t}',
    '\treturn r.decode(data)',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) List(ctx ${ctx}.Context, prefix string, page Page) ([]M, string, error) {`,
    '\tafter, err := decodePageToken(page.Token)',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\tsize := page.limit()',
    `\trows, err := r.db.QueryContext(ctx, r.list, after, ${utf8}.RuneCountInString(prefix), prefix, size+1)`,
    '\tif err != nil {',
    `\t\treturn nil, "", ${database}.Error(err, "list %s", r.kind.noun)`,
    '\t}',
    '\tdefer rows.Close()',
    '\tvar (',
    '\t\tout\v[]M',
    '\t\tlast\vstring',
    '\t\tnext\vstring',
    '\t)',
    '\tfor rows.Next() {',
    '\t\tif len(out) == size {',
    '\t\t\tnext = encodePageToken(last)',
    '\t\t\tbreak',
    '\t\t}',
    '\t\tvar data []byte',
    '\t\tif err := rows.Scan(&last, &data); err != nil {',
    `\t\t\treturn nil, "", ${database}.Error(err, "list %s", r.kind.noun)`,
    '\t\t}',
    '\t\tm, err := r.decode(data)',
    '\t\tif err != nil {',
    '\t\t\treturn nil, "", err',
    '\t\t}',
    '\t\tout = append(out, m)',
    '\t}',
    '\tif err := rows.Err(); err != nil {',
    `\t\treturn nil, "", ${database}.Error(err, "list %s", r.kind.noun)`,
    '\t}',
    '\treturn out, next, nil',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) Update(ctx ${ctx}.Context, m M) error {`,
    '\tdata, err := r.encode(m)',
    '\tif err != nil {',
    '\t\treturn err',
    '\t}',
    '\tkey := r.kind.key(m)',
    '\tres, err := r.db.ExecContext(ctx, r.update, data, key)',
    '\tif err != nil {',
    `\t\treturn ${database}.Error(err, "update %s", r.kind.noun)`,
    '\t}',
    '\treturn r.found(res, key)',
    '}',
  );
  f.add(
    `func (r *sqlMessages[M]) Delete(ctx ${ctx}.Context, key string) error {`,
    '\tres, err := r.db.ExecContext(ctx, r.remove, key)',
    '\tif err != nil {',
    `\t\treturn ${database}.Error(err, "delete %s", r.kind.noun)`,
    '\t}',
    '\treturn r.found(res, key)',
    '}',
  );
  f.add(
    '// found turns a write that touched no row into NotFound.',
    `func (r *sqlMessages[M]) found(res ${sqlPkg}.Result, key string) error {`,
    '\tn, err := res.RowsAffected()',
    '\tif err != nil {',
    `\t\treturn ${database}.Error(err, "%s %q", r.kind.noun, key)`,
    '\t}',
    '\tif n == 0 {',
    `\t\treturn ${errs}.NotFound("%s %q not found", r.kind.noun, key)`,
    '\t}',
    '\treturn nil',
    '}',
  );
  return f;
}

function resourceFile(layout: ProtoLayout, r: MessageResource, table: { name: string; columns: { name: string }[] } | undefined): GoFile {
  const name = entityName(layout, r);
  const f = new GoFile(`${REPO_DIR}/${words(r.entity.name).join('_')}_repository.gen.go`, 'repository');
  const pb = f.use(layout.messageType(r.entity.fullName).importPath, layout.goPackage(r.entity.file).name);
  const type = `${pb}.${name}`;
  const kind = `${name.charAt(0).toLowerCase()}${name.slice(1)}Kind`;
  f.add(`// ${name}Repository stores ${r.entity.fullName} messages, keyed by ${r.key.name}.`, `type ${name}Repository = Messages[*${type}]`);
  f.add(
    `var ${kind} = messageKind[*${type}]{`,
    `\tnoun:\v${goString(noun(r))},`,
    `\tkey:\v(*${type}).Get${goCamelCase(r.key.name)},`,
    `\tnew: func() *${type} {`,
    `\t\treturn new(${type})`,
    '\t},',
    '}',
  );
  f.add(
    `// NewMemory${name}Repository returns an empty in-memory ${noun(r)} repository.`,
    `func NewMemory${name}Repository() ${name}Repository {`,
    `\treturn newMemoryMessages(${kind})`,
    '}',
  );
  if (table) {
    const database = f.use(runtimeImport(layout, 'database'));
    f.add(
      `// NewSQL${name}Repository returns the ${noun(r)} repository over the table ${table.name}.`,
      `func NewSQL${name}Repository(db *${database}.DB) ${name}Repository {`,
      `\treturn newSQLMessages(db, ${goString(table.name)}, ${goString(table.columns[0]!.name)}, ${kind})`,
      '}',
    );
  }
  return f;
}

/**
 * `internal/repository/messages_gen_test.go`: each resource's repository, in
 * memory and on each SQL database, keeps keys unique, reads, pages through a
 * key prefix, updates and deletes as the Messages contract says.
 */
function repositoryTests(layout: ProtoLayout, resources: MessageResource[], sql: boolean): GoFile {
  const f = new GoFile(`${REPO_DIR}/messages_gen_test.go`, 'repository');
  const testing = f.use('testing');
  const ctx = f.use('context');
  const proto = f.use('google.golang.org/protobuf/proto');
  const errs = f.use(runtimeImport(layout, 'errors'), 'apperrors');
  f.add(
    '// testMessages runs the Messages contract against repo; withKey makes a',
    '// message with the given key.',
    `func testMessages[M ${proto}.Message](t *${testing}.T, repo Messages[M], kind messageKind[M], withKey func(string) M) {`,
    '\tt.Helper()',
    `\tctx := ${ctx}.Background()`,
    '\tfor _, key := range []string{"a/3", "a/1", "b/1", "a/2"} {',
    '\t\tif err := repo.Create(ctx, withKey(key)); err != nil {',
    '\t\t\tt.Fatalf("create %s: %v", key, err)',
    '\t\t}',
    '\t}',
    `\twantKind(t, repo.Create(ctx, withKey("a/1")), ${errs}.KindAlreadyExists, "create a duplicate")`,
    '\tgot, err := repo.Get(ctx, "a/2")',
    '\tif err != nil {',
    '\t\tt.Fatalf("get: %v", err)',
    '\t}',
    '\tsameJSON(t, got, withKey("a/2"))',
    '\t_, err = repo.Get(ctx, "a/9")',
    `\twantKind(t, err, ${errs}.KindNotFound, "get a missing key")`,
    '\tkeys := func(page []M) []string {',
    '\t\tout := make([]string, len(page))',
    '\t\tfor i, m := range page {',
    '\t\t\tout[i] = kind.key(m)',
    '\t\t}',
    '\t\treturn out',
    '\t}',
    '\tpage, next, err := repo.List(ctx, "a/", Page{Size: 2})',
    '\tif err != nil || next == "" {',
    '\t\tt.Fatalf("list: next %q, error %v", next, err)',
    '\t}',
    '\tsameJSON(t, keys(page), []string{"a/1", "a/2"})',
    '\tpage, next, err = repo.List(ctx, "a/", Page{Size: 2, Token: next})',
    '\tif err != nil || next != "" {',
    '\t\tt.Fatalf("list the last page: next %q, error %v", next, err)',
    '\t}',
    '\tsameJSON(t, keys(page), []string{"a/3"})',
    '\tpage, _, err = repo.List(ctx, "", Page{})',
    '\tif err != nil {',
    '\t\tt.Fatalf("list all: %v", err)',
    '\t}',
    '\tsameJSON(t, keys(page), []string{"a/1", "a/2", "a/3", "b/1"})',
    '\t_, _, err = repo.List(ctx, "", Page{Token: "!"})',
    `\twantKind(t, err, ${errs}.KindInvalidArgument, "list with a token this store did not issue")`,
    '\tif err := repo.Update(ctx, withKey("a/1")); err != nil {',
    '\t\tt.Fatalf("update: %v", err)',
    '\t}',
    `\twantKind(t, repo.Update(ctx, withKey("a/9")), ${errs}.KindNotFound, "update a missing key")`,
    '\tif err := repo.Delete(ctx, "a/1"); err != nil {',
    '\t\tt.Fatalf("delete: %v", err)',
    '\t}',
    `\twantKind(t, repo.Delete(ctx, "a/1"), ${errs}.KindNotFound, "delete twice")`,
    '\t_, err = repo.Get(ctx, "a/1")',
    `\twantKind(t, err, ${errs}.KindNotFound, "get a deleted key")`,
    '}',
  );
  for (const r of resources) {
    const name = entityName(layout, r);
    const type = `${f.use(layout.messageType(r.entity.fullName).importPath, layout.goPackage(r.entity.file).name)}.${name}`;
    const kind = `${name.charAt(0).toLowerCase()}${name.slice(1)}Kind`;
    const run = (label: string, repo: string) => [`\tt.Run(${goString(label)}, func(t *${testing}.T) {`, `\t\ttestMessages(t, ${repo}, ${kind}, withKey)`, '\t})'];
    const dbtest = sql ? f.use(runtimeImport(layout, 'dbtest')) : '';
    const migrations = sql ? `${f.use(`${layout.module}/${MIGRATIONS_DIR}`)}.FS` : '';
    f.add(
      `// Test${name}Repository runs the ${name} repository against the Messages contract.`,
      `func Test${name}Repository(t *${testing}.T) {`,
      `\twithKey := func(key string) *${type} {`,
      `\t\treturn &${type}{${goCamelCase(r.key.name)}: key}`,
      '\t}',
      ...run('memory', `NewMemory${name}Repository()`),
      ...(sql ? [...run('sqlite', `NewSQL${name}Repository(${dbtest}.SQLite(t, ${migrations}))`), ...run('postgres', `NewSQL${name}Repository(${dbtest}.Postgres(t, ${migrations}))`)] : []),
      '}',
    );
  }
  return f;
}

function repositoriesFile(layout: ProtoLayout, resources: MessageResource[]): GoFile {
  const f = new GoFile('internal/service/repositories.gen.go', 'service');
  const repo = resources.length > 0 ? f.use(`${layout.module}/internal/repository`) : '';
  f.add(
    '// Repositories holds the data access of every resource the contract defines.',
    'type Repositories struct {',
    ...resources.map((r) => `\t${repoField(r)}\v${repo}.${entityName(layout, r)}Repository`),
    '}',
  );
  return f;
}

/** The Repositories literal of cmd/<name>/wire.go: over the SQL database `db` when given, in memory otherwise. */
export function repositoriesLiteral(layout: ProtoLayout, f: GoFile, resources: MessageResource[], db: string | undefined): string[] {
  const svc = f.use(`${layout.module}/internal/service`);
  if (resources.length === 0) return [`${svc}.Repositories{}`];
  const repo = f.use(`${layout.module}/internal/repository`);
  return [
    `${svc}.Repositories{`,
    ...resources.map((r) => `\t${repoField(r)}:\v${repo}.${db ? `NewSQL${entityName(layout, r)}Repository(${db})` : `NewMemory${entityName(layout, r)}Repository()`},`),
    '}',
  ];
}

import type { ObjectDecl, Resource } from '../../model/types.js';
import { exampleFor } from '../../model/examples.js';
import { words } from '../../model/names.js';
import type { Artifact } from '../artifact.js';
import { usesSql } from '../database.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goRawString, goString } from './naming.js';
import { goConcurrency, goKey } from './sql.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';
import { MIGRATIONS_DIR } from '../sql/migrations.js';

const DIR = 'internal/repository';

/**
 * The repositories' own tests: one suite per resource, run against every
 * store the service has — in memory, and for SQL services SQLite (always)
 * and PostgreSQL (when DATABASE_URL points at a server).
 */
export function renderRepositoryTests(gm: GoModel): Artifact[] {
  return gm.model.resources.map((r) => repositoryTest(gm, r).toArtifact(localImportPrefix(gm.settings)));
}

/** A JSON record of the entity with every field set, read-only ones included. */
function sampleJSON(gm: GoModel, entity: ObjectDecl): string {
  const out: Record<string, unknown> = {};
  for (const f of entity.fields) out[f.name] = f.example ?? f.default ?? exampleFor(f.type, gm.decls, f.constraints, 1);
  return JSON.stringify(out);
}

function repositoryTest(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const entity = gm.decl(r.entity) as ObjectDecl;
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName(DIR, `${fileStem(name)}_repository`, '_gen_test.go'), 'repository');
  const testing = f.use('testing');
  const ctxPkg = f.use('context');
  const fmt = f.use('fmt');
  const json = f.use('encoding/json');
  const models = f.use(gm.modelsPkg);
  const errs = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const key = goKey(gm, r);
  const idGo = key.field;
  const cc = goConcurrency(gm, r, f);
  // An identifier no record has: the database counts from 1.
  const missing = key.type === 'string' ? '"missing"' : '-1';
  const repoType = `${name}Repository`;
  const sample = `sample${name}`;
  const suite = `test${repoType}`;

  // Multi-line literals: gofmt breaks long one-line ones itself.
  const store = (label: string, repo: string) => [`\tt.Run(${goString(label)}, func(t *${testing}.T) {`, `\t\t${suite}(t, ${repo})`, '\t})'];
  const stores = store('memory', `NewMemory${repoType}()`);
  if (usesSql(gm.model, gm.settings.database)) {
    const dbtest = f.use(runtimeImport(gm.settings, 'dbtest'));
    const migrations = `${f.use(`${gm.settings.module}/${MIGRATIONS_DIR}`)}.FS`;
    stores.push(
      ...store('sqlite', `NewSQL${repoType}(${dbtest}.SQLite(t, ${migrations}))`),
      ...store('postgres', `NewSQL${repoType}(${dbtest}.Postgres(t, ${migrations}))`),
    );
  }
  f.add(
    `// Test${repoType} runs the same suite against every store of ${noun} records.`,
    `func Test${repoType}(t *${testing}.T) {`,
    ...stores,
    '}',
  );

  f.add(
    key.database
      ? `// ${sample} returns a complete ${noun} record without an identifier, which the store assigns.`
      : `// ${sample} returns a complete ${noun} record whose identifier sorts by i.`,
    `func ${sample}(t *${testing}.T, i int) *${models}.${name} {`,
    '\tt.Helper()',
    `\tvar v ${models}.${name}`,
    `\tif err := ${json}.Unmarshal([]byte(${goRawString(sampleJSON(gm, entity))}), &v); err != nil {`,
    `\t\tt.Fatalf("sample ${noun}: %v", err)`,
    '\t}',
    key.database ? `\tv.${idGo} = 0` : key.type === 'string' ? `\tv.${idGo} = ${fmt}.Sprintf("id-%03d", i)` : `\tv.${idGo} = ${key.type}(i)`,
    '\treturn &v',
    '}',
  );

  // A field the update step changes, to see the change stored.
  const changeable = entity.fields.find(
    (x) => x.name !== r.idField && x.name !== r.concurrency?.field && x.type.kind === 'scalar' && x.type.scalar === 'string',
  );
  const change: string[] = [];
  if (changeable) {
    const field = `changed.${gm.fieldName(entity, changeable)}`;
    if (gm.fieldIsPointer(changeable)) change.push('\tvalue := "changed"', `\t${field} = &value`);
    else change.push(`\t${field} = "changed"`);
  }
  const stale: string[] = [];
  if (cc) {
    const value = cc.kind === 'version' ? `${cc.type}(12345)` : '"stale"';
    stale.push(
      '',
      `\t// A write based on an outdated ${cc.kind} is refused.`,
      `\tstale := ${sample}(t, 1)`,
      ...(key.database ? [`\tstale.${idGo} = want.${idGo}`] : []),
      ...(cc.pointer ? [`\told := ${value}`, `\tstale.${cc.field} = &old`] : [`\tstale.${cc.field} = ${value}`]),
      `\twantKind(t, repo.Update(ctx, stale), ${errs}.KindConflict, "update with a stale ${cc.kind}")`,
    );
  }

  f.add(
    `// ${suite} checks the ${repoType} contract on an empty store: create, get,`,
    '// update, list page by page, delete, and the errors of each.',
    `func ${suite}(t *${testing}.T, repo ${repoType}) {`,
    `\tctx := ${ctxPkg}.Background()`,
    '',
    `\twant := ${sample}(t, 1)`,
    '\tif err := repo.Create(ctx, want); err != nil {',
    '\t\tt.Fatalf("create: %v", err)',
    '\t}',
    `\tgot, err := repo.Get(ctx, want.${idGo})`,
    '\tif err != nil {',
    '\t\tt.Fatalf("get: %v", err)',
    '\t}',
    '\tsameJSON(t, got, want)',
    ...(key.database
      ? [`\tif want.${idGo} == 0 {`, '\t\tt.Fatal("create assigned no identifier")', '\t}']
      : [`\twantKind(t, repo.Create(ctx, ${sample}(t, 1)), ${errs}.KindAlreadyExists, "create a duplicate")`]),
    '',
    `\t_, err = repo.Get(ctx, ${missing})`,
    `\twantKind(t, err, ${errs}.KindNotFound, "get a missing ${noun}")`,
    ...(key.database ? [`\tabsent := ${sample}(t, 99)`, `\tabsent.${idGo} = ${missing}`] : []),
    `\twantKind(t, repo.Update(ctx, ${key.database ? 'absent' : `${sample}(t, 99)`}), ${errs}.KindNotFound, "update a missing ${noun}")`,
    `\twantKind(t, repo.Delete(ctx, ${missing}), ${errs}.KindNotFound, "delete a missing ${noun}")`,
    '',
    `\tchanged := ${sample}(t, 1)`,
    ...(key.database ? [`\tchanged.${idGo} = want.${idGo}`] : []),
    ...change,
    ...(cc ? [`\tchanged.${cc.field} = got.${cc.field}`] : []),
    '\tif err := repo.Update(ctx, changed); err != nil {',
    '\t\tt.Fatalf("update: %v", err)',
    '\t}',
    `\tif got, err = repo.Get(ctx, want.${idGo}); err != nil {`,
    '\t\tt.Fatalf("get after update: %v", err)',
    '\t}',
    '\tsameJSON(t, got, changed)',
    ...stale,
    '',
    `\tcreated := []${key.type}{want.${idGo}}`,
    '\tfor i := 2; i <= 5; i++ {',
    `\t\tv := ${sample}(t, i)`,
    '\t\tif err := repo.Create(ctx, v); err != nil {',
    '\t\t\tt.Fatalf("create %d: %v", i, err)',
    '\t\t}',
    `\t\tcreated = append(created, v.${idGo})`,
    '\t}',
    `\tvar ids []${key.type}`,
    '\tpage := Page{Size: 2}',
    '\tfor pages := 1; ; pages++ {',
    '\t\titems, next, err := repo.List(ctx, page)',
    '\t\tif err != nil {',
    '\t\t\tt.Fatalf("list page %d: %v", pages, err)',
    '\t\t}',
    '\t\tif len(items) > page.Size || (next != "" && len(items) != page.Size) {',
    '\t\t\tt.Fatalf("list page %d: %d items, next %q", pages, len(items), next)',
    '\t\t}',
    '\t\tfor _, item := range items {',
    `\t\t\tids = append(ids, item.${idGo})`,
    '\t\t}',
    '\t\tif next == "" {',
    '\t\t\tbreak',
    '\t\t}',
    '\t\tif pages > 5 {',
    '\t\t\tt.Fatal("list does not end")',
    '\t\t}',
    '\t\tpage.Token = next',
    '\t}',
    '\t// Identifiers sort in the order the records were created.',
    `\tif ${fmt}.Sprint(ids) != ${fmt}.Sprint(created) {`,
    '\t\tt.Fatalf("listed %v, want %v in that order", ids, created)',
    '\t}',
    '\t_, _, err = repo.List(ctx, Page{Token: "not a token!"})',
    `\twantKind(t, err, ${errs}.KindInvalidArgument, "list with a bad page token")`,
    '',
    `\tif err := repo.Delete(ctx, want.${idGo}); err != nil {`,
    '\t\tt.Fatalf("delete: %v", err)',
    '\t}',
    `\t_, err = repo.Get(ctx, want.${idGo})`,
    `\twantKind(t, err, ${errs}.KindNotFound, ${goString(`get a deleted ${noun}`)})`,
    '',
    '\t// Concurrent writers all succeed.',
    '\tdone := make(chan error)',
    '\tfor i := 10; i < 20; i++ {',
    `\t\tgo func(v *${models}.${name}) {`,
    '\t\t\tdone <- repo.Create(ctx, v)',
    `\t\t}(${sample}(t, i))`,
    '\t}',
    '\tfor i := 10; i < 20; i++ {',
    '\t\tif err := <-done; err != nil {',
    '\t\t\tt.Errorf("concurrent create: %v", err)',
    '\t\t}',
    '\t}',
    '}',
  );
  return f;
}

import type { Resource } from '../../model/types.js';
import { words } from '../../model/names.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString } from './naming.js';
import { goKey, recordVar } from './sql.js';
import { localImportPrefix, runtimeImport } from '../runtimepkgs.js';

const DIR = 'internal/repository';

/**
 * The name a resource's records are cached under: the second segment of
 * their keys (`<service>:<resource>:id:<id>`), the `resource` label of the
 * cache metrics and the key of its TTL override (cache.ttls.<name>).
 */
export function cacheResourceName(r: Resource): string {
  return words(r.name).join('_') || 'resource';
}

/**
 * Per resource, a cache-aside decorator of its repository
 * (`Cached<Name>Repository` in internal/repository/<x>_cache.gen.go) and
 * its test, which runs the repository suite through the cache and checks
 * that a replica's copies stay until it is told to invalidate them.
 */
export function renderCachedRepositories(gm: GoModel): Artifact[] {
  const out: Artifact[] = [];
  for (const r of gm.model.resources) {
    out.push(renderCached(gm, r).toArtifact(localImportPrefix(gm.settings)));
    out.push(renderCachedTest(gm, r).toArtifact(localImportPrefix(gm.settings)));
  }
  return out;
}

function renderCached(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName(DIR, `${fileStem(name)}_cache`, '.gen.go'), 'repository');
  const ctx = f.use('context');
  const time = f.use('time');
  const strconv = f.use('strconv');
  const cache = f.use(runtimeImport(gm.settings, 'cache'));
  const models = f.use(gm.modelsPkg);
  const key = goKey(gm, r);
  const type = `Cached${name}Repository`;
  const inner = `${name}Repository`;
  const page = `cached${name}Page`;
  const resource = goString(cacheResourceName(r));
  const v = recordVar(r);
  const idString = key.type === 'string' ? 'id' : key.type === 'int64' ? `${strconv}.FormatInt(id, 10)` : `${strconv}.FormatInt(int64(id), 10)`;

  f.add(
    ...comment(
      `${type} is a ${inner} that keeps the ${noun} records read through it in a cache (cache-aside): Get and List answer from the cache and fill it from the wrapped repository on a miss; Create, Update and Delete go to the wrapped repository, then drop what they made stale: the record and every cached list page, and what loads in flight would cache. Other replicas keep their copies (in their memory) until told with Invalidate, or until they expire.`,
    ),
    `type ${type} struct {`,
    `\tinner\v${inner}`,
    `\tcache\v${cache}.Cache`,
    `\tttl\v${time}.Duration`,
    '\tservice\vstring',
    `\tloads\v${cache}.Group`,
    `\tbypass\vfunc(ctx ${ctx}.Context) bool`,
    '}',
  );
  f.add(`var _ ${inner} = (*${type})(nil)`);
  f.add(
    ...comment(`New${type} caches inner's ${noun} records in c for ttl, under keys that start with the service's name: <service>:${cacheResourceName(r)}:...`),
    `func New${type}(inner ${inner}, c ${cache}.Cache, ttl ${time}.Duration, service string) *${type} {`,
    `\treturn &${type}{inner: inner, cache: c, ttl: ttl, service: service}`,
    '}',
  );
  f.add(
    '// BypassWhen sends the reads for which skip is true to the wrapped',
    '// repository, past the cache: given the database\'s InTransaction, a',
    '// transaction neither reads copies older than its own writes nor caches',
    '// what it has not committed. Call it before the repository is used.',
    `func (r *${type}) BypassWhen(skip func(ctx ${ctx}.Context) bool) {`,
    '\tr.bypass = skip',
    '}',
  );
  f.add(
    ...comment(`Create stores ${v} in the wrapped repository, then drops the cached list pages.`),
    `func (r *${type}) Create(ctx ${ctx}.Context, ${v} *${models}.${name}) error {`,
    `\terr := r.inner.Create(ctx, ${v})`,
    '\tr.loads.Forget()',
    '\tr.cache.Delete(ctx, r.listGenerationKey())',
    '\treturn err',
    '}',
  );
  f.add(
    ...comment(`Get returns the cached ${noun}, or the wrapped repository's, which it caches.`),
    `func (r *${type}) Get(ctx ${ctx}.Context, id ${key.type}) (*${models}.${name}, error) {`,
    '\tif r.bypassed(ctx) {',
    '\t\treturn r.inner.Get(ctx, id)',
    '\t}',
    `\treturn ${cache}.Load(ctx, r.cache, &r.loads, r.recordKey(id), r.ttl, func(ctx ${ctx}.Context) (*${models}.${name}, error) {`,
    '\t\treturn r.inner.Get(ctx, id)',
    '\t})',
    '}',
  );
  f.add(
    ...comment(`${page} is a page of ${noun} records as the cache keeps it.`),
    `type ${page} struct {`,
    `\tItems\v[]${models}.${name}\v\`json:"items"\``,
    `\tNext\vstring\v\`json:"next"\``,
    '}',
  );
  f.add(
    '// List returns the cached page, or the wrapped repository\'s, which it',
    '// caches under the current list generation: a write starts a new one.',
    `func (r *${type}) List(ctx ${ctx}.Context, page Page) ([]${models}.${name}, string, error) {`,
    '\tif r.bypassed(ctx) {',
    '\t\treturn r.inner.List(ctx, page)',
    '\t}',
    `\tgeneration := ${cache}.Generation(ctx, r.cache, r.listGenerationKey(), r.ttl)`,
    `\tkey := ${cache}.Key(r.service, ${resource}, "list", generation, page.Token, ${strconv}.Itoa(page.limit()))`,
    `\tp, err := ${cache}.Load(ctx, r.cache, &r.loads, key, r.ttl, func(ctx ${ctx}.Context) (${page}, error) {`,
    '\t\titems, next, err := r.inner.List(ctx, page)',
    `\t\treturn ${page}{Items: items, Next: next}, err`,
    '\t})',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\treturn p.Items, p.Next, nil',
    '}',
  );
  f.add(
    ...comment(`Update replaces the ${noun} in the wrapped repository, then drops its cached copy and the cached list pages (even when the update failed: it may have happened all the same).`),
    `func (r *${type}) Update(ctx ${ctx}.Context, ${v} *${models}.${name}) error {`,
    `\terr := r.inner.Update(ctx, ${v})`,
    `\tr.Invalidate(ctx, ${v}.${key.field})`,
    '\treturn err',
    '}',
  );
  f.add(
    ...comment(`Delete removes the ${noun} from the wrapped repository, then drops its cached copy and the cached list pages.`),
    `func (r *${type}) Delete(ctx ${ctx}.Context, id ${key.type}) error {`,
    '\terr := r.inner.Delete(ctx, id)',
    '\tr.Invalidate(ctx, id)',
    '\treturn err',
    '}',
  );
  f.add(
    ...comment(
      `Invalidate drops the cached ${noun} with identifier id and the cached list pages. Call it on every replica when a ${noun} changed elsewhere (on its created, updated and deleted events): the writer's own cache is up to date, the others' memory is not.`,
    ),
    `func (r *${type}) Invalidate(ctx ${ctx}.Context, id ${key.type}) {`,
    '\tkey := r.recordKey(id)',
    '\tr.loads.Forget(key)',
    '\tr.cache.Delete(ctx, key, r.listGenerationKey())',
    '}',
  );
  f.add(
    `func (r *${type}) bypassed(ctx ${ctx}.Context) bool {`,
    '\treturn r.bypass != nil && r.bypass(ctx)',
    '}',
  );
  f.add(
    ...comment(`recordKey is the key of the ${noun} with identifier id.`),
    `func (r *${type}) recordKey(id ${key.type}) string {`,
    `\treturn ${cache}.Key(r.service, ${resource}, "id", ${idString})`,
    '}',
  );
  f.add(
    '// listGenerationKey is the key of the stamp in every cached list page\'s key.',
    `func (r *${type}) listGenerationKey() string {`,
    `\treturn ${cache}.Key(r.service, ${resource}, "listgen")`,
    '}',
  );
  return f;
}

/**
 * The decorator's test: the repository suite (repotests.ts's
 * test<Name>Repository) through the cache, then two replicas over one store.
 */
function renderCachedTest(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName(DIR, `${fileStem(name)}_cache`, '_gen_test.go'), 'repository');
  const testing = f.use('testing');
  const ctxPkg = f.use('context');
  const time = f.use('time');
  const cache = f.use(runtimeImport(gm.settings, 'cache'));
  const errs = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const key = goKey(gm, r);
  const type = `Cached${name}Repository`;
  const newCached = (store: string) => `New${type}(${store}, openCache(), ${time}.Minute, "test")`;
  const list = (repo: string, want: number, what: string) => [
    `\tif items, _, err := ${repo}.List(ctx, Page{}); err != nil || len(items) != ${want} {`,
    `\t\tt.Fatalf(${goString(`${what}: %d ${noun} records (%v), want ${want}`)}, len(items), err)`,
    '\t}',
  ];
  f.add(
    ...comment(`Test${type} runs the ${noun} repository suite through the cache, then checks that a replica serves its cached copies until told to invalidate them.`),
    `func Test${type}(t *${testing}.T) {`,
    `\topenCache := func() ${cache}.Cache {`,
    `\t\tc, closeCache, err := ${cache}.Open(${cache}.Config{Memory: ${cache}.MemoryConfig{Enabled: true}}, nil, nil)`,
    '\t\tif err != nil {',
    '\t\t\tt.Fatalf("open the cache: %v", err)',
    '\t\t}',
    '\t\tt.Cleanup(func() { _ = closeCache() })',
    '\t\treturn c',
    '\t}',
    `\tt.Run("suite", func(t *${testing}.T) {`,
    `\t\ttest${name}Repository(t, ${newCached(`NewMemory${name}Repository()`)})`,
    '\t})',
    `\tt.Run("replicas", func(t *${testing}.T) {`,
    `\t\tctx := ${ctxPkg}.Background()`,
    `\t\tstore := NewMemory${name}Repository()`,
    `\t\ta := ${newCached('store')}`,
    `\t\tb := ${newCached('store')}`,
    `\t\tfirst := sample${name}(t, 1)`,
    '\t\tif err := a.Create(ctx, first); err != nil {',
    '\t\t\tt.Fatalf("create: %v", err)',
    '\t\t}',
    `\t\tif _, err := b.Get(ctx, first.${key.field}); err != nil {`,
    '\t\t\tt.Fatalf("get on b: %v", err)',
    '\t\t}',
    ...list('b', 1, 'b lists').map((l) => `\t${l}`),
    '',
    '\t\t// a\'s writes show on a at once, on b once it invalidates.',
    `\t\tsecond := sample${name}(t, 2)`,
    '\t\tif err := a.Create(ctx, second); err != nil {',
    '\t\t\tt.Fatalf("create another: %v", err)',
    '\t\t}',
    ...list('a', 2, 'a lists after its create').map((l) => `\t${l}`),
    ...list('b', 1, 'b lists before invalidating').map((l) => `\t${l}`),
    `\t\tb.Invalidate(ctx, second.${key.field})`,
    ...list('b', 2, 'b lists after invalidating').map((l) => `\t${l}`),
    '',
    `\t\tif err := a.Delete(ctx, first.${key.field}); err != nil {`,
    '\t\t\tt.Fatalf("delete on a: %v", err)',
    '\t\t}',
    `\t\t_, err := a.Get(ctx, first.${key.field})`,
    `\t\twantKind(t, err, ${errs}.KindNotFound, ${goString(`get a deleted ${noun} on a`)})`,
    `\t\tif _, err := b.Get(ctx, first.${key.field}); err != nil {`,
    '\t\t\tt.Fatalf("get on b before invalidating: %v, want its cached copy", err)',
    '\t\t}',
    `\t\tb.Invalidate(ctx, first.${key.field})`,
    `\t\t_, err = b.Get(ctx, first.${key.field})`,
    `\t\twantKind(t, err, ${errs}.KindNotFound, ${goString(`get a deleted ${noun} on b after invalidating`)})`,
    ...list('b', 1, 'b lists after the delete').map((l) => `\t${l}`),
    '\t})',
    '}',
  );
  return f;
}

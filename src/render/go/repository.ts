import type { Resource } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString } from './naming.js';
import { words } from '../../model/names.js';
import { applyNext, firstVersion, goConcurrency, goKey, nextVersion, recordVar, staleError } from './sql.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** Per resource: the repository interface and its in-memory implementation. */
export function renderRepositories(gm: GoModel): Artifact[] {
  const out: Artifact[] = [];
  for (const r of gm.model.resources) {
    out.push(renderInterface(gm, r).toArtifact(localImportPrefix(gm.settings)));
    out.push(renderMemory(gm, r).toArtifact(localImportPrefix(gm.settings)));
  }
  return out;
}

function renderInterface(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName('internal/repository', fileStem(name), '.gen.go', ['page.go']), 'repository');
  const ctx = f.use('context');
  const models = f.use(gm.modelsPkg);
  const key = goKey(gm, r);
  f.add(
    `// ${name}Repository stores ${noun} records. Implementations return`,
    ...(key.database
      ? ['// apperrors.NotFound for a missing record; the store assigns identifiers.']
      : ['// apperrors.NotFound for a missing record and apperrors.AlreadyExists for a', '// duplicate identifier.']),
    `type ${name}Repository interface {`,
    key.database ? `\t// Create stores a new ${noun} and sets the identifier the store assigned.` : `\t// Create stores a new ${noun}.`,
    `\tCreate(ctx ${ctx}.Context, ${local(name)} *${models}.${name}) error`,
    `\t// Get returns the ${noun} with the given identifier.`,
    `\tGet(ctx ${ctx}.Context, id ${key.type}) (*${models}.${name}, error)`,
    `\t// List returns one page of ${noun} records in a stable order and the token`,
    '\t// of the next page, empty on the last page.',
    `\tList(ctx ${ctx}.Context, page Page) ([]${models}.${name}, string, error)`,
    `\t// Update replaces a stored ${noun}.`,
    `\tUpdate(ctx ${ctx}.Context, ${local(name)} *${models}.${name}) error`,
    `\t// Delete removes the ${noun} with the given identifier.`,
    `\tDelete(ctx ${ctx}.Context, id ${key.type}) error`,
    '}',
  );
  return f;
}

function local(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function renderMemory(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName('internal/repository', `${fileStem(name)}_memory`, '.gen.go'), 'repository');
  const ctx = f.use('context');
  const models = f.use(gm.modelsPkg);
  const errs = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const sync = f.use('sync');
  const key = goKey(gm, r);
  const idOf = (v: string) => `${v}.${key.field}`;
  const type = `Memory${name}Repository`;
  const v = recordVar(r);
  const cc = goConcurrency(gm, r, f);
  const missing = (id: string) => `${errs}.NotFound(${goString(`${noun} ${key.verb} not found`)}, ${id})`;
  f.add(
    `// ${type} keeps ${noun} records in memory, guarded by a mutex, for tests`,
    '// and for services whose svc.yaml says database: memory; its data is lost on restart.',
    `type ${type} struct {`,
    `\tmu\v${sync}.RWMutex`,
    `\titems\vmap[${key.type}]${models}.${name}`,
    ...(key.database ? ['\t// last is the identifier assigned last.', `\tlast\v${key.type}`] : []),
    '}',
  );
  f.add(`var _ ${name}Repository = (*${type})(nil)`);
  f.add(
    `// New${type} returns an empty in-memory ${noun} repository.`,
    `func New${type}() *${type} {`,
    `\treturn &${type}{items: make(map[${key.type}]${models}.${name})}`,
    '}',
  );
  f.add(
    key.database ? `// Create stores a copy of ${v} under the next identifier, which it sets on ${v}.` : `// Create stores a copy of ${v}.`,
    `func (r *${type}) Create(_ ${ctx}.Context, ${v} *${models}.${name}) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    ...(key.database
      ? ['\tr.last++', `\t${idOf(v)} = r.last`]
      : [`\tif _, ok := r.items[${idOf(v)}]; ok {`, `\t\treturn ${errs}.AlreadyExists(${goString(`${noun} ${key.verb} already exists`)}, ${idOf(v)})`, '\t}']),
    ...(cc ? firstVersion(cc, v, f) : []),
    `\tr.items[${idOf(v)}] = *${v}`,
    '\treturn nil',
    '}',
  );
  f.add(
    `// Get returns a copy of the stored ${noun}.`,
    `func (r *${type}) Get(_ ${ctx}.Context, id ${key.type}) (*${models}.${name}, error) {`,
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    `\t${v}, ok := r.items[id]`,
    '\tif !ok {',
    `\t\treturn nil, ${missing('id')}`,
    '\t}',
    `\treturn &${v}, nil`,
    '}',
  );
  const integer = key.type !== 'string';
  // Integer keys compare as int64, the type of their page tokens.
  const wide = (x: string) => (key.type === 'int32' ? `int64(${x})` : x);
  f.add(
    '// List returns records ordered by identifier; the page token is the last',
    '// identifier of the previous page.',
    `func (r *${type}) List(_ ${ctx}.Context, page Page) ([]${models}.${name}, string, error) {`,
    integer ? `\tafter, err := decodeIntPageToken(page.Token, ${key.bits})` : '\tafter, err := decodePageToken(page.Token)',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\tsize := page.limit()',
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    `\tids := make([]${key.type}, 0, len(r.items))`,
    '\tfor id := range r.items {',
    `\t\tif ${wide('id')} > after {`,
    '\t\t\tids = append(ids, id)',
    '\t\t}',
    '\t}',
    integer ? `\t${f.use('slices')}.Sort(ids)` : `\t${f.use('sort')}.Strings(ids)`,
    `\titems := make([]${models}.${name}, 0, min(size, len(ids)))`,
    '\tfor _, id := range ids {',
    '\t\tif len(items) == size {',
    `\t\t\treturn items, ${integer ? `encodeIntPageToken(${wide(`items[len(items)-1].${key.field}`)})` : `encodePageToken(items[len(items)-1].${key.field})`}, nil`,
    '\t\t}',
    '\t\titems = append(items, r.items[id])',
    '\t}',
    '\treturn items, "", nil',
    '}',
  );
  f.add(
    `// Update replaces the stored ${noun} with a copy of ${v}.`,
    `func (r *${type}) Update(_ ${ctx}.Context, ${v} *${models}.${name}) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    ...(cc ? [`\tstored, ok := r.items[${idOf(v)}]`, '\tif !ok {'] : [`\tif _, ok := r.items[${idOf(v)}]; !ok {`]),
    `\t\treturn ${missing(idOf(v))}`,
    '\t}',
    ...(cc
      ? [
          ...nextVersion(cc, v, f),
          `\tif ${cc.pointer ? `stored.${cc.field} == nil || *stored.${cc.field}` : `stored.${cc.field}`} != current {`,
          `\t\treturn ${staleError(cc, noun, errs, idOf(v), key.verb)}`,
          '\t}',
          applyNext(cc, v),
        ]
      : []),
    `\tr.items[${idOf(v)}] = *${v}`,
    '\treturn nil',
    '}',
  );
  f.add(
    `// Delete removes the stored ${noun}.`,
    `func (r *${type}) Delete(_ ${ctx}.Context, id ${key.type}) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    '\tif _, ok := r.items[id]; !ok {',
    `\t\treturn ${missing('id')}`,
    '\t}',
    '\tdelete(r.items, id)',
    '\treturn nil',
    '}',
  );
  return f;
}

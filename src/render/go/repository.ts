import type { ObjectDecl, Resource } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString } from './naming.js';
import { words } from '../../model/names.js';
import { applyNext, firstVersion, goConcurrency, nextVersion, recordVar, staleError } from './sql.js';

/** Per resource: the repository interface and its in-memory implementation. */
export function renderRepositories(gm: GoModel): Artifact[] {
  const out: Artifact[] = [];
  for (const r of gm.model.resources) {
    out.push(renderInterface(gm, r).toArtifact(gm.settings.module));
    out.push(renderMemory(gm, r).toArtifact(gm.settings.module));
  }
  return out;
}

/** The Go field holding a resource's identifier (always a required string: see recogniseResources). */
function idField(gm: GoModel, r: Resource): string {
  const entity = gm.decl(r.entity) as ObjectDecl;
  return gm.fieldName(entity, entity.fields.find((f) => f.name === r.idField)!);
}

function renderInterface(gm: GoModel, r: Resource): GoFile {
  const name = gm.typeName(r.entity);
  const noun = words(r.name).join(' ');
  const f = new GoFile(gm.fileName('internal/repository', fileStem(name), '.gen.go', ['page.go']), 'repository');
  const ctx = f.use('context');
  const models = f.use(gm.modelsPkg);
  f.add(
    `// ${name}Repository stores ${noun} records. Implementations return`,
    '// apperrors.NotFound for a missing record and apperrors.AlreadyExists for a',
    '// duplicate identifier.',
    `type ${name}Repository interface {`,
    `\t// Create stores a new ${noun}.`,
    `\tCreate(ctx ${ctx}.Context, ${local(name)} *${models}.${name}) error`,
    `\t// Get returns the ${noun} with the given identifier.`,
    `\tGet(ctx ${ctx}.Context, id string) (*${models}.${name}, error)`,
    `\t// List returns one page of ${noun} records in a stable order and the token`,
    '\t// of the next page, empty on the last page.',
    `\tList(ctx ${ctx}.Context, page Page) ([]${models}.${name}, string, error)`,
    `\t// Update replaces a stored ${noun}.`,
    `\tUpdate(ctx ${ctx}.Context, ${local(name)} *${models}.${name}) error`,
    `\t// Delete removes the ${noun} with the given identifier.`,
    `\tDelete(ctx ${ctx}.Context, id string) error`,
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
  const errs = f.use(`${gm.settings.module}/pkg/errors`, 'apperrors');
  const sync = f.use('sync');
  const sort = f.use('sort');
  const id = idField(gm, r);
  const idOf = (v: string) => `${v}.${id}`;
  const type = `Memory${name}Repository`;
  const v = recordVar(r);
  const cc = goConcurrency(gm, r, f);
  f.add(
    `// ${type} keeps ${noun} records in memory, guarded by a mutex, for tests`,
    '// and for services whose svc.yaml says database: memory; its data is lost on restart.',
    `type ${type} struct {`,
    `\tmu\v${sync}.RWMutex`,
    `\titems\vmap[string]${models}.${name}`,
    '}',
  );
  f.add(`var _ ${name}Repository = (*${type})(nil)`);
  f.add(
    `// New${type} returns an empty in-memory ${noun} repository.`,
    `func New${type}() *${type} {`,
    `\treturn &${type}{items: make(map[string]${models}.${name})}`,
    '}',
  );
  f.add(
    `// Create stores a copy of ${v}.`,
    `func (r *${type}) Create(_ ${ctx}.Context, ${v} *${models}.${name}) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    `\tif _, ok := r.items[${idOf(v)}]; ok {`,
    `\t\treturn ${errs}.AlreadyExists(${goString(`${noun} %q already exists`)}, ${idOf(v)})`,
    '\t}',
    ...(cc ? firstVersion(cc, v, f) : []),
    `\tr.items[${idOf(v)}] = *${v}`,
    '\treturn nil',
    '}',
  );
  f.add(
    `// Get returns a copy of the stored ${noun}.`,
    `func (r *${type}) Get(_ ${ctx}.Context, id string) (*${models}.${name}, error) {`,
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    `\t${v}, ok := r.items[id]`,
    '\tif !ok {',
    `\t\treturn nil, ${errs}.NotFound(${goString(`${noun} %q not found`)}, id)`,
    '\t}',
    `\treturn &${v}, nil`,
    '}',
  );
  f.add(
    '// List returns records ordered by identifier; the page token is the last',
    '// identifier of the previous page.',
    `func (r *${type}) List(_ ${ctx}.Context, page Page) ([]${models}.${name}, string, error) {`,
    '\tafter, err := decodePageToken(page.Token)',
    '\tif err != nil {',
    '\t\treturn nil, "", err',
    '\t}',
    '\tsize := page.limit()',
    '\tr.mu.RLock()',
    '\tdefer r.mu.RUnlock()',
    '\tids := make([]string, 0, len(r.items))',
    '\tfor id := range r.items {',
    '\t\tif id > after {',
    '\t\t\tids = append(ids, id)',
    '\t\t}',
    '\t}',
    `\t${sort}.Strings(ids)`,
    `\titems := make([]${models}.${name}, 0, min(size, len(ids)))`,
    '\tfor _, id := range ids {',
    '\t\tif len(items) == size {',
    `\t\t\treturn items, encodePageToken(items[len(items)-1].${id}), nil`,
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
    `\t\treturn ${errs}.NotFound(${goString(`${noun} %q not found`)}, ${idOf(v)})`,
    '\t}',
    ...(cc
      ? [
          ...nextVersion(cc, v, f),
          `\tif ${cc.pointer ? `stored.${cc.field} == nil || *stored.${cc.field}` : `stored.${cc.field}`} != current {`,
          `\t\treturn ${staleError(cc, noun, errs, idOf(v))}`,
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
    `func (r *${type}) Delete(_ ${ctx}.Context, id string) error {`,
    '\tr.mu.Lock()',
    '\tdefer r.mu.Unlock()',
    '\tif _, ok := r.items[id]; !ok {',
    `\t\treturn ${errs}.NotFound(${goString(`${noun} %q not found`)}, id)`,
    '\t}',
    '\tdelete(r.items, id)',
    '\treturn nil',
    '}',
  );
  return f;
}

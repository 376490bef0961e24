import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { planChanges } from '../../src/plan/plan.js';
import { hashContent, MANIFEST_PATH, readManifest } from '../../src/project/manifest.js';
import { artifact, GO_GENERATED_HEADER, type Artifact, type OperationFacts } from '../../src/render/artifact.js';
import type { FileSystem } from '../../src/fs/types.js';

const gen = (body: string) => `${GO_GENERATED_HEADER}\n\npackage x\n\n${body}\n`;

async function run(fs: FileSystem, files: Artifact[], force = false) {
  const manifest = await readManifest(fs);
  const plan = await planChanges(files, fs, manifest, { force, runId: 'run1' });
  const result = await applyPlan(plan, fs, manifest);
  return { plan, result, actions: Object.fromEntries(plan.changes.map((c) => [c.artifact.path, c.action])) };
}

describe('planner and ownership rules', () => {
  it('creates every file on an empty file system and records generated hashes', async () => {
    const fs = new MemoryFileSystem();
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 1')), artifact('b.go', 'package x\n')]);
    expect(actions).toEqual({ 'a.go': 'create', 'b.go': 'create' });
    const m = await readManifest(fs);
    expect(m.generated['a.go']).toBe(hashContent(gen('var A = 1')));
    expect(m.generated['b.go']).toBeUndefined();
    expect(m.created).toEqual({ 'b.go': { hash: hashContent('package x\n') } });
  });

  it('changes nothing, manifest included, when run again with the same artifacts', async () => {
    const fs = new MemoryFileSystem();
    const files = [artifact('a.go', gen('var A = 1')), artifact('b.go', 'package x\n')];
    await run(fs, files);
    const writes = fs.writes;
    const { actions, result } = await run(fs, files);
    expect(actions).toEqual({ 'a.go': 'unchanged', 'b.go': 'unchanged' });
    expect(result.written).toEqual([]);
    expect(result.manifestWritten).toBe(false);
    expect(fs.writes).toBe(writes);
  });

  it('overwrites an untouched generated file whose content changed', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1'))]);
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 2'))]);
    expect(actions['a.go']).toBe('overwrite');
    expect(await fs.read('a.go')).toBe(gen('var A = 2'));
  });

  it('never overwrites a user-owned file, even with --force', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('b.go', 'package x\n')]);
    await fs.write('b.go', 'package x\n\n// mine\n');
    for (const force of [false, true]) {
      const { actions } = await run(fs, [artifact('b.go', 'package x\n\nvar B = 2\n')], force);
      expect(actions['b.go']).toBe('skip');
      expect(await fs.read('b.go')).toBe('package x\n\n// mine\n');
    }
  });

  it('reports a hand-edited generated file as a conflict and leaves it, unless forced', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1'))]);
    await fs.write('a.go', gen('var A = 100 // edited'));
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 2'))]);
    expect(actions['a.go']).toBe('conflict');
    expect(await fs.read('a.go')).toBe(gen('var A = 100 // edited'));
    const forced = await run(fs, [artifact('a.go', gen('var A = 2'))], true);
    expect(forced.actions['a.go']).toBe('overwrite');
    expect(await fs.read('a.go')).toBe(gen('var A = 2'));
  });

  it('deletes a generated file the run no longer produces, and forgets it', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1')), artifact('old.go', gen('var Old = 1')), artifact('b.go', 'package x\n')]);
    const { actions, result } = await run(fs, [artifact('a.go', gen('var A = 1')), artifact('b.go', 'package x\n')]);
    expect(actions).toEqual({ 'a.go': 'unchanged', 'b.go': 'unchanged', 'old.go': 'delete' });
    expect(result.written).toEqual(['old.go']);
    expect(await fs.read('old.go')).toBeUndefined();
    expect((await readManifest(fs)).generated['old.go']).toBeUndefined();
    // A second run has nothing left to do.
    expect((await run(fs, [artifact('a.go', gen('var A = 1')), artifact('b.go', 'package x\n')])).result.written).toEqual([]);
  });

  it('keeps a no-longer-generated file that was edited by hand (a conflict, unless forced) or handed to the user', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('edited.go', gen('var E = 1')), artifact('mine.go', gen('var M = 1'))]);
    await fs.write('edited.go', gen('var E = 2 // edited'));
    await fs.write('mine.go', 'package x\n\nvar M = 1\n');
    const { actions } = await run(fs, []);
    expect(actions).toEqual({ 'edited.go': 'conflict' });
    expect(await fs.read('edited.go')).toBe(gen('var E = 2 // edited'));
    expect(await fs.read('mine.go')).toBe('package x\n\nvar M = 1\n');
    const forced = await run(fs, [], true);
    expect(forced.actions).toEqual({ 'edited.go': 'delete' });
    expect(await fs.read('edited.go')).toBeUndefined();
  });

  it('leaves stale files outside the planned scope alone', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1')), artifact('deploy/x.yaml', gen('x'))]);
    const manifest = await readManifest(fs);
    const plan = await planChanges([], fs, manifest, { scope: (p) => p.startsWith('deploy/'), produced: new Set(['deploy/x.yaml']) });
    expect(plan.changes).toEqual([]);
    const outside = await planChanges([], fs, manifest, { scope: (p) => p.startsWith('deploy/') });
    expect(outside.changes.map((c) => `${c.action} ${c.artifact.path}`)).toEqual(['delete deploy/x.yaml']);
  });

  it('hands a generated file to the user when its header is removed', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1'))]);
    await fs.write('a.go', 'package x\n\nvar A = 1 // now mine\n');
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 2'))], true);
    expect(actions['a.go']).toBe('skip');
  });

  it('treats a generated-looking file unknown to the manifest as a conflict', async () => {
    const fs = new MemoryFileSystem({ 'a.go': gen('var A = 0') });
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 1'))]);
    expect(actions['a.go']).toBe('conflict');
  });

  it('recognises the YAML/Makefile header as generated too', () => {
    expect(artifact('Makefile', '# Code generated by svc. DO NOT EDIT.\nall:\n').owner).toBe('generated');
    expect(artifact('x.yaml', 'a: 1\n').owner).toBe('user');
  });

  it('rejects a corrupt manifest with a clear error', async () => {
    const fs = new MemoryFileSystem({ [MANIFEST_PATH]: '{not json' });
    await expect(readManifest(fs)).rejects.toThrow(/not a valid svc manifest/);
  });

  it('updates a user-owned file while it is as svc created it, and keeps it once edited', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('b.go', 'package x\n')]);
    const updated = await run(fs, [artifact('b.go', 'package x\n\nvar B = 2\n')]);
    expect(updated.actions['b.go']).toBe('overwrite');
    expect((await readManifest(fs)).created['b.go']).toEqual({ hash: hashContent('package x\n\nvar B = 2\n') });
    await fs.write('b.go', 'package x\n\nvar B = 3 // mine\n');
    expect((await run(fs, [artifact('b.go', 'package x\n\nvar B = 4\n')])).actions['b.go']).toBe('skip');
    expect(await fs.read('b.go')).toBe('package x\n\nvar B = 3 // mine\n');
  });

  it('writes nothing at all, manifest included, when one file is in conflict', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1')), artifact('c.go', gen('var C = 1'))]);
    await fs.write('a.go', gen('var A = 100 // edited'));
    const before = new Map(fs.files);
    const { actions, result } = await run(fs, [artifact('a.go', gen('var A = 2')), artifact('c.go', gen('var C = 2')), artifact('d.go', gen('var D = 1'))]);
    expect(actions).toEqual({ 'a.go': 'conflict', 'c.go': 'overwrite', 'd.go': 'create' });
    expect(result).toEqual({ written: [], manifestWritten: false });
    expect(fs.files).toEqual(before);
  });

  it('--force saves a hand-edited file under .svc/backup/<run>/ before replacing or deleting it', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1')), artifact('old.go', gen('var Old = 1'))]);
    await fs.write('a.go', gen('var A = 100 // edited'));
    await fs.write('old.go', gen('var Old = 100 // edited'));
    const { plan, actions } = await run(fs, [artifact('a.go', gen('var A = 2'))], true);
    expect(actions).toEqual({ 'a.go': 'overwrite', 'old.go': 'delete' });
    expect(plan.changes.map((c) => c.backup)).toEqual(['.svc/backup/run1/a.go', '.svc/backup/run1/old.go']);
    expect(await fs.read('.svc/backup/run1/a.go')).toBe(gen('var A = 100 // edited'));
    expect(await fs.read('.svc/backup/run1/old.go')).toBe(gen('var Old = 100 // edited'));
    expect(await fs.read('a.go')).toBe(gen('var A = 2'));
  });

  it('puts every file back when a write fails half-way', async () => {
    const fs = new MemoryFileSystem();
    await run(fs, [artifact('a.go', gen('var A = 1')), artifact('old.go', gen('var Old = 1'))]);
    const before = new Map(fs.files);
    const failing: FileSystem = Object.create(fs, {
      write: { value: async (path: string, content: string) => (path === 'z.go' ? Promise.reject(new Error('disk full')) : fs.write(path, content)) },
    });
    await expect(run(failing, [artifact('a.go', gen('var A = 2')), artifact('b.go', gen('var B = 1')), artifact('z.go', gen('var Z = 1'))])).rejects.toThrow('disk full');
    expect(fs.files).toEqual(before);
  });

  it('reads a manifest of an older svc (created: a list of paths) and records hashes from then on', async () => {
    const fs = new MemoryFileSystem({
      [MANIFEST_PATH]: JSON.stringify({ version: 1, generated: { 'a.go': hashContent(gen('var A = 1')) }, created: ['b.go', 'c.go'] }),
      'a.go': gen('var A = 1'),
      'b.go': 'package x\n',
      'c.go': 'package x\n\n// mine\n',
    });
    const m = await readManifest(fs);
    expect(m.created).toEqual({ 'b.go': {}, 'c.go': {} });
    // Unknown hash: a differing user file is the user's; an identical one is recorded as svc's.
    const { actions } = await run(fs, [artifact('a.go', gen('var A = 1')), artifact('b.go', 'package x\n'), artifact('c.go', 'package x\n\nvar C = 1\n')]);
    expect(actions).toEqual({ 'a.go': 'unchanged', 'b.go': 'unchanged', 'c.go': 'skip' });
    const after = await readManifest(fs);
    expect(after.version).toBe(2);
    expect(after.created).toEqual({ 'b.go': { hash: hashContent('package x\n') }, 'c.go': {} });
  });

  describe('user-owned operation files', () => {
    const facts = (method: string, identity = `POST /things/{}/${method.toLowerCase()}`): OperationFacts => ({
      method,
      receiver: 'Service',
      identity,
      derived: [`${method}Request`, `${method}Response`, `${method}200Response`],
    });
    const stub = (method: string, body = '\treturn nil, nil') =>
      `package x\n\n// ${method} does it.\nfunc (s *Service) ${method}(ctx context.Context, req ${method}Request) (${method}Response, error) {\n${body}\n}\n`;
    const op = (path: string, method: string, identity?: string): Artifact => ({ ...artifact(path, stub(method)), operation: facts(method, identity) });

    it('records the operation facts and deletes an unedited stub whose operation is gone; forgets a deleted one', async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive'), op('svc/other.go', 'Other')]);
      expect((await readManifest(fs)).created['svc/archive.go']).toEqual({ hash: hashContent(stub('Archive')), operation: facts('Archive') });
      await fs.remove('svc/other.go');
      const { actions, plan } = await run(fs, []);
      expect(actions).toEqual({ 'svc/archive.go': 'delete' });
      expect(plan.orphans).toEqual([]);
      expect(plan.forgotten).toEqual(['svc/other.go']);
      expect((await readManifest(fs)).created).toEqual({});
    });

    it('keeps an edited stub whose operation is gone as an orphan, found again only while it exists', async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive')]);
      await fs.write('svc/archive.go', stub('Archive', '\treturn nil, nil // mine'));
      const first = await run(fs, []);
      expect(first.actions).toEqual({});
      expect(first.plan.orphans.map((o) => o.path)).toEqual(['svc/archive.go']);
      expect((await run(fs, [])).plan.orphans).toHaveLength(1);
      await fs.remove('svc/archive.go');
      expect((await run(fs, [])).plan.orphans).toEqual([]);
    });

    it('carries an edited stub to the renamed operation: new path, method and derived names renamed, body kept', async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive', 'POST /things/{}:archive')]);
      await fs.write('svc/archive.go', stub('Archive', '\t// my logic\n\treturn Archive200Response{}, nil'));
      const { actions, plan } = await run(fs, [op('svc/retire.go', 'Retire', 'POST /things/{}:archive')]);
      expect(actions).toEqual({ 'svc/archive.go': 'delete', 'svc/retire.go': 'create' });
      expect(await fs.read('svc/archive.go')).toBeUndefined();
      expect(await fs.read('svc/retire.go')).toBe(stub('Retire', '\t// my logic\n\treturn Retire200Response{}, nil'));
      expect(plan.changes.find((c) => c.artifact.path === 'svc/retire.go')?.carriedFrom?.path).toBe('svc/archive.go');
      // The manifest records svc's own render: the carried file is the user's.
      expect((await readManifest(fs)).created['svc/retire.go']).toEqual({ hash: hashContent(stub('Retire')), operation: facts('Retire', 'POST /things/{}:archive') });
      expect((await run(fs, [op('svc/retire.go', 'Retire', 'POST /things/{}:archive')])).actions).toEqual({ 'svc/retire.go': 'skip' });
    });

    it('does not carry an unedited stub (the new one is created, the old deleted) nor guess between two candidates', async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive', 'GET /x'), op('svc/stash.go', 'Stash', 'GET /x')]);
      expect((await run(fs, [op('svc/retire.go', 'Retire', 'GET /x')])).actions).toEqual({ 'svc/archive.go': 'delete', 'svc/retire.go': 'create', 'svc/stash.go': 'delete' });
      expect(await fs.read('svc/retire.go')).toBe(stub('Retire'));

      await run(fs, [op('svc/archive.go', 'Archive', 'GET /x'), op('svc/stash.go', 'Stash', 'GET /x')]);
      await fs.write('svc/archive.go', stub('Archive', '\treturn nil, nil // a'));
      await fs.write('svc/stash.go', stub('Stash', '\treturn nil, nil // b'));
      const { actions, plan } = await run(fs, [op('svc/retire.go', 'Retire', 'GET /x')]);
      expect(actions).toEqual({ 'svc/retire.go': 'create' });
      expect(plan.orphans.map((o) => o.path)).toEqual(['svc/archive.go', 'svc/stash.go']);
    });

    it("carries the user's code over svc's untouched stub of the new name (left by an older svc)", async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive', 'GET /x'), op('svc/retire.go', 'Retire', 'GET /y')]);
      await fs.write('svc/archive.go', stub('Archive', '\treturn nil, nil // mine'));
      const { actions } = await run(fs, [op('svc/retire.go', 'Retire', 'GET /x')]);
      expect(actions).toEqual({ 'svc/archive.go': 'delete', 'svc/retire.go': 'overwrite' });
      expect(await fs.read('svc/retire.go')).toBe(stub('Retire', '\treturn nil, nil // mine'));
    });

    it('does not create a stub whose method the user already declares in a file of their own', async () => {
      const fs = new MemoryFileSystem();
      await run(fs, [op('svc/archive.go', 'Archive')]);
      await fs.remove('svc/archive.go');
      await fs.write('svc/mine.go', stub('Archive', '\treturn nil, nil // moved here'));
      const { actions, plan } = await run(fs, [op('svc/archive.go', 'Archive')]);
      expect(actions).toEqual({ 'svc/archive.go': 'skip' });
      expect(plan.changes[0]!.reason).toBe('Service.Archive is declared in svc/mine.go');
      expect(await fs.read('svc/archive.go')).toBeUndefined();
    });
  });
});

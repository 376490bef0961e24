import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { planChanges } from '../../src/plan/plan.js';
import { hashContent, MANIFEST_PATH, readManifest } from '../../src/project/manifest.js';
import { artifact, GO_GENERATED_HEADER } from '../../src/render/artifact.js';

const gen = (body: string) => `${GO_GENERATED_HEADER}\n\npackage x\n\n${body}\n`;

async function run(fs: MemoryFileSystem, files: ReturnType<typeof artifact>[], force = false) {
  const manifest = await readManifest(fs);
  const plan = await planChanges(files, fs, manifest, { force });
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
    expect(m.created).toEqual(['b.go']);
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
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { runInterruptCleanups } from '../../src/fs/interrupt.js';
import { imports } from '../../src/pipeline/module.js';

function parent(): string {
  return mkdtempSync(join(tmpdir(), 'svc-diskfs-'));
}

describe('a staged disk file system', () => {
  it('builds a new tree in a hidden sibling folder and renames it into place on commit', async () => {
    const p = parent();
    const fs = new DiskFileSystem(join(p, 'svc'), { staged: true });
    await fs.write('a/b.txt', 'b');
    expect(await fs.read('a/b.txt')).toBe('b');
    expect(readdirSync(p)).toEqual([expect.stringMatching(/^\.svc\.svc-new-\d+-[0-9a-f]+$/)]);
    expect(fs.stagedFolder()).toBe(join(p, readdirSync(p)[0]!));
    fs.commit();
    expect(readdirSync(p)).toEqual(['svc']);
    expect(readFileSync(join(p, 'svc', 'a', 'b.txt'), 'utf8')).toBe('b');
    expect(await fs.read('a/b.txt')).toBe('b');
  });

  it('leaves nothing when interrupted or discarded before commit', async () => {
    const p = parent();
    const fs = new DiskFileSystem(join(p, 'svc'), { staged: true });
    await fs.write('a/b.txt', 'b');
    expect(runInterruptCleanups()).toMatch(/^aborted; /);
    expect(readdirSync(p)).toEqual([]);
    const again = new DiskFileSystem(join(p, 'svc'), { staged: true });
    await again.write('x.txt', 'x');
    again.discard();
    expect(readdirSync(p)).toEqual([]);
    // Folders made above the root for the staging folder go with it.
    const nested = new DiskFileSystem(join(p, 'a', 'b', 'svc'), { staged: true });
    await nested.write('x.txt', 'x');
    expect(readdirSync(join(p, 'a', 'b'))).toHaveLength(1);
    expect(runInterruptCleanups()).toMatch(/^aborted; /);
    expect(readdirSync(p)).toEqual([]);
  });

  it('keeps changes to an existing tree in memory, visible to reads and lists, until commit', async () => {
    const p = parent();
    const root = join(p, 'svc');
    mkdirSync(join(root, 'old'), { recursive: true });
    writeFileSync(join(root, 'svc.yaml'), 'name: svc\n');
    writeFileSync(join(root, 'old', 'gone.txt'), 'gone');
    const fs = new DiskFileSystem(root, { staged: true });
    await fs.write('new/file.txt', 'new');
    await fs.write('svc.yaml', 'name: svc2\n');
    await fs.remove('old/gone.txt');
    expect(await fs.read('svc.yaml')).toBe('name: svc2\n');
    expect(await fs.read('old/gone.txt')).toBeUndefined();
    expect(await fs.list('.')).toEqual(['new', 'old', 'svc.yaml']);
    expect(await fs.list('old')).toEqual([]);
    expect(await fs.exists('new')).toBe(true);
    // Nothing on disk yet.
    expect(readFileSync(join(root, 'svc.yaml'), 'utf8')).toBe('name: svc\n');
    expect(existsSync(join(root, 'new'))).toBe(false);
    fs.commit();
    expect(readFileSync(join(root, 'svc.yaml'), 'utf8')).toBe('name: svc2\n');
    expect(readFileSync(join(root, 'new', 'file.txt'), 'utf8')).toBe('new');
    // The emptied folder goes with its last file.
    expect(existsSync(join(root, 'old'))).toBe(false);
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a new tree ahead of the plan, out of sight until asked for; what is never asked for is gone at commit', async () => {
    const p = parent();
    const fs = new DiskFileSystem(join(p, 'svc'), { staged: true });
    await fs.writeAhead([
      { path: 'a/kept.txt', content: 'kept' },
      { path: 'a/changed.txt', content: 'before' },
      { path: 'b/c/dropped.txt', content: 'dropped' },
      { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o755 },
    ]);
    const stage = fs.stagedFolder()!;
    expect(readFileSync(join(stage, 'b', 'c', 'dropped.txt'), 'utf8')).toBe('dropped');
    // The plan sees a new tree with nothing in it.
    expect(await fs.read('a/kept.txt')).toBeUndefined();
    expect(await fs.exists('a/kept.txt')).toBe(false);
    expect(await fs.exists('a')).toBe(false);
    expect(await fs.exists('b/c')).toBe(false);
    expect(await fs.list('.')).toEqual([]);
    expect(await fs.list('a')).toEqual([]);
    await fs.write('a/kept.txt', 'kept');
    await fs.write('a/changed.txt', 'after');
    await fs.write('run.sh', '#!/bin/sh\n', 0o644);
    await fs.write('d.txt', 'd');
    expect(await fs.read('a/kept.txt')).toBe('kept');
    expect(await fs.list('.')).toEqual(['a', 'd.txt', 'run.sh']);
    expect(await fs.list('a')).toEqual(['changed.txt', 'kept.txt']);
    expect(await fs.exists('b')).toBe(false);
    fs.commit();
    const root = join(p, 'svc');
    expect(readdirSync(p)).toEqual(['svc']);
    expect(readdirSync(root).sort()).toEqual(['a', 'd.txt', 'run.sh']);
    expect(readFileSync(join(root, 'a', 'changed.txt'), 'utf8')).toBe('after');
    expect(readFileSync(join(root, 'a', 'kept.txt'), 'utf8')).toBe('kept');
    // Asked for with another mode: written again with it.
    expect(statSync(join(root, 'run.sh')).mode & 0o777).toBe(0o644);
  });

  it('writes nothing ahead into an existing tree, or once anything was written', async () => {
    const p = parent();
    const root = join(p, 'svc');
    mkdirSync(root);
    writeFileSync(join(root, 'svc.yaml'), 'name: svc\n');
    const existing = new DiskFileSystem(root, { staged: true });
    await existing.writeAhead([{ path: 'x.txt', content: 'x' }]);
    expect(await existing.read('x.txt')).toBeUndefined();
    existing.commit();
    expect(existsSync(join(root, 'x.txt'))).toBe(false);
    const fresh = new DiskFileSystem(join(p, 'other'), { staged: true });
    await fresh.write('y.txt', 'y');
    await fresh.writeAhead([{ path: 'x.txt', content: 'x' }]);
    expect(existsSync(join(fresh.stagedFolder()!, 'x.txt'))).toBe(false);
  });

  it('removes the temporary files of dead processes at start, and keeps those of live ones', () => {
    const p = parent();
    const root = join(p, 'svc');
    mkdirSync(join(root, 'pkg'), { recursive: true });
    writeFileSync(join(root, 'svc.yaml'), 'name: svc\n');
    writeFileSync(join(root, 'pkg', 'a.go.svc-9999999-abc123.tmp'), 'dead');
    writeFileSync(join(root, 'pkg', 'b.go.svc-abc123.tmp'), 'older name');
    writeFileSync(join(root, 'pkg', `c.go.svc-${process.ppid}-abc123.tmp`), 'a live writer');
    mkdirSync(join(p, '.svc.svc-new-9999999-0a0b'));
    mkdirSync(join(p, '.other.svc-new-9999999-0a0b'));
    const fs = new DiskFileSystem(root, { staged: true });
    expect(fs.swept.sort()).toEqual(['.svc.svc-new-9999999-0a0b', 'svc/pkg/a.go.svc-9999999-abc123.tmp', 'svc/pkg/b.go.svc-abc123.tmp']);
    expect(readdirSync(join(root, 'pkg'))).toEqual([`c.go.svc-${process.ppid}-abc123.tmp`]);
    expect(readdirSync(p).sort()).toEqual(['.other.svc-new-9999999-0a0b', 'svc']);
  });
});

describe('the imports of a Go file', () => {
  it('are found with their lines, in blocks and single, aliased or not, and not past the first declaration', () => {
    const text = [
      'package service',
      '',
      'import "context"',
      'import (',
      '\t"fmt"',
      '',
      '\tm "example.com/x/pkg/models"',
      '\t_ "example.com/x/internal/driver" // side effects',
      ')',
      '',
      'func f() { _ = "example.com/x/not/an/import" }',
    ].join('\n');
    expect(imports(text)).toEqual([
      { line: 3, importPath: 'context' },
      { line: 5, importPath: 'fmt' },
      { line: 7, importPath: 'example.com/x/pkg/models' },
      { line: 8, importPath: 'example.com/x/internal/driver' },
    ]);
  });
});

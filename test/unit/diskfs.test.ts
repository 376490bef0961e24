import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

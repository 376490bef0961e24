import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureNewOptions } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import { DistinctPackages, generateFixtureOnDisk, go, servicePackages, type ServicePackage } from '../support/go.js';

/**
 * The compile tests check each distinct runtime package once per run
 * (DistinctPackages): the keys that decide "the same" must see through the
 * module path and the folder, and must not see through a change in the
 * package or in a package its tests link.
 */
describe('the keys the compile tests check each distinct package by', () => {
  let first: ServicePackage[] = [];
  let edited: ServicePackage[] = [];
  const keyOf = (packages: ServicePackage[], path: string) => packages.find((p) => p.path === path)?.key;

  beforeAll(async () => {
    const a = await generateFixtureOnDisk('starter');
    await go(a, 'mod', 'tidy');
    first = await servicePackages(a);
    // The same service under another module path, in another folder, with one runtime file changed.
    const b = join(mkdtempSync(join(tmpdir(), 'svc-distinct-')), 'product');
    await newService({ ...fixtureNewOptions('starter', new DiskFileSystem(b), b), module: 'example.org/elsewhere' });
    await go(b, 'mod', 'tidy');
    appendFileSync(join(b, 'internal', 'problem', 'problem.go'), '\n// An edit the keys must notice.\n');
    edited = await servicePackages(b);
  }, 300_000);

  it('lists every package of the service, with whether it has tests', () => {
    const paths = first.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['./cmd/product', './internal/handler', './internal/problem', './internal/middleware', './internal/logging', './pkg/models']));
    expect(first.find((p) => p.path === './internal/middleware')?.hasTests).toBe(true);
    expect(first.find((p) => p.path === './cmd/product')?.hasTests).toBe(false);
    expect(new Set(first.map((p) => p.key)).size).toBe(first.length);
  });

  it('gives the same key to the same code under another module path and folder', () => {
    expect(keyOf(edited, './internal/logging')).toBe(keyOf(first, './internal/logging'));
    expect(keyOf(edited, './pkg/errors')).toBe(keyOf(first, './pkg/errors'));
  });

  it('gives a new key to a changed package and to every package that links it', () => {
    expect(keyOf(edited, './internal/problem')).not.toBe(keyOf(first, './internal/problem'));
    expect(keyOf(edited, './internal/middleware')).not.toBe(keyOf(first, './internal/middleware'));
  });

  it('checks the contract packages in every fixture, and a runtime package again only when its key is new', () => {
    const distinct = new DistinctPackages();
    expect(distinct.take('first', first).skipped).toEqual([]);
    const { check, skipped } = distinct.take('edited', edited);
    expect(check).toEqual(expect.arrayContaining(['./cmd/product', './internal/handler', './pkg/models', './internal/problem', './internal/middleware']));
    expect(skipped).toEqual(expect.arrayContaining([{ path: './internal/logging', checkedIn: 'first' }, { path: './pkg/errors', checkedIn: 'first' }]));
    expect(check.filter((p) => skipped.some((s) => s.path === p))).toEqual([]);
    expect(distinct.summary()).toMatch(/^\d+ packages checked \(\d+ with tests: go test runs\), \d+ skipped \(\d+ with tests\)/);
  });
});

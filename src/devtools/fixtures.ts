import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryFileSystem } from '../fs/memory.js';
import { newService } from '../pipeline/new.js';
import type { GenerateResult } from '../pipeline/generate.js';
import { DATABASES, type Database } from '../project/settings.js';

/**
 * Contract fixtures: each folder of `fixtures/` is a case with an
 * `options.json` ({ name, module?, openapi? }) and, for positive cases, the
 * expected output tree under `expected/`. Shared by the golden tests and by
 * `npm run golden:update`.
 */
export interface FixtureOptions {
  name: string;
  module?: string;
  /** Contract file inside the case folder; the starter contract when absent. */
  openapi?: string;
  /** svc.yaml's features.database; the default when absent. */
  database?: Database;
}

export const FIXTURES_DIR = join(import.meta.dirname, '..', '..', 'fixtures');

export function fixtureCases(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURES_DIR, e.name, 'options.json')))
    .map((e) => e.name)
    .sort();
}

export function fixtureOptions(name: string): FixtureOptions {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'options.json'), 'utf8')) as FixtureOptions;
}

/** Generates a fixture into an in-memory file system and returns it with the result. */
export async function renderFixture(caseName: string): Promise<{ fs: MemoryFileSystem; result: GenerateResult }> {
  const o = fixtureOptions(caseName);
  const fs = new MemoryFileSystem();
  const caseDir = join(FIXTURES_DIR, caseName);
  const opts: Parameters<typeof newService>[0] = {
    name: o.name,
    module: o.module ?? `example.com/${o.name}`,
    dir: `/virtual/${o.name}`,
    fs,
    transports: ['http'],
    database: o.database ?? DATABASES[0],
    cwd: caseDir,
  };
  if (o.openapi) opts.openapi = o.openapi;
  const result = await newService(opts);
  return { fs, result };
}

/** The files of an expected tree, by path relative to it. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else out.set(rel, readFileSync(join(dir, rel), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

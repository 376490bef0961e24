import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryFileSystem } from '../fs/memory.js';
import type { FileSystem } from '../fs/types.js';
import { LIBRARY_PROTOS } from '../load/proto.js';
import { corpusFile } from './corpus.js';
import { newService } from '../pipeline/new.js';
import { SERVICE_CACHE_DIR } from '../pipeline/cachedir.js';
import type { GenerateResult } from '../pipeline/generate.js';
import { DATABASES, type CacheKind, type Database, type EventBroker } from '../project/settings.js';
import { runtimePackageAt } from '../render/runtimepkgs.js';
import { TEMPLATES_DIR } from '../render/templates.js';

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
  /**
   * A proto contract: a file inside the case folder, `true` for the starter
   * proto, or `@google-proto-files/<path>` for a file of that npm package.
   */
  proto?: string | true;
  /** Include folders for the proto (`@google-proto-files` is the package's root). */
  includes?: string[];
  /** svc.yaml's features.events and features.cache; the defaults when absent. */
  events?: EventBroker;
  cache?: CacheKind;
  /** Whether the output is kept as golden files (default true; large vendor contracts are only compiled). */
  golden?: boolean;
}

/** The cases whose output is kept under expected/. */
export function goldenCases(): string[] {
  return fixtureCases().filter((c) => fixtureOptions(c).golden !== false);
}

/**
 * A fixture path: `@google-proto-files/...` names a file of that package,
 * `npm:<package>:<path>` one of a corpus package (fetched into the cache on
 * first use), anything else is relative to the case.
 */
function fixturePath(p: string): string {
  if (p.startsWith(LIBRARY_PREFIX)) return join(LIBRARY_PROTOS, p.slice(LIBRARY_PREFIX.length));
  if (p.startsWith('npm:')) return corpusFile(p.slice(4));
  return p;
}

const LIBRARY_PREFIX = '@google-proto-files';

/** The options of `newService` for a fixture case, generating into `dir` through `fs`. */
export function fixtureNewOptions(caseName: string, fs: FileSystem, dir: string): Parameters<typeof newService>[0] {
  const o = fixtureOptions(caseName);
  const opts: Parameters<typeof newService>[0] = {
    name: o.name,
    module: o.module ?? `example.com/${o.name}`,
    dir,
    fs,
    transports: ['http'],
    database: o.database ?? DATABASES[0],
    cwd: join(FIXTURES_DIR, caseName),
  };
  if (o.openapi) opts.openapi = o.openapi;
  if (o.events) opts.events = o.events;
  if (o.cache) opts.cache = o.cache;
  if (o.proto !== undefined) {
    opts.proto = o.proto === true ? true : fixturePath(o.proto);
    opts.includes = (o.includes ?? []).map(fixturePath);
  }
  return opts;
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
  const result = await newService(fixtureNewOptions(caseName, fs, `/virtual/${o.name}`));
  return { fs, result };
}

/**
 * The fixtures whose golden tree keeps the static runtime: one OpenAPI and
 * one proto service. The others keep only what their contract makes, so that
 * a runtime change is reviewed once, not once per fixture; the compile tests
 * still build every fixture whole. The static runtime is every template file
 * of the runtime packages, and every other template that reads nothing but
 * the contract's kind (pkg/models/request.go, for one): both render the same
 * text for every service of a kind.
 */
const RUNTIME_GOLDENS = new Set(['starter', 'starter-proto']);

/** The rendered files of a case that its golden tree holds: all of them, or all but the static runtime. */
export function goldenFiles(caseName: string, all: ReadonlyMap<string, string>): Map<string, string> {
  // svc's caches are not part of the tree (git ignores them).
  const files = new Map([...all].filter(([path]) => !path.startsWith(`${SERVICE_CACHE_DIR}/`)));
  if (RUNTIME_GOLDENS.has(caseName)) return files;
  const isRuntime = (path: string) => {
    const template = join(TEMPLATES_DIR, 'service', `${path}.hbs`);
    return existsSync(template) && (runtimePackageAt(path) !== undefined || readsOnlyTheKind(readFileSync(template, 'utf8')));
  };
  return new Map([...files].filter(([path]) => !isRuntime(path)));
}

/** Whether a template's only Handlebars tags are `proto` conditionals. */
function readsOnlyTheKind(template: string): boolean {
  return (template.match(/{{[^}]*}}/g) ?? []).every((tag) => /^{{(?:#if proto|#unless proto|else|\/if|\/unless)}}$/.test(tag));
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

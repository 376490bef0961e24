import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * svc's own folder, the package root (package.json, bin/, dist/, templates/):
 * the first folder above this module that holds a package.json. The module
 * runs from src/ (the tests), from dist/ (tsc's output) or from dist/bundle/
 * (the bundle bin/svc.js loads), each at another depth.
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`svc is installed without its package.json: none above ${from}`);
  }
}

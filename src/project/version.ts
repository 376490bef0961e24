import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './root.js';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/**
 * The version of the installed svc (package.json's), which the manifest
 * records as the one that generated a service, and `svc upgrade` compares.
 */
export const SVC_VERSION: string = pkg.version;

/** The npm package svc is installed from (`npx <package>@latest upgrade`). */
export const SVC_PACKAGE: string = pkg.name;

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The CLI tests run bin/svc.js, which loads dist/bundle/: build dist/ and its bundle once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'build.js')], { stdio: 'inherit' });
}

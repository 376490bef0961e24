import { execFileSync } from 'node:child_process';

/** The CLI tests run bin/svc.js, which loads dist/: build it once before any test. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

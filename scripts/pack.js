#!/usr/bin/env node
// npm's prepack and postpack (package.json runs them around `npm pack` and
// `npm publish`):
//
//   prepack   builds dist/ from a clean slate (no module of an older build is
//             shipped), then puts the users' README, docs/npm/README.md, in
//             place of the repository's README.md, which is kept aside;
//   postpack  puts the repository's README.md back.
//
// npm always takes the package's README from the package root, so the swap is
// the way to ship a README for users while the repository keeps the
// developers' notes. A pack that died between the two leaves the kept copy;
// the next prepack or postpack restores it first, so the repository's README
// is never lost.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(root, 'README.md');
const kept = join(root, '.pack-readme-backup.md');
const usersReadme = join(root, 'docs', 'npm', 'README.md');

/** Puts the repository's README back when a copy was kept aside. */
function restore() {
  if (!existsSync(kept)) return;
  copyFileSync(kept, readme);
  rmSync(kept);
}

function build() {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
}

function useUsersReadme() {
  const text = readFileSync(usersReadme, 'utf8');
  copyFileSync(readme, kept);
  writeFileSync(readme, text);
}

const step = process.argv[2];
try {
  if (step === 'prepack') {
    restore();
    build();
    useUsersReadme();
  } else if (step === 'postpack') {
    restore();
  } else {
    throw new Error(`usage: node scripts/pack.js prepack|postpack (got ${step ?? 'nothing'})`);
  }
} catch (err) {
  restore();
  process.stderr.write(`pack: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

#!/usr/bin/env node
// npm's prepack and postpack (package.json runs them around `npm pack` and
// `npm publish`):
//
//   prepack   builds dist/ and its bundle (scripts/build.js) from a clean
//             slate (no module of an older build is shipped), then puts the
//             users' README, docs/npm/README.md, in place of the
//             repository's README.md, which is kept aside;
//   postpack  puts the repository's README.md back.
//
// npm always takes the package's README from the package root, so the swap is
// the way to ship a README for users while the repository keeps the
// developers' notes. A pack that died between the two leaves the kept copy;
// the next prepack or postpack restores it first, so the repository's README
// is never lost.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.js';

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

function useUsersReadme() {
  const text = readFileSync(usersReadme, 'utf8');
  copyFileSync(readme, kept);
  writeFileSync(readme, text);
}

const step = process.argv[2];
try {
  if (step === 'prepack') {
    restore();
    await build({ clean: true });
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

#!/usr/bin/env node
// Regenerates the expected output of every fixture under fixtures/<case>/expected/.
// Run with `npm run golden:update` (it builds first), then review the diff with git.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FIXTURES_DIR, goldenCases, renderFixture } from '../dist/devtools/fixtures.js';

for (const name of goldenCases()) {
  const { fs } = await renderFixture(name);
  const out = join(FIXTURES_DIR, name, 'expected');
  rmSync(out, { recursive: true, force: true });
  for (const [path, content] of fs.files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), content);
  }
  console.log(`${name}: ${fs.files.size} files`);
}

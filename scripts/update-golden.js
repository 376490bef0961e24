#!/usr/bin/env node
// Regenerates the expected output of every fixture under fixtures/<case>/expected/.
// Run with `npm run golden:update` (it builds first), then review the diff with git.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FIXTURES_DIR, goldenCases, goldenFiles, renderFixture } from '../dist/devtools/fixtures.js';

for (const name of goldenCases()) {
  const { fs } = await renderFixture(name);
  const out = join(FIXTURES_DIR, name, 'expected');
  rmSync(out, { recursive: true, force: true });
  const files = goldenFiles(name, fs.files);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), content);
  }
  console.log(`${name}: ${files.size} files`);
}

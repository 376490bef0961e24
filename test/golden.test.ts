import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenFiles, FIXTURES_DIR, readTree, renderFixture } from '../src/devtools/fixtures.js';

/**
 * Golden files: each fixture renders to exactly the committed tree under
 * fixtures/<case>/expected/. After an intended change, refresh them with
 * `npm run golden:update` and review the diff.
 */
describe.each(goldenCases())('golden files of fixture %s', (caseName) => {
  it('renders the committed tree, file by file', async () => {
    const { fs } = await renderFixture(caseName);
    const files = goldenFiles(caseName, fs.files);
    const expected = readTree(join(FIXTURES_DIR, caseName, 'expected'));
    expect(expected.size, 'no expected tree: run npm run golden:update').toBeGreaterThan(0);
    expect([...files.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of files) {
      expect(content, path).toBe(expected.get(path));
    }
  });
});

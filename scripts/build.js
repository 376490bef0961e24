#!/usr/bin/env node
// `npm run build`: tsc compiles src/ into dist/, then esbuild bundles the
// CLI's modules and the libraries they import into dist/bundle/svc.cjs,
// which bin/svc.js loads. Node resolves, reads and links every ES module on its
// own: ~250 of them for `svc new` (135 of svc's, 72 of yaml's), about a
// quarter of its CPU time, where the bundle is one script. Libraries that
// only some contracts or commands need stay out of it, loaded from
// node_modules when asked for: ts-morph and TypeScript (TypeScript finds its
// lib files beside its own module), swagger-parser, execa, and those loaded
// with require (protobufjs, randexp, diff), which esbuild does not follow.
//
// The tests' global setup and `npm pack` build through here too, so the
// bundle never lags behind dist/.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Builds dist/ and dist/bundle/; with clean, from an empty dist/. */
export async function build({ clean = false } = {}) {
  if (clean) rmSync(join(root, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  const outdir = join(root, 'dist', 'bundle');
  rmSync(outdir, { recursive: true, force: true });
  const { build: bundle } = await import('esbuild');
  await bundle({
    absWorkingDir: root,
    // One CommonJS script, which bin/svc.js compiles with V8's code cache of
    // its last run (see there): the interrupt handling first, then the CLI.
    stdin: {
      contents: "export { exitOnInterrupt } from './dist/fs/interrupt.js';\nexport { main } from './dist/cli/main.js';\n",
      resolveDir: root,
      sourcefile: 'svc-entry.js',
    },
    outfile: join(outdir, 'svc.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    // The ES module build of a library that has both (jsonc-parser's CommonJS one requires its parts by computed names).
    mainFields: ['module', 'main'],
    external: ['ts-morph', 'typescript', '@apidevtools/swagger-parser', 'execa'],
    // import() of those becomes require(), which a script compiled by vm can
    // call (import() needs a loader vm only has as an experimental feature);
    // Node 22.12 and later require ES modules (execa is one) as well.
    supported: { 'dynamic-import': false },
    // svc's modules find files beside them through import.meta, which a CommonJS script does not have.
    define: { 'import.meta.url': '__svcModuleUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __svcModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // Maps back to src/ through tsc's own maps: bin/svc.js turns them on for SVC_DEBUG=1's stack traces.
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // A few comments and one regular expression hold characters beyond
  // Latin-1, which would make V8 hold all of the script two bytes a
  // character; escaped, they mean the same (the map's columns on those lines
  // shift by a few characters).
  const { latin1Only } = await import(pathToFileURL(join(root, 'dist', 'codecache.js')).href);
  const script = join(outdir, 'svc.cjs');
  writeFileSync(script, latin1Only(readFileSync(script, 'utf8')));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build({ clean: process.argv.includes('--clean') });
}

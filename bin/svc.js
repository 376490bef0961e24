#!/usr/bin/env node
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: svc needs Node.js 22.12 or newer; this is ${process.version}\n`);
  process.exit(1);
}
// V8 keeps what it compiled of svc's bundle (and of the libraries it loads
// from node_modules) on disk, in the system's temporary folder, as
// TypeScript's tsc does: compiling is much of a small run's start-up.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// svc's modules and libraries come bundled (scripts/build.js): dist/bundle/,
// with source maps back to src/ that a stack trace (SVC_DEBUG=1) follows.
if (process.env.SVC_DEBUG) process.setSourceMapsEnabled(true);
// First, so that Ctrl-C at any moment cleans up and says what the run left.
const { exitOnInterrupt } = await import('../dist/bundle/interrupt.js');
exitOnInterrupt();
const { main } = await import('../dist/bundle/main.js');
process.exitCode = await main(process.argv.slice(2));

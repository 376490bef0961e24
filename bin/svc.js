#!/usr/bin/env node
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: svc needs Node.js 22.12 or newer; this is ${process.version}\n`);
  process.exit(1);
}
// V8 keeps what it compiled of the libraries svc loads from node_modules on
// disk, in the system's temporary folder, as TypeScript's tsc does.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// svc's modules and libraries come bundled (scripts/build.js) in one script,
// with source maps back to src/ that a stack trace (SVC_DEBUG=1) follows.
if (process.env.SVC_DEBUG) process.setSourceMapsEnabled(true);
// Ctrl-C while the bundle loads: nothing is written yet. (A signal that
// comes during the load is handled after it, by exitOnInterrupt's handler.)
const early = (signal) => {
  process.stderr.write('aborted; nothing was written\n');
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', early);
process.once('SIGTERM', early);
// A reader that goes away (`svc new --help | head -3`) is not a mistake of
// svc's: what follows goes nowhere, and the command finishes as it would.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
const { loadBundle } = await import('./load.js');
const { exitOnInterrupt, main } = loadBundle(process.argv[2]);
// First, so that Ctrl-C at any moment cleans up and says what the run left;
// then without the early handler (in this order: a signal is dropped when
// no handler is left, even for a moment).
exitOnInterrupt();
process.off('SIGINT', early);
process.off('SIGTERM', early);
process.exitCode = await main(process.argv.slice(2));

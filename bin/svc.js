#!/usr/bin/env node
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: svc needs Node.js 22.12 or newer; this is ${process.version}\n`);
  process.exit(1);
}
// First, so that Ctrl-C at any moment cleans up and says what the run left.
const { exitOnInterrupt } = await import('../dist/fs/interrupt.js');
exitOnInterrupt();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

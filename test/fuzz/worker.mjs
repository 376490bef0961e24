// Runs `svc new` in-process on one fuzzed contract at a time, for
// test/fuzz-loaders.test.ts: in a worker thread, so that the test can stop
// a case that hangs (even in a synchronous loop) by terminating the worker.
// It loads the built dist/ (the test's global setup builds it).
import { parentPort } from 'node:worker_threads';

const dist = new URL('../../dist/', import.meta.url);
const { newService } = await import(new URL('pipeline/new.js', dist).href);
const { MemoryFileSystem } = await import(new URL('fs/memory.js', dist).href);
const { UserError } = await import(new URL('errors.js', dist).href);

parentPort.on('message', async (c) => {
  const fs = new MemoryFileSystem();
  const options = { name: 'fuzz', module: 'example.com/fuzz', dir: '/virtual/fuzz', fs, cwd: c.cwd, transports: ['http'], database: 'memory' };
  if (c.kind === 'proto') Object.assign(options, { proto: c.main, includes: c.includes ?? [] });
  else options.openapi = c.main;
  try {
    await newService(options);
    parentPort.postMessage({ id: c.id, outcome: 'generated', writes: fs.writes });
  } catch (err) {
    if (err instanceof UserError) {
      parentPort.postMessage({ id: c.id, outcome: 'refused', message: err.format(), located: err.location !== undefined, exitCode: err.exitCode, writes: fs.writes });
    } else {
      parentPort.postMessage({ id: c.id, outcome: 'crashed', message: String(err?.stack ?? err), writes: fs.writes });
    }
  }
});
parentPort.postMessage({ ready: true });

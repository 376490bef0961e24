import { PassThrough } from 'node:stream';

/** Two streams to hand the CLI as stdout and stderr, and what was written to each. */
export function captureStreams() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { stdout: '', stderr: '' };
  out.on('data', (d) => (text.stdout += d));
  err.on('data', (d) => (text.stderr += d));
  return { stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream, text };
}

/**
 * Shows that a long step is running: a spinner on a terminal, a start and an
 * end line otherwise (CI logs).
 */
export async function withProgress<T>(label: string, stream: NodeJS.WriteStream, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!stream.isTTY) {
    stream.write(`${label}...\n`);
    const result = await run();
    stream.write(`${label}: done in ${elapsed()}\n`);
    return result;
  }
  const frames = ['|', '/', '-', '\\'];
  let i = 0;
  const timer = setInterval(() => stream.write(`\r${frames[i++ % frames.length]} ${label} ${elapsed()}`), 120);
  try {
    return await run();
  } finally {
    clearInterval(timer);
    stream.write(`\r${label}: done in ${elapsed()}\x1b[K\n`);
  }
}

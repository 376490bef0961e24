/**
 * Shows that a long step is running: a spinner on a terminal, a start and an
 * end line otherwise (CI logs). The end line says `done`, or `failed` when
 * the step threw or `ok` says its result is a failure.
 */
export async function withProgress<T>(label: string, stream: NodeJS.WriteStream, run: () => Promise<T>, ok: (result: T) => boolean = () => true): Promise<T> {
  const started = Date.now();
  const end = (outcome: string) => `${label}: ${outcome} in ${((Date.now() - started) / 1000).toFixed(1)}s`;
  let timer: NodeJS.Timeout | undefined;
  if (stream.isTTY) {
    const frames = ['|', '/', '-', '\\'];
    let i = 0;
    timer = setInterval(() => stream.write(`\r${frames[i++ % frames.length]} ${label} ${((Date.now() - started) / 1000).toFixed(1)}s`), 120);
  } else {
    stream.write(`${label}...\n`);
  }
  const finish = (outcome: string) => {
    clearInterval(timer);
    stream.write(stream.isTTY ? `\r${end(outcome)}\x1b[K\n` : `${end(outcome)}\n`);
  };
  try {
    const result = await run();
    finish(ok(result) ? 'done' : 'failed');
    return result;
  } catch (err) {
    finish('failed');
    throw err;
  }
}

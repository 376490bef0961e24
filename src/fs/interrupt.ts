/**
 * What to undo when the process is interrupted (SIGINT, SIGTERM): staged
 * folders and temporary files to remove, child processes to stop. Node runs a
 * signal handler between two turns of the event loop, never inside
 * synchronous code, so a cleanup registered here sees the file system between
 * two writes and a synchronous commit is never cut in half.
 */
const cleanups = new Set<() => void>();

/** What the interrupted run left, for the one line the CLI prints. */
let outcome = 'nothing was written';

/** Registers a synchronous cleanup; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Records what an interrupt from now on leaves behind (e.g. once files are committed). */
export function setInterruptOutcome(text: string): void {
  outcome = text;
}

/**
 * Runs every registered cleanup, newest first (a child process is stopped
 * before the folder it writes to is removed), and returns the line to print.
 * A failing cleanup does not stop the others.
 */
export function runInterruptCleanups(): string {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // Best effort: the remaining cleanups still run.
    }
  }
  cleanups.clear();
  return `aborted; ${outcome}`;
}

/**
 * Makes Ctrl-C and SIGTERM undo what is not committed (staged folders and
 * temporary files, a running go mod tidy), say in one line what the run
 * left, and exit with 128 + the signal's number, as shells do. The CLI's
 * entry point calls it before it loads anything else.
 */
export function exitOnInterrupt(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // On a terminal the line follows the echoed ^C (or a spinner): start a fresh one.
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${runInterruptCleanups()}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

import { execa } from 'execa';
import { onInterrupt } from '../fs/interrupt.js';

/** The Go toolchain's version, or undefined when `go` is not on PATH. */
export async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `go mod tidy` in a folder; resolves with go's own error text on
 * failure. An interrupt stops it before the folder it works in is cleaned up.
 */
export async function goModTidy(dir: string, options: { workspace?: boolean } = {}): Promise<{ ok: true } | { ok: false; message: string }> {
  // A platform's modules are tidied each on its own (GOWORK=off): a service's
  // go.mod reaches the shared runtime through its replace directive.
  const env = options.workspace === false ? { GOWORK: 'off' } : {};
  const child = execa('go', ['mod', 'tidy'], { cwd: dir, reject: false, all: true, env });
  const unregister = onInterrupt(() => child.kill('SIGKILL'));
  const result = await child.finally(unregister);
  if (result.exitCode === 0) return { ok: true };
  return { ok: false, message: (result.all ?? '').trim() || `go mod tidy exited with ${result.exitCode}` };
}

import { execa } from 'execa';

/** The Go toolchain's version, or undefined when `go` is not on PATH. */
export async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `go mod tidy` in a folder; resolves with go's own error text on failure. */
export async function goModTidy(dir: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const result = await execa('go', ['mod', 'tidy'], { cwd: dir, reject: false, all: true });
  if (result.exitCode === 0) return { ok: true };
  return { ok: false, message: (result.all ?? '').trim() || `go mod tidy exited with ${result.exitCode}` };
}

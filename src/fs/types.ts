/**
 * The file system the pipeline writes through. Paths are POSIX-style and
 * relative to the file system's root; implementations decide where that is.
 */
export interface FileSystem {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Writes the whole file atomically, creating parent folders. Bytes are the text's UTF-8 encoding. */
  write(path: string, content: string | Uint8Array, mode?: number): Promise<void>;
  /** Whether anything (file or folder) exists at the path. */
  exists(path: string): Promise<boolean>;
  /** Names in a folder; empty when the folder does not exist. */
  list(path: string): Promise<string[]>;
  /** Deletes a file; nothing happens when there is none. */
  remove(path: string): Promise<void>;
  /**
   * A staged file system: makes every write and removal so far visible at
   * once. Synchronous, so that no signal handler runs in the middle.
   */
  commit?(): void;
  /** A staged file system: drops every write and removal not yet committed. */
  discard?(): void;
  /** A staged file system building a new tree: the folder it is built in, before commit renames it into place. */
  stagedFolder?(): string | undefined;
  /**
   * A staged file system building a new tree: puts files in its folder ahead
   * of the plan, while the caller waits on something else (protoc), and
   * keeps them out of sight (read, exists, list) until `write` is asked for
   * the same content, which then finds it there; those never asked for are
   * removed by `commit`. A file system that cannot does nothing.
   */
  writeAhead?(files: readonly { path: string; content: string; mode?: number }[]): Promise<void>;
}

/** The text of what is written: bytes are decoded as UTF-8. */
export function textOf(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
}

/**
 * Runs a pipeline step whose writes must land together: commits them when it
 * returns, discards them when it throws (a staged file system; any other
 * writes as it goes).
 */
export async function inTransaction<T>(fs: FileSystem, run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    fs.discard?.();
    throw err;
  }
  fs.commit?.();
  return result;
}

/**
 * The file system the pipeline writes through. Paths are POSIX-style and
 * relative to the file system's root; implementations decide where that is.
 */
export interface FileSystem {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Writes the whole file atomically, creating parent folders. */
  write(path: string, content: string, mode?: number): Promise<void>;
  /** Whether anything (file or folder) exists at the path. */
  exists(path: string): Promise<boolean>;
  /** Names in a folder; empty when the folder does not exist. */
  list(path: string): Promise<string[]>;
  /** Deletes a file; nothing happens when there is none. */
  remove(path: string): Promise<void>;
}

/**
 * Errors a user can cause. The CLI prints their message on one line (never a
 * stack trace) and exits with the code they carry.
 */

/** Where in a contract file a problem was found. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** JSON pointer into the document, e.g. `#/paths/~1products/get`. */
  pointer?: string;
}

/** A mistake in the user's input (contract, flags, project state): exit code 1. */
export class UserError extends Error {
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** One line: `file:line:column: message (at pointer)`. */
  format(): string {
    if (!this.location) return this.message;
    return `${formatLocation(this.location)}: ${this.message}`;
  }
}

/** A malformed command line: exit code 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function formatLocation(loc: SourceLocation): string {
  let out = loc.file;
  if (loc.line !== undefined) {
    out += `:${loc.line}`;
    if (loc.column !== undefined) out += `:${loc.column}`;
  }
  if (loc.pointer) out += ` (${loc.pointer})`;
  return out;
}

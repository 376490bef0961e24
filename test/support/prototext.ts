/**
 * Careful text edits of a .proto file, as its owner makes them: into a
 * top-level message or service (found by its header line, ended by the first
 * `}` at column 0), each failing loudly when the file lacks what it edits.
 */

function block(text: string, header: string): { start: number; end: number } {
  const start = text.indexOf(`\n${header} {\n`);
  if (start < 0) throw new Error(`the proto has no "${header} {"`);
  const end = text.indexOf('\n}\n', start);
  if (end < 0) throw new Error(`"${header}" has no closing brace at column 0`);
  return { start: start + 1, end: end + 1 };
}

/** Adds lines (indented by two spaces) at the end of a top-level message. */
export function addToMessage(text: string, message: string, ...lines: string[]): string {
  const { end } = block(text, `message ${message}`);
  return text.slice(0, end) + lines.map((l) => `  ${l}\n`).join('') + text.slice(end);
}

/** Adds RPC declarations at the end of a service. */
export function addToService(text: string, service: string, rpc: string): string {
  const { end } = block(text, `service ${service}`);
  return `${text.slice(0, end)}\n${rpc.replace(/^/gm, '  ')}\n${text.slice(end)}`;
}

/** Replaces exactly one occurrence of from. */
export function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const re = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : new RegExp(from.source, from.flags.includes('g') ? from.flags : `${from.flags}g`);
  const n = [...text.matchAll(re)].length;
  if (n !== 1) throw new Error(`the proto has ${n} occurrences of ${String(from)}, want 1`);
  return text.replace(re, to);
}

/** Removes a top-level block (message or service) with the comment lines just above it. */
export function removeBlock(text: string, header: string): string {
  const { start, end } = block(text, header);
  let from = start;
  while (from > 0) {
    const prev = text.lastIndexOf('\n', from - 2);
    if (!text.slice(prev + 1, from).startsWith('//')) break;
    from = prev + 1;
  }
  return text.slice(0, from) + text.slice(end + 2).replace(/^\n/, '');
}

/** Removes an RPC (its comment lines, its declaration and option block) from a service. */
export function removeRpc(text: string, rpc: string): string {
  const re = new RegExp(`(\\n  //[^\\n]*)*\\n  rpc ${rpc}\\([\\s\\S]*?\\n  \\}\\n`);
  if (!re.test(text)) throw new Error(`the proto has no rpc ${rpc} with an option block`);
  return text.replace(re, '\n');
}

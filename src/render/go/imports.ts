/**
 * Sorts the specs of each group of a Go file's import block by path, as
 * gofmt does. A template's imports are written in order for the paths a
 * single service has; a platform's service imports the shared runtime from
 * another module, whose path sorts elsewhere. A group holding a comment is
 * left as written.
 */
export function sortImportGroups(src: string): string {
  return src.replace(/^import \(\n([\s\S]*?)^\)$/m, (_block, body: string) => {
    const groups = body.replace(/\n$/, '').split(/\n[ \t]*\n/);
    const sorted = groups.map((g) => {
      const lines = g.split('\n');
      if (lines.some((l) => !/^\t(?:[\w.]+ )?"[^"]+"$/.test(l))) return g;
      const path = (l: string) => /"([^"]+)"/.exec(l)![1]!;
      return [...lines].sort((a, b) => (path(a) < path(b) ? -1 : path(a) > path(b) ? 1 : 0)).join('\n');
    });
    return `import (\n${sorted.join('\n\n')}\n)`;
  });
}

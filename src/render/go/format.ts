/**
 * Column alignment as gofmt does it. Emitters write `\v` between the cells
 * gofmt aligns (field name, type, tag, trailing comment; constant name, type,
 * value); this pass pads them like go/printer's tabwriter: within a run of
 * consecutive lines of the same indentation, each column is as wide as its
 * widest cell plus one space, a column's run ending at the first line that has
 * no cell in it (the last cell of a line never counts as in a column).
 */
export function alignColumns(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.includes('\v')) {
      out.push(line);
      i++;
      continue;
    }
    const indent = /^\t*/.exec(line)![0];
    const block: string[][] = [];
    while (i < lines.length && lines[i]!.includes('\v') && /^\t*/.exec(lines[i]!)![0] === indent) {
      block.push(lines[i]!.slice(indent.length).split('\v'));
      i++;
    }
    for (const cells of formatBlock(block)) out.push(indent + cells);
  }
  return out.join('\n');
}

function formatBlock(rows: string[][]): string[] {
  const widths = rows.map((r) => r.map(() => 0));
  fill(rows, widths, 0, 0, rows.length);
  return rows.map((cells, r) =>
    cells
      .map((cell, c) => (c < cells.length - 1 ? cell + ' '.repeat(Math.max(0, widths[r]![c]! - [...cell].length)) : cell))
      .join('')
      .trimEnd(),
  );
}

/** text/tabwriter's recursive column-block algorithm. */
function fill(rows: string[][], widths: number[][], column: number, from: number, to: number): void {
  let r = from;
  while (r < to) {
    if (column >= rows[r]!.length - 1) {
      r++;
      continue;
    }
    const start = r;
    let width = 0;
    while (r < to && column < rows[r]!.length - 1) {
      width = Math.max(width, [...rows[r]![column]!].length + 1);
      r++;
    }
    for (let k = start; k < r; k++) widths[k]![column] = width;
    fill(rows, widths, column + 1, start, r);
  }
}

/** A minimal terminal, to see what a sequence of writes leaves on the screen. */

/** The rows `output` leaves: printable text, CR, LF and ESC[K on a grid `columns` wide, without wrapping. */
export function screenOf(output: string, columns = 80): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      col = 0;
      rows[row] ??= [];
    } else if (output.startsWith('\x1b[K', i)) {
      rows[row]!.length = Math.min(rows[row]!.length, col);
      i += 2;
    } else if (col < columns) {
      rows[row]![col++] = c;
    }
  }
  return rows.map((cells) => Array.from(cells, (c) => c ?? ' ').join(''));
}

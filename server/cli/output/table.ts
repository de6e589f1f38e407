/** kubectl's tables: left-aligned columns, each as wide as its widest cell, three spaces apart; the last column unpadded. */

export function formatTable(rows: string[][], widths = columnWidths(rows)): string {
  return rows.map((row) => formatRow(row, widths)).join('');
}

export function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return widths;
}

/** One line; a cell wider than its column pushes the rest along (as kubectl's watch output does). */
export function formatRow(row: string[], widths: number[]): string {
  return `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(widths[i] ?? 0, cell.length) + 3))).join('').trimEnd()}\n`;
}

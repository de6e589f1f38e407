/** Reads a kubectl-style table back into rows keyed by header, checking that every cell starts under its header. */

export function parseTable(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0];
  const names = header.split(/ {2,}/);
  // Header names are unique within a table; find each after the previous one.
  const starts: number[] = [];
  let from = 0;
  for (const name of names) {
    starts.push(header.indexOf(name, from));
    from = starts[starts.length - 1] + name.length;
  }
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      const start = starts[i];
      const end = i + 1 < names.length ? starts[i + 1] : line.length;
      if (start > 0 && line[start - 1] !== ' ') throw new Error(`cell of ${name} does not start under its header:\n${header}\n${line}`);
      const cell = line.slice(start, end);
      if (i + 1 < names.length && !/ {3}$/.test(cell)) throw new Error(`column ${name} is not followed by three spaces:\n${header}\n${line}`);
      row[name] = cell.trim();
    });
    return row;
  });
}

/** One line of the benchmark table (issue 7, rows 1–8), with what BENCHMARKS.md says about it. */
export interface Row {
  id: string;
  title: string;
  /** The figures, short enough for a table cell. */
  measured: string;
  target: string;
  /** undefined: the row has no target of its own (context figures). */
  pass: boolean | undefined;
  /** How it was measured, and the detail behind the cell. */
  method: string;
  details?: string[];
  /** For a miss: why, and what would fix it. */
  miss?: { why: string; fix: string };
}

/** `pass` / `MISS` / `–`. */
export function verdict(row: Pick<Row, 'pass'>): string {
  if (row.pass === undefined) return '–';
  return row.pass ? 'pass' : 'MISS';
}

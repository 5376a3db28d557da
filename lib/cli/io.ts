import { processEnv } from '../config/runtime-env.js';

export { CliError } from '../ops/errors.js';

/** Where the CLI writes and what it reads of its process, injectable so tests run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** A terminal to draw progress bars on; absent when output is piped (CI, tests). */
  progress?: NodeJS.WriteStream;
}

/** The real process: stdout, stderr, environment, working directory, stderr as progress terminal. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: processEnv(),
    cwd: process.cwd(),
    ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
  };
}

/** The outcome of one check: ✓ passed, ✗ failed (exit code 1), ! advice, · information. */
export type Mark = 'pass' | 'fail' | 'warn' | 'info';

const SYMBOL: Record<Mark, string> = { pass: '✓', fail: '✗', warn: '!', info: '·' };

/** One check line, with an indented `fix:` line under a failure or warning. */
export function markLine(mark: Mark, text: string, fix?: string): string {
  const head = `${SYMBOL[mark]} ${text}`;
  return fix ? `${head}\n    fix: ${fix}\n` : `${head}\n`;
}

/** Left-aligned columns (numbers right-aligned), two spaces apart, one line per row. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const numeric = header.map(
    (_, col) => rows.length > 0 && rows.every((row) => typeof row[col] === 'number'),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, col) => (numeric[col] ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${cells.map(line).join('\n')}\n`;
}

/** Prints a value as indented JSON (the `--json` output of read commands). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

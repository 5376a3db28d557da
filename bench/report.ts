import { writeFileSync } from 'node:fs';
import { type Machine, machineLines } from './machine.js';
import { type Row, verdict } from './row.js';

/** Everything BENCHMARKS.md is written from. */
export interface Report {
  date: string;
  seconds: number;
  machine: Machine;
  latencyMs: number;
  /** Each step of the run with the 1-minute load average as it started. */
  steps: { text: string; load: number }[];
  rows: Row[];
  /** The figures issues 2 and 3 ask for in their closing notes. */
  closingNotes: { issue: string; lines: string[] }[];
  /** Prose for each missed row, by row id. */
  fixes: Record<string, string>;
  /** lib/ changes the figures call for (the bench itself only touches bench/ and this file). */
  recommendations: string[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The results table, in Markdown (also what the command prints). */
export function table(rows: readonly Row[]): string {
  const lines = ['| # | row | figures | target | verdict |', '|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(
      `| ${row.id} | ${cell(row.title)} | ${cell(row.measured)} | ${cell(row.target)} | ${verdict(row)} |`,
    );
  }
  return lines.join('\n');
}

/** How each row was measured, in Markdown (also what a subset run prints after its table). */
export function rowDetails(rows: readonly Row[]): string[] {
  return rows.flatMap((row) => [
    `### ${row.id}. ${row.title} — ${verdict(row)}`,
    '',
    row.method,
    '',
    ...(row.details ?? []).map((d) => `- ${d}`),
    ...(row.details?.length ? [''] : []),
  ]);
}

export function markdown(report: Report): string {
  const misses = report.rows.filter((r) => r.pass === false);
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${report.date} (the run took ${Math.round(report.seconds)} s). Rerun it rather than edit this file.`,
    '',
    '## Machine and set-up',
    '',
    ...machineLines(report.machine).map((l) => `- ${l}`),
    '- 1-minute load average as each step started:',
    ...report.steps.map((s) => `  - ${s.load.toFixed(1)}: ${s.text}`),
    `- The whole sync runs locally with the same handlers as in AWS (webhook → SQS FIFO → worker; scheduled poller) over the emulators above, between the GitLab and Spira stand-ins; every stand-in API call has ${report.latencyMs} ms injected latency. DynamoDB and SQS calls go to the emulators through counting proxies (no injected latency; well under a millisecond of their own).`,
    '- All figures come from one run on this machine; latencies depend on it (2 cores shared by Node, the JVM of DynamoDB Local and the stand-ins), call counts do not.',
    '',
    '## Results',
    '',
    table(report.rows),
    '',
    ...report.closingNotes.flatMap((note) => [
      `## ${note.issue}`,
      '',
      ...note.lines.map((l) => `- ${l}`),
      '',
    ]),
    '## How each row was measured',
    '',
    ...rowDetails(report.rows),
    '## Misses: why, and what would fix them',
    '',
    ...(misses.length === 0
      ? ['No target missed in this run.', '']
      : misses.flatMap((row) => [
          `### ${row.id}. ${row.title}`,
          '',
          `- **Measured:** ${row.measured} (target ${row.target}).`,
          `- **Why:** ${row.miss?.why ?? 'see the details above'}.`,
          `- **Fix:** ${report.fixes[row.id] ?? row.miss?.fix ?? 'not analysed'}`,
          '',
        ])),
    '## lib/ changes these figures call for',
    '',
    "The bench measures the engine from the outside (taps on the emulators, the stand-ins' request logs, the handlers as the functions build them) and changes nothing in lib/. These changes would move the figures:",
    '',
    ...report.recommendations.map((r, i) => `${i + 1}. ${r}`),
    '',
  ].join('\n');
}

export function writeReport(path: string, report: Report): void {
  writeFileSync(path, markdown(report));
}

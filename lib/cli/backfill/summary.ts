import { renderTable } from '../io.js';
import type { BackfillAction, BackfillItemKind, BackfillRow } from './run-backfill.js';

const ACTIONS: readonly BackfillAction[] = ['created', 'linked', 'updated', 'skipped', 'failed'];
const KINDS: readonly [BackfillItemKind, string][] = [
  ['issue', 'GitLab issues → Spira incidents'],
  ['note', 'GitLab notes → Spira comments'],
  ['incident', 'Spira incidents → GitLab issues'],
  ['comment', 'Spira comments → GitLab notes'],
];

/** Counts per item kind and action: the numbers a dry run announces and the real run must then match. */
export function countRows(
  rows: readonly BackfillRow[],
): Record<BackfillItemKind, Record<BackfillAction, number>> {
  const counts = Object.fromEntries(
    KINDS.map(([kind]) => [kind, Object.fromEntries(ACTIONS.map((a) => [a, 0]))]),
  ) as Record<BackfillItemKind, Record<BackfillAction, number>>;
  for (const row of rows) counts[row.kind][row.action] += 1;
  return counts;
}

/** A reason without the ids that make each one unique, so that alike skips are counted together. */
export function reasonOf(detail: string): string {
  return detail
    .replace(/\s*\([^)]*\)\s*$/, '')
    .replace(
      /\b(IN:|#|note |comment |issue |incident )?-?\d+\b/g,
      (_m, prefix: string | undefined) => `${prefix ?? ''}N`,
    );
}

/** The summary: one table of counts, the reasons for skips with their counts, and every failure. */
export function renderSummary(rows: readonly BackfillRow[], dryRun: boolean): string {
  const counts = countRows(rows);
  const head = dryRun
    ? 'Backfill DRY RUN: nothing was written. Run again without --dry-run to make these changes.\n\n'
    : 'Backfill finished.\n\n';
  const table = renderTable(
    ['items', ...ACTIONS],
    KINDS.map(([kind, label]) => [label, ...ACTIONS.map((a) => counts[kind][a])]),
  );
  const why = new Map<string, number>();
  for (const row of rows.filter((r) => r.action === 'skipped'))
    why.set(reasonOf(row.detail), (why.get(reasonOf(row.detail)) ?? 0) + 1);
  const skipped =
    why.size === 0
      ? ''
      : `\nSkipped, and why:\n${[...why].map(([reason, n]) => `  ${String(n).padStart(4)}  ${reason}`).join('\n')}\n`;
  const failures = rows.filter((r) => r.action === 'failed');
  const failed =
    failures.length === 0
      ? ''
      : `\nFailed${dryRun ? '' : ' (parked: fix the cause, then `spira-gitlab-sync replay --all`)'}:\n${failures
          .map((r) => `  ${r.ref}: ${r.detail}`)
          .join('\n')}\n`;
  return `${head}${table}${skipped}${failed}`;
}

/** One line per item, for `--details`. */
export function renderDetails(rows: readonly BackfillRow[]): string {
  return renderTable(
    ['item', 'action', 'detail'],
    rows.map((r) => [r.ref, r.action, r.detail]),
  );
}

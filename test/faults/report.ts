import type { FaultPoint } from '../../lib/ports/sync-ports.js';
import { type AuditSnap, iso, type Problem, plain, type Snapshot } from './convergence.js';
import type { JournalEntry } from './people.js';
import type { RunResult } from './scenario.js';

/** The worker's named crash points, in the order it passes them. */
export const FAULT_POINTS: readonly FaultPoint[] = [
  'after-claim',
  'after-create',
  'after-complete',
  'after-fingerprint',
  'before-ack',
];

/** One line the sync logged during a run. */
export interface LogLine {
  at: number;
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((n, v) => n + v, 0);

/** The run table: one row per measure, one column per seed. */
export function table(results: readonly RunResult[]): string {
  const rows: [string, (r: RunResult) => string][] = [
    ['seed', (r) => String(r.seed)],
    ['run time s (chaos + calm)', (r) => `${s(r.ms.total)} (${s(r.ms.chaos)} + ${s(r.ms.calm)})`],
    ['person actions GitLab / Spira', (r) => `${r.people.gitlab} / ${r.people.spira}`],
    ['  same field, both sides at once', (r) => String(r.people.concurrent / 2)],
    ['items / notes+comments by people', (r) => `${r.verdict.counts.items} / ${r.verdict.counts.notes}`],
    ['webhook deliveries (copies sent)', (r) => `${r.hooks.deliveries} (${r.hooks.copies})`],
    ['  failed as GitLab saw them', (r) => String(r.hooks.failed)],
    ['sync API calls GitLab / Spira', (r) => `${r.api.gitlab.calls} / ${r.api.spira.calls}`],
    ['injected faults', (r) => String(sum(r.api.gitlab.faults) + sum(r.api.spira.faults))],
    ['  500 (not applied)', (r) => faults(r, '500')],
    ['  429 Retry-After (not applied)', (r) => faults(r, '429')],
    ['  timeout (applied, answer lost)', (r) => faults(r, 'lost-response')],
    ['crashes (crashes/reached)', (r) => String(sum(r.crashes))],
    ...FAULT_POINTS.map(
      (point) =>
        [`  ${point}`, (r: RunResult) => `${r.crashes[point]}/${r.hits[point]}`] as [
          string,
          (r: RunResult) => string,
        ],
    ),
    ['retries (will retry)', (r) => String(r.retries)],
    ['polls failed / run', (r) => `${r.polls.failed} / ${r.polls.ok + r.polls.failed}`],
    ['dead-lettered / parked', (r) => `${r.queue.deadLetters} / ${r.parked}`],
    ['duplicates created', (r) => String(r.verdict.duplicates)],
    ['changes lost', (r) => String(r.verdict.lost)],
    ['conflicts recorded', (r) => String(r.verdict.conflicts)],
    ['converged', (r) => (r.verdict.converged ? 'yes' : 'NO')],
  ];
  const cells = rows.map(([label, value]) => [label, ...results.map(value)]);
  const widths = results.map((_, i) => Math.max(8, ...cells.map((row) => (row[i + 1] as string).length)));
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const line = `+${'-'.repeat(labelWidth + 2)}${widths.map((w) => `+${'-'.repeat(w + 2)}`).join('')}+`;
  const out = [line];
  cells.forEach((row, index) => {
    out.push(
      `| ${(row[0] as string).padEnd(labelWidth)} ${widths.map((w, i) => `| ${(row[i + 1] as string).padStart(w)} `).join('')}|`,
    );
    if (index === 0 || index === rows.length - 5) out.push(line);
  });
  out.push(line);
  return out.join('\n');
}

function s(ms: number): string {
  return (ms / 1000).toFixed(0);
}

function faults(r: RunResult, kind: '500' | '429' | 'lost-response'): string {
  return `${r.api.gitlab.faults[kind]} + ${r.api.spira.faults[kind]}`;
}

const MAX_DETAILED = 8;

/**
 * What to look at when a run fails: per problem, the item on both sides, the people's journal of that item,
 * its link records and audit history, and the sync's retries of the messages that touched it.
 */
export function diagnose(
  result: RunResult,
  snapshot: Snapshot,
  journal: readonly JournalEntry[],
  lines: readonly LogLine[],
): string {
  const problems = result.verdict.problems;
  if (problems.length === 0) return '';
  const t0 = result.startedAt;
  const rel = (ms: number) => `+${((ms - t0) / 1000).toFixed(3)}s`;
  const relIso = (text: string) => {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? text : rel(ms);
  };
  const out: string[] = [
    `seed ${result.seed}: ${problems.length} problem(s); times are relative to the run's start (${iso(t0)})`,
    `re-run: FAULT_SEEDS=${result.seed} npm run test:faults   full report: ${result.reportFile}`,
  ];
  const byKind = new Map<string, number>();
  for (const p of problems) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
  out.push(`by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const detailed = new Set<string>();
  let shown = 0;
  for (const problem of problems) {
    out.push('', `✗ ${problem.kind.toUpperCase()} ${problem.detail}`);
    const id = `${problem.item}|${problem.note ?? ''}`;
    if (detailed.has(id) || shown >= MAX_DETAILED || problem.item === '-') continue;
    detailed.add(id);
    shown++;
    out.push(...describeProblem(problem, snapshot, journal, lines, rel, relIso).map((l) => `    ${l}`));
  }
  if (shown >= MAX_DETAILED)
    out.push('', `(only the first ${MAX_DETAILED} problems are detailed; see the report file)`);
  return out.join('\n');
}

function describeProblem(
  problem: Problem,
  snapshot: Snapshot,
  journal: readonly JournalEntry[],
  lines: readonly LogLine[],
  rel: (ms: number) => string,
  relIso: (text: string) => string,
): string[] {
  const out: string[] = [];
  const keys = [...new Set(problem.keys)];
  const hint = why(problem, snapshot, journal, keys, relIso);
  if (hint) out.push(`why: ${hint}`);
  for (const key of keys) {
    const gl = /^gl-issue#\d+#(\d+)$/.exec(key);
    const sp = /^sp-incident#\d+#(\d+)$/.exec(key);
    if (gl) {
      const issue = snapshot.issues.find((i) => i.iid === Number(gl[1]));
      if (issue)
        out.push(
          `GitLab #${issue.iid}: ${issue.state}, updated ${relIso(issue.updatedAt)}, title "${issue.title}", description "${plain(issue.description)}", ${issue.notes.length} notes`,
        );
    }
    if (sp) {
      const incident = snapshot.incidents.find((i) => i.id === Number(sp[1]));
      if (incident)
        out.push(
          `Spira IN:${incident.id}: ${incident.state} (status ${incident.statusId}), updated ${relIso(incident.lastUpdate)}, name "${incident.name}", description "${plain(incident.description)}", ${incident.comments.length} comments`,
        );
    }
  }
  const entries = journal.filter(
    (e) => e.item === problem.item && (!problem.note || !e.note || e.note === problem.note),
  );
  out.push(`journal of ${problem.item}${problem.note ? ` / ${problem.note}` : ''}:`);
  for (const e of entries)
    out.push(
      `  ${rel(e.at)} ${e.who} ${e.action}${e.field ? ` ${e.field}` : ''} ${e.ref}${e.note ? ` ${e.note}` : ''} → "${e.value ?? ''}"${e.mode ? ` (${e.mode})` : ''}${e.concurrent ? ' [both sides at once]' : ''}${e.error ? ` FAILED ${e.error}` : ''}`,
    );
  const messages = new Set<string>();
  for (const key of keys) {
    const link = snapshot.links.get(key);
    out.push(
      `link ${key}: ${link ? `${link.state} → ${link.targetId ?? '-'}; hashes ${link.gitlabHashes ? 'G' : '-'}${link.spiraHashes ? 'S' : '-'}; claimed ${relIso(link.claimedAt ?? '')}${link.appliedEventAt ? `; applied event ${link.appliedEventAt}` : ''}` : 'none'}`,
    );
    const history: AuditSnap[] = snapshot.audit.get(key) ?? [];
    for (const entry of history) {
      if (entry.messageId) messages.add(entry.messageId);
      out.push(
        `  ${relIso(entry.at)} ${entry.kind} ${entry.action}: ${entry.detail}${entry.messageId ? ` (msg ${entry.messageId.slice(0, 8)})` : ''}`,
      );
    }
  }
  const retries = lines.filter(
    (l) =>
      (l.message === 'will retry' || l.message === 'parked') &&
      (messages.has(String(l.extra?.messageId)) ||
        keys.some((k) => String(l.extra?.error ?? '').includes(k))),
  );
  if (retries.length > 0) out.push('retries of the messages above:');
  for (const l of retries.slice(0, 20))
    out.push(
      `  ${rel(l.at)} ${l.message} msg ${String(l.extra?.messageId).slice(0, 8)} attempt ${String(l.extra?.attempt)} delay ${String(l.extra?.delay)}s: ${String(l.extra?.error)}`,
    );
  return out;
}

const FIELD_NAMES = { title: 'title/name', description: 'description/description', state: 'state/status' };

/** A first guess at the cause, from the audit and the poller's watch list. */
function why(
  problem: Problem,
  snapshot: Snapshot,
  journal: readonly JournalEntry[],
  keys: readonly string[],
  relIso: (text: string) => string,
): string | undefined {
  if (problem.kind === 'lost' && problem.field) {
    const latest = journal
      .filter((e) => e.item === problem.item && e.field === problem.field && !e.error)
      .sort((a, b) => a.at - b.at)
      .at(-1);
    const conflicts = keys
      .flatMap((key) => snapshot.audit.get(key) ?? [])
      .filter(
        (e) =>
          e.kind === 'conflict' &&
          e.detail.startsWith(FIELD_NAMES[problem.field as keyof typeof FIELD_NAMES]) &&
          latest !== undefined &&
          Date.parse(e.at) >= latest.at,
      );
    const against = conflicts.filter((e) =>
      latest?.side === 'gitlab' ? e.detail.includes('Spira wins') : e.detail.includes('GitLab wins'),
    );
    if (against.length > 0)
      return `a conflict on ${problem.field} was decided against the later edit (${against.length}×, first at ${relIso(against[0]?.at ?? '')}: ${against[0]?.detail}); each side's time is the item's last update (any field, the sync's own writes included), not the time of this field's change`;
    return conflicts.length > 0
      ? `conflicts recorded, but the later edit's value did not end on both sides`
      : 'no conflict recorded: the later edit was dropped or never applied';
  }
  if (problem.kind === 'lost' && problem.note?.startsWith('comment#')) {
    const incident = /on IN:(\d+)/.exec(problem.detail)?.[1];
    const entry = incident ? snapshot.watch[incident] : undefined;
    const commentKey = keys[0] ?? '';
    if (!snapshot.links.has(commentKey) && (snapshot.audit.get(commentKey) ?? []).length === 0) {
      const ranked = Object.entries(snapshot.watch)
        .filter(([, e]) => e.iid !== undefined)
        .sort(([, a], [, b]) => Date.parse(b.activeAt) - Date.parse(a.activeAt))
        .map(([id]) => id);
      return `never queued (no link record, no history). Poller watch entry of IN:${incident}: ${entry ? `activeAt ${relIso(entry.activeAt)}, checkedAt ${relIso(entry.checkedAt)}, lastCommentId ${entry.lastCommentId}, iid ${entry.iid ?? '-'}; rank ${ranked.indexOf(incident ?? '') + 1} of ${ranked.length} by activeAt` : 'none'}`;
    }
  }
  return undefined;
}

import type { ProjectConfig } from '../../config/sync-config.js';
import type { ParkedMessage } from '../../domain/audit.js';
import { isRetryable, RetryableError } from '../../domain/errors.js';
import { keys, targetIdOf } from '../../domain/link.js';
import { markersIn } from '../../domain/marker.js';
import { auditKeyOf, deduplicationIdOf, type SyncCommand } from '../../domain/sync-command.js';
import { applySyncCommand } from '../../engine/apply-sync-command.js';
import type { ProjectContext } from '../../engine/project-context.js';
import type { SyncDeps, SyncOutcome } from '../../engine/sync-deps.js';
import { findUnlinkedPairs, linkPair } from './link-by-marker.js';
import { type ProjectSnapshot, type SnapshotReads, takeSnapshot } from './snapshot.js';

/** What a backfill did (or, in a dry run, would do) to one item. */
export type BackfillAction = 'created' | 'linked' | 'updated' | 'skipped' | 'failed';
export type BackfillItemKind = 'issue' | 'note' | 'incident' | 'comment';

/** One line of the backfill's report. */
export interface BackfillRow {
  spiraProjectId: number;
  kind: BackfillItemKind;
  /** `velociraptor#12`, `note 7 on velociraptor#12`, `IN:42`, `comment 9 on IN:42`. */
  ref: string;
  action: BackfillAction;
  detail: string;
}

/** What a backfill needs: engine deps (real, or the dry run's write-free ones) and real reads for listing. */
export interface BackfillDeps {
  sync: SyncDeps;
  reads: SnapshotReads;
  gitlabProject(project: ProjectConfig): Promise<{ id: number; path: string }>;
  dryRun: boolean;
  /** Names this run in audit entries and parked messages. */
  runId: string;
  /** Where a real run parks items no retry can apply, so `replay` can take them up later. */
  parking?: { park(message: ParkedMessage): Promise<void> };
  onProgress?(done: number, total: number): void;
  /** Wait before retrying a retryable error (default 500 ms × attempt). */
  retryDelayMs?: number;
}

interface ProjectRun {
  deps: BackfillDeps;
  snap: ProjectSnapshot;
  rows: BackfillRow[];
  /** Items that were linked by marker (detail), or must not be applied (reason), by ref. */
  linked: Map<string, string>;
  blocked: Map<string, string>;
  done: number;
  total: number;
}

/**
 * Backfills the projects: lists every issue and incident first (changed since `since`), links pairs found by
 * the sync's markers, then applies each item (and its notes or comments) through the engine's
 * `applySyncCommand`, so creates are claimed once and a later webhook or poll of the same item is a no-op.
 */
export async function runBackfill(
  deps: BackfillDeps,
  projects: readonly ProjectConfig[],
  since?: string,
): Promise<BackfillRow[]> {
  const snaps: ProjectSnapshot[] = [];
  for (const project of projects)
    snaps.push(await takeSnapshot(deps.reads, project, await deps.gitlabProject(project), since));
  const total = snaps.reduce((n, s) => n + s.issues.length + s.incidents.length, 0);
  const rows: BackfillRow[] = [];
  let done = 0;
  deps.onProgress?.(0, total);
  for (const snap of snaps) {
    const run: ProjectRun = { deps, snap, rows, linked: new Map(), blocked: new Map(), done, total };
    await backfillProject(run);
    done = run.done;
  }
  return rows;
}

async function backfillProject(run: ProjectRun): Promise<void> {
  const { snap, deps } = run;
  let ctx: ProjectContext;
  try {
    ctx = await deps.sync.contexts.get(snap.project.spiraProjectId, snap.gitlabProjectId);
  } catch (error) {
    run.rows.push(row(run, 'issue', snap.gitlabPath, 'failed', describe(error)));
    run.done += snap.issues.length + snap.incidents.length;
    deps.onProgress?.(run.done, run.total);
    return;
  }
  await linkMarkedPairs(run, ctx);
  for (const issue of snap.issues) {
    await backfillIssue(run, issue.iid, issue.updated_at, issue.description);
    deps.onProgress?.(++run.done, run.total);
  }
  for (const incident of snap.incidents) {
    await backfillIncident(run, incident.IncidentId, incident.LastUpdateDate, incident.Description);
    deps.onProgress?.(++run.done, run.total);
  }
}

const issueRefOf = (run: ProjectRun, iid: number) => `${run.snap.project.gitlabProject}#${iid}`;
const incidentRefOf = (id: number) => `IN:${id}`;

async function linkMarkedPairs(run: ProjectRun, ctx: ProjectContext): Promise<void> {
  const { snap, deps } = run;
  for (const pair of await findUnlinkedPairs(deps.sync.links, snap)) {
    const born = pair.born === 'gitlab' ? issueRefOf(run, pair.iid) : incidentRefOf(pair.incidentId);
    const copy = pair.born === 'gitlab' ? incidentRefOf(pair.incidentId) : issueRefOf(run, pair.iid);
    const refused = await linkPair(deps.sync, snap, ctx, pair);
    if (refused) {
      run.blocked.set(copy, `copy of ${born}, not linked: ${refused}`);
      continue;
    }
    run.linked.set(born, `linked to ${copy} by the sync's marker`);
    await audit(
      run,
      keys.gitlabIssue(snap.gitlabProjectId, pair.iid),
      'linked',
      `${born} ⇄ ${copy} (marker)`,
    );
  }
}

async function backfillIssue(
  run: ProjectRun,
  iid: number,
  updatedAt: string,
  text: string | null,
): Promise<void> {
  const { snap, deps } = run;
  const ref = issueRefOf(run, iid);
  const base = {
    v: 1 as const,
    spiraProjectId: snap.project.spiraProjectId,
    gitlabProjectId: snap.gitlabProjectId,
    iid,
  };
  const blocked = run.blocked.get(ref) ?? (await orphanCopy(run, text, 'incident', iid));
  if (blocked) return void run.rows.push(row(run, 'issue', ref, 'skipped', blocked));
  const result = await applyOne(run, { ...base, kind: 'gitlab.issue', eventAt: updatedAt });
  run.rows.push(withLink(run, row(run, 'issue', ref, result.action, result.detail)));
  if (result.action === 'failed') return;
  for (const note of await deps.sync.gitlab.notes(snap.gitlabProjectId, iid)) {
    if (note.system) continue;
    const noted = await applyOne(run, {
      ...base,
      kind: 'gitlab.note',
      noteId: note.id,
      eventAt: note.updated_at,
    });
    run.rows.push(row(run, 'note', `note ${note.id} on ${ref}`, noted.action, noted.detail));
  }
}

async function backfillIncident(
  run: ProjectRun,
  id: number,
  updatedAt: string,
  text: string | null,
): Promise<void> {
  const { snap, deps } = run;
  const pid = snap.project.spiraProjectId;
  const ref = incidentRefOf(id);
  const blocked = run.blocked.get(ref) ?? (await orphanCopy(run, text, 'issue'));
  if (blocked) return void run.rows.push(row(run, 'incident', ref, 'skipped', blocked));
  const base = { v: 1 as const, spiraProjectId: pid, gitlabProjectId: snap.gitlabProjectId, incidentId: id };
  const before = await linkedIid(run, id);
  const command = {
    ...base,
    kind: 'spira.incident' as const,
    eventAt: updatedAt,
    ...(before ? { iid: before } : {}),
  };
  const result = await applyOne(run, command);
  run.rows.push(withLink(run, row(run, 'incident', ref, result.action, result.detail)));
  const iid = await linkedIid(run, id);
  if (result.action === 'failed' || iid === undefined) return;
  for (const comment of await deps.sync.spira.comments(pid, id)) {
    const eventAt = comment.CreationDate ?? new Date().toISOString();
    const c = await applyOne(run, {
      ...base,
      kind: 'spira.comment',
      commentId: comment.CommentId,
      iid,
      eventAt,
    });
    run.rows.push(row(run, 'comment', `comment ${comment.CommentId} on ${ref}`, c.action, c.detail));
  }
}

/**
 * A copy the sync made (it carries the other side's marker for this project) whose pair record is missing
 * and could not be linked: the engine would wait for that link forever, so it is reported instead.
 */
async function orphanCopy(run: ProjectRun, text: string | null, copyOf: 'issue' | 'incident', iid?: number) {
  const { snap, deps } = run;
  const [prefix, own] =
    copyOf === 'incident'
      ? ['spira-incident:', snap.project.spiraProjectId]
      : ['gitlab-issue:', snap.gitlabProjectId];
  const marked = markersIn(text).find((m) => m.startsWith(`${prefix}${own}/`));
  if (!marked) return undefined;
  const pairIid = iid ?? Number(marked.slice(marked.indexOf('/') + 1));
  const pair = await deps.sync.links.get(keys.gitlabIssue(snap.gitlabProjectId, pairIid));
  return pair?.state === 'linked'
    ? undefined
    : `copy made by the sync from ${marked}, whose pair is not recorded`;
}

async function linkedIid(run: ProjectRun, incidentId: number): Promise<number | undefined> {
  const pointer = await run.deps.sync.links.get(
    keys.spiraIncident(run.snap.project.spiraProjectId, incidentId),
  );
  return targetIdOf(pointer);
}

function row(run: ProjectRun, kind: BackfillItemKind, ref: string, action: BackfillAction, detail: string) {
  return { spiraProjectId: run.snap.project.spiraProjectId, kind, ref, action, detail };
}

/** The born side of a pair linked by marker reports `linked`, with what the engine then did to it. */
function withLink(run: ProjectRun, r: BackfillRow): BackfillRow {
  const link = run.linked.get(r.ref);
  if (!link || r.action === 'failed') return r;
  return { ...r, action: 'linked', detail: `${link}; then ${r.action}: ${r.detail}` };
}

/** Applies one command with the engine; retries what a retry can fix, parks (real run) what it cannot. */
async function applyOne(
  run: ProjectRun,
  command: SyncCommand,
): Promise<{ action: BackfillAction; detail: string }> {
  const { deps } = run;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await applySyncCommand(deps.sync, command);
      await audit(run, auditKeyOf(command), outcome.action, detailOf(outcome), command.kind);
      return { action: outcome.action, detail: present(deps, detailOf(outcome)) };
    } catch (error) {
      if (isRetryable(error) && attempt < 3) {
        const asked = error instanceof RetryableError ? error.retryAfterSeconds : undefined;
        const wait = asked ? asked * 1000 : (deps.retryDelayMs ?? 500) * attempt;
        await new Promise((ok) => setTimeout(ok, Math.min(wait, 10_000)));
        continue;
      }
      await park(run, command, error);
      return { action: 'failed', detail: describe(error) };
    }
  }
}

function detailOf(outcome: SyncOutcome): string {
  if (outcome.action === 'skipped') return outcome.reason;
  if (outcome.action === 'updated') return `${outcome.target}: ${outcome.fields.join(', ')}`;
  return outcome.target;
}

/** Readable targets: `gl-issue#3#12` → `#12`; a dry run's simulated ids (negative) → `(new)`. */
function present(deps: BackfillDeps, detail: string): string {
  const readable = detail.replace(/gl-issue#\d+#(-?\d+)/g, '#$1').replace(/gl-note#\d+#(-?\d+)/g, '$1');
  return deps.dryRun ? readable.replace(/#?-\d+/g, '(new)') : readable;
}

async function audit(run: ProjectRun, key: string, action: string, detail: string, kind = 'backfill') {
  if (run.deps.dryRun) return;
  await run.deps.sync.audit.record(key, run.snap.project.spiraProjectId, {
    at: new Date().toISOString(),
    kind,
    action,
    detail: `backfill: ${detail}`,
    messageId: run.deps.runId,
  });
}

async function park(run: ProjectRun, command: SyncCommand, error: unknown): Promise<void> {
  if (run.deps.dryRun || !run.deps.parking) return;
  const messageId = `${run.deps.runId}-${deduplicationIdOf(JSON.stringify(command)).slice(0, 12)}`;
  const reason = describe(error);
  await run.deps.parking.park({
    messageId,
    body: JSON.stringify(command),
    reason,
    errorName: error instanceof Error ? error.name : 'Error',
  });
  await audit(run, auditKeyOf(command), 'parked', reason, command.kind);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

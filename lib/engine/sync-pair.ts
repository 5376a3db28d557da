import type { GitLabIssue } from '../connectors/gitlab/rest-schemas.js';
import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import { ConcurrencyConflictError, StatusNotAppliedError } from '../domain/errors.js';
import { fingerprintFields } from '../domain/fingerprint.js';
import { type IncidentContext, type IncidentView, issuePatchFor } from '../domain/incident-to-issue.js';
import {
  type IssueView,
  incidentFields,
  incidentPatchFor,
  issueFields,
} from '../domain/issue-to-incident.js';
import type { LinkRecord } from '../domain/link.js';
import { type Conflict, nextHashes, type PairPlan, type Side, spiraFieldOf } from '../domain/merge.js';
import { refOfKey } from '../domain/pair/item-ref.js';
import { baselineAfterSync, planLinkedPair } from '../domain/pair/plan.js';
import { changeTimes } from './change-times.js';
import type { ProjectContext } from './project-context.js';
import { fieldsOf, updateIncident } from './spira-writes.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';

/** Translates the REST issue into what the sync reads of it. */
export function issueViewOf(issue: GitLabIssue): IssueView {
  return {
    projectId: issue.project_id,
    iid: issue.iid,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    author: { username: issue.author.username, name: issue.author.name },
    assigneeUsername: issue.assignees[0]?.username,
    assigneeId: issue.assignees[0]?.id,
    updatedAt: issue.updated_at,
    createdAt: issue.created_at,
    labels: issue.labels,
    milestoneId: issue.milestone?.id ?? null,
    webUrl: issue.web_url,
  };
}

/** Translates the REST incident into what the sync reads of it. */
export function incidentViewOf(incident: SpiraIncident): IncidentView {
  return {
    ...fieldsOf(incident),
    projectId: incident.ProjectId,
    incidentId: incident.IncidentId,
    openerId: incident.OpenerId,
    openerName: typeof incident.OpenerName === 'string' ? incident.OpenerName : null,
  };
}

export function contextFor(deps: SyncDeps, ctx: ProjectContext): IncidentContext {
  return { ...ctx, mentions: deps.mentions };
}

/**
 * Brings a linked issue and incident to agreement in one pass, whichever side's change started it: fields
 * changed on one side go to the other, conflicts go to the later change (`tie` on a tie) and the winner's
 * value is written to the loser now, so no decision waits for the other direction. Then both sides' hashes
 * are what they hold.
 */
export async function syncPair(
  deps: SyncDeps,
  pair: LinkRecord,
  issue: IssueView,
  first: SpiraIncident,
  ctx: ProjectContext,
  tie: Side,
): Promise<SyncOutcome> {
  const gitlabValues = issueFields(issue, ctx.labels);
  const spiraValues = incidentFields(fieldsOf(first), ctx);
  const read = { gitlab: fingerprintFields(gitlabValues), spira: fingerprintFields(spiraValues) };
  const reading = { hashes: read, at: { gitlab: issue.updatedAt, spira: first.LastUpdateDate } };
  // Who changed which field when is read only when the planner asks (a conflict, or a field changed away
  // and back): an update with no conflict reads no history, notes or state events.
  const step = planLinkedPair(pair, reading, tie);
  const { plan } =
    'needs' in step
      ? planLinkedPair(pair, reading, tie, await changeTimes(deps, ctx, issue, first, step.needs))
      : step;
  await recordConflicts(deps, pair, first.ProjectId, plan.conflicts, {
    gitlab: gitlabValues,
    spira: spiraValues,
  });

  const { incident, patch, before } = await updateIncident(deps.spira, first, (current) =>
    incidentPatchFor(issue, plan.toSpira, fieldsOf(current), ctx),
  );
  let refused = false;
  if (patch.IncidentStatusId !== undefined) {
    // With the template's Status Bulk Edit off, Spira answers 200 and silently keeps the old status. Another
    // status means a person changed it after our write: a later Spira change, which the poll carries.
    const after = await deps.spira.incident(first.ProjectId, first.IncidentId);
    refused =
      after.IncidentStatusId === before.IncidentStatusId &&
      !(await statusWritten(deps, ctx, before, patch.IncidentStatusId));
    if (refused) incident.IncidentStatusId = after.IncidentStatusId;
  }

  const { projectId: gpid, id: iid } = refOfKey(pair.pk);
  const issuePatch = issuePatchFor(
    incidentViewOf(incident),
    plan.toGitLab.map(spiraFieldOf),
    issue,
    contextFor(deps, ctx),
  );
  if (Object.keys(issuePatch).length > 0)
    await unchangedSince(deps, pair, issue, read.gitlab, incident, plan, ctx);
  const after =
    Object.keys(issuePatch).length === 0
      ? issue
      : issueViewOf(await deps.gitlab.updateIssue(gpid, iid, issuePatch));

  const written = {
    gitlab: fingerprintFields(issueFields(after, ctx.labels)),
    spira: fingerprintFields(incidentFields(fieldsOf(incident), ctx)),
  };
  await deps.links.save({ ...pair, ...baselineAfterSync(pair, reading, written, plan, refused) });
  await deps.fault?.('after-fingerprint', pair.pk);
  if (refused)
    throw statusNotApplied(incident.IncidentId, patch.IncidentStatusId as number, incident.IncidentStatusId);

  const fields = [
    ...Object.keys(patch).map((f) => `Spira ${f}`),
    ...Object.keys(issuePatch).map((f) => `GitLab ${f}`),
  ];
  if (fields.length === 0) return { action: 'skipped', reason: 'both sides already agree' };
  return { action: 'updated', target: `incident ${incident.IncidentId} ⇄ issue ${gpid}#${iid}`, fields };
}

/**
 * Whether the history shows our status change since `before` was read: then the old status is back because
 * a person set it again, not because Spira refused ours. History holds the status's name, not its id.
 */
async function statusWritten(deps: SyncDeps, ctx: ProjectContext, before: SpiraIncident, status: number) {
  const name = ctx.statusName(status)?.trim().toLowerCase();
  if (!name) return false;
  const history = await deps.spira.incidentHistory(before.ProjectId, before.IncidentId);
  return history.some(
    (c) =>
      c.FieldName === 'IncidentStatusId' &&
      c.NewValue?.trim().toLowerCase() === name &&
      c.ChangeSet.UserId === ctx.syncSpiraUserId &&
      Date.parse(c.ChangeSet.ChangeDate) >= Date.parse(before.LastUpdateDate),
  );
}

/**
 * GitLab has no conditional update: a PUT computed from an issue someone changed since it was read would
 * overwrite their change. So the issue is read again just before writing it; if it changed, what was
 * carried to Spira is recorded and the message is tried again with what GitLab holds now.
 */
async function unchangedSince(
  deps: SyncDeps,
  pair: LinkRecord,
  issue: IssueView,
  issueHashes: Record<string, string>,
  incident: SpiraIncident,
  plan: PairPlan,
  ctx: ProjectContext,
): Promise<void> {
  const fresh = await deps.gitlab.issue(issue.projectId, issue.iid);
  if (fresh.updated_at === issue.updatedAt) return;
  const carried = plan.toSpira;
  await deps.links.save({
    ...pair,
    gitlabHashes: nextHashes(pair.gitlabHashes, issueHashes, carried),
    spiraHashes: nextHashes(
      pair.spiraHashes,
      fingerprintFields(incidentFields(fieldsOf(incident), ctx)),
      carried.map(spiraFieldOf),
    ),
  });
  throw new ConcurrencyConflictError(
    `issue ${issue.projectId}#${issue.iid} changed while it was being synced (${issue.updatedAt} → ${fresh.updated_at}): trying again`,
  );
}

/**
 * Writes each conflict into the item's history with both sides' values and times and the winner. The same
 * two changes seen again (a retry, or the other direction) are one conflict, recorded once.
 */
export async function recordConflicts(
  deps: SyncDeps,
  record: LinkRecord,
  spiraProjectId: number,
  conflicts: readonly Conflict[],
  values: { gitlab: Record<string, unknown>; spira: Record<string, unknown> },
): Promise<void> {
  if (conflicts.length === 0) return;
  const known = new Set((await deps.audit.history(record.pk)).map((entry) => entry.detail));
  for (const c of conflicts) {
    const gitlab = shown(values.gitlab[c.gitlabField]);
    const spira = shown(values.spira[c.spiraField]);
    const detail = `${c.gitlabField}/${c.spiraField} changed on both sides (GitLab ${gitlab} at ${c.gitlabAt}, Spira ${spira} at ${c.spiraAt}): ${c.winner === 'gitlab' ? 'GitLab' : 'Spira'} wins (later change)`;
    if (known.has(detail)) continue;
    await deps.audit.record(record.pk, spiraProjectId, {
      at: new Date().toISOString(),
      kind: 'conflict',
      action: 'conflict',
      detail,
    });
    deps.log.warn('conflict', { item: record.pk, ...c });
  }
}

/** A value as the conflict log shows it (JSON, long texts cut). */
function shown(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function statusNotApplied(incidentId: number, wanted: number, actual: number): StatusNotAppliedError {
  return new StatusNotAppliedError(
    `Spira kept incident ${incidentId} in status ${actual} instead of ${wanted}: turn on "Status Bulk Edit" in the product template (Spira ignores status changes from the API without it)`,
  );
}

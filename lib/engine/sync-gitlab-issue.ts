import type { GitLabIssue } from '../connectors/gitlab/rest-schemas.js';
import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import { CounterpartPendingError, RemoteNotFoundError, StatusNotAppliedError } from '../domain/errors.js';
import { changedFields, fingerprintFields } from '../domain/fingerprint.js';
import {
  type IssueField,
  type IssueView,
  incidentFields,
  incidentPatchFor,
  issueFields,
  issueRef,
  type NewIncidentFields,
  newIncidentFor,
} from '../domain/issue-to-incident.js';
import { keys, type LinkRecord } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { agreedHashes, type Conflict, mergeChanges, nextHashes, spiraFieldOf } from '../domain/merge.js';
import { isOlder } from '../domain/ordering.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce, pointerBack } from './create-once.js';
import type { ProjectContext } from './project-context.js';
import { fieldsOf, findIncidentByMarker, updateIncident } from './spira-writes.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { releaseForMilestone } from './sync-milestones.js';

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
    labels: issue.labels,
    milestoneId: issue.milestone?.id ?? null,
    webUrl: issue.web_url,
  };
}

/** GitLab issue → Spira incident: create it once, or apply the fields that changed since the last sync. */
export async function syncGitLabIssue(
  deps: SyncDeps,
  command: SyncCommandOf<'gitlab.issue'>,
): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId, iid } = command;
  const key = keys.gitlabIssue(gitlabProjectId, iid);
  const known = await deps.links.get(key);
  if (known?.appliedEventAt !== undefined && isOlder(command.eventAt, known.appliedEventAt)) {
    return {
      action: 'skipped',
      reason: `stale event of ${command.eventAt}: the issue as of ${known.appliedEventAt} is already applied`,
    };
  }
  const projectCtx = await deps.contexts.get(pid, gitlabProjectId);
  const rest = await deps.gitlab.issue(gitlabProjectId, iid).catch((error: unknown) => {
    if (error instanceof RemoteNotFoundError) return undefined;
    throw error;
  });
  if (!rest) return { action: 'skipped', reason: 'issue no longer exists in GitLab' };
  const issue = issueViewOf(rest);
  const byUs = issue.author.username.toLowerCase() === projectCtx.syncUsername.toLowerCase();
  if (!known && (markersIn(issue.description).some((ref) => ref.startsWith('spira-incident:')) || byUs)) {
    // We made this issue from a Spira incident and have not recorded the pair yet: never make a second incident.
    // The author is checked too: a person may have replaced the description (and its marker) meanwhile.
    throw new CounterpartPendingError(`issue ${iid} was created from Spira; its link is not recorded yet`);
  }
  const ctx = await withReleaseOf(deps, projectCtx, gitlabProjectId, issue.milestoneId);
  const wanted = newIncidentFor(issue, ctx);
  let stored: SpiraIncident | undefined;
  const { record, created, target } = await createOnce(
    deps,
    key,
    { gitlabProjectId, spiraProjectId: pid },
    {
      adopt: (claim) =>
        findIncidentByMarker(deps.spira, pid, issueRef(issue), claim.claimedAt, async (incident) =>
          isOrphanOf(deps, wanted, incident),
        ),
      create: () => deps.spira.createIncident(pid, wanted),
      idOf: String,
      beforeComplete: (id, claim) =>
        pointerBack(deps.links, claim.pk, keys.spiraIncident(pid, id), {
          spiraProjectId: pid,
          gitlabProjectId,
        }),
      completeWith: async (id, _claim, adopted) => {
        stored = await deps.spira.incident(pid, id);
        return baselineOf(issue, wanted, stored, adopted, ctx);
      },
    },
  );
  // An adopted incident goes through the merge for the fields its baseline left out.
  if (!created) return applyIssueChanges(deps, record, issue, ctx);
  await deps.fault?.('after-fingerprint', record.pk);
  const kept = (stored as SpiraIncident).IncidentStatusId;
  if (kept !== wanted.IncidentStatusId) throw statusNotApplied(Number(target), wanted.IncidentStatusId, kept);
  return { action: 'created', target: `incident ${target}` };
}

/** An unmarked incident no link knows, with the name we gave ours: ours, after a person replaced its text. */
async function isOrphanOf(deps: SyncDeps, wanted: NewIncidentFields, incident: SpiraIncident) {
  if (incident.Name !== wanted.Name) return false;
  return !(await deps.links.get(keys.spiraIncident(incident.ProjectId, incident.IncidentId)));
}

/**
 * The hashes saved with the completion. The create answer echoes our request, not what Spira stored, so a
 * made incident is baselined as read back (a refused status keeps no hash: a replay after the template is
 * fixed tries again). An adopted one may have been changed on either side since it was made: only the
 * fields where it is what the issue asks for now are baselined.
 */
function baselineOf(
  issue: IssueView,
  wanted: NewIncidentFields,
  stored: SpiraIncident,
  adopted: boolean,
  ctx: ProjectContext,
): Partial<LinkRecord> {
  const read = fieldsOf(stored);
  const now = {
    gitlab: fingerprintFields(issueFields(issue, ctx.labels)),
    spira: fingerprintFields(incidentFields(read, ctx)),
  };
  const asked = fingerprintFields(incidentFields({ ...read, ...definedOf(wanted) }, ctx));
  const refused = stored.IncidentStatusId !== wanted.IncidentStatusId;
  const hashes = agreedHashes(now, (g, s) =>
    adopted ? asked[s] === now.spira[s] : !(refused && g === 'state'),
  );
  return { appliedEventAt: issue.updatedAt, ...hashes };
}

function definedOf<T extends object>(from: T): Partial<T> {
  return Object.fromEntries(Object.entries(from).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Applies the issue fields changed since the last sync to the incident, merging with Spira's changes by time. */
export async function applyIssueChanges(
  deps: SyncDeps,
  record: LinkRecord,
  issue: IssueView,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const gitlabNow = fingerprintFields(issueFields(issue, ctx.labels));
  const changed = changedFields(gitlabNow, record.gitlabHashes);
  if (changed.length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const pid = ctx.project.spiraProjectId;
  const first = await deps.spira.incident(pid, Number(record.targetId));
  const spiraChanged = changedFields(
    fingerprintFields(incidentFields(fieldsOf(first), ctx)),
    record.spiraHashes,
  );
  const { apply, conflicts } = mergeChanges(
    'gitlab',
    { gitlab: changed, spira: spiraChanged },
    { gitlab: issue.updatedAt, spira: first.LastUpdateDate },
  );
  await recordConflicts(deps, record, pid, conflicts);
  const { incident, patch } = await updateIncident(deps.spira, first, (current) =>
    incidentPatchFor(issue, apply, fieldsOf(current), ctx),
  );
  let refused = false;
  if (patch.IncidentStatusId !== undefined) {
    // With the template's Status Bulk Edit off, Spira answers 200 and silently keeps the old status.
    const after = await deps.spira.incident(pid, incident.IncidentId);
    refused = after.IncidentStatusId !== patch.IncidentStatusId;
    if (refused) incident.IncidentStatusId = after.IncidentStatusId;
  }
  const lost = conflicts.filter((c) => c.winner === 'spira').map((c) => c.gitlabField);
  const carried = apply.filter((f) => !(refused && f === 'state'));
  const gitlabHashes = nextHashes(
    record.gitlabHashes,
    gitlabNow,
    Object.keys(gitlabNow).filter((f) => !lost.includes(f as IssueField) && !(refused && f === 'state')),
  );
  const spiraNow = fingerprintFields(incidentFields(fieldsOf(incident), ctx));
  await saveHashes(
    deps,
    { ...record, appliedEventAt: issue.updatedAt },
    gitlabHashes,
    nextHashes(record.spiraHashes, spiraNow, carried.map(spiraFieldOf)),
  );
  if (refused)
    throw statusNotApplied(incident.IncidentId, patch.IncidentStatusId as number, incident.IncidentStatusId);
  const fields = Object.keys(patch);
  if (fields.length === 0)
    return { action: 'skipped', reason: `Spira already matches (${changed.join(', ')})` };
  return { action: 'updated', target: `incident ${incident.IncidentId}`, fields };
}

async function saveHashes(
  deps: SyncDeps,
  record: LinkRecord,
  gitlabHashes: Record<string, string>,
  spiraHashes: Record<string, string>,
) {
  await deps.links.save({ ...record, gitlabHashes, spiraHashes });
  await deps.fault?.('after-fingerprint', record.pk);
}

/** Writes each conflict into the item's history with both sides' times and the winner. */
export async function recordConflicts(
  deps: SyncDeps,
  record: LinkRecord,
  spiraProjectId: number,
  conflicts: readonly Conflict[],
): Promise<void> {
  if (conflicts.length === 0) return;
  // The same two changes seen again (a retry, or the other direction) are one conflict, recorded once.
  const known = new Set((await deps.audit.history(record.pk)).map((entry) => entry.detail));
  for (const c of conflicts) {
    const detail = `${c.gitlabField}/${c.spiraField} changed on both sides (GitLab ${c.gitlabAt}, Spira ${c.spiraAt}): ${c.winner === 'gitlab' ? 'GitLab' : 'Spira'} wins (later change)`;
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

/** The context, knowing the release of the issue's milestone (made first in Spira when it has none yet). */
async function withReleaseOf(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  milestoneId: number | null,
): Promise<ProjectContext> {
  if (milestoneId === null || ctx.releaseFor(milestoneId) !== undefined) return ctx;
  const releaseId = await releaseForMilestone(deps, ctx, gpid, milestoneId);
  return { ...ctx, releaseFor: (id) => (id === milestoneId ? releaseId : ctx.releaseFor(id)) };
}

function statusNotApplied(incidentId: number, wanted: number, actual: number): StatusNotAppliedError {
  return new StatusNotAppliedError(
    `Spira kept incident ${incidentId} in status ${actual} instead of ${wanted}: turn on "Status Bulk Edit" in the product template (Spira ignores status changes from the API without it)`,
  );
}

import type { GitLabIssue } from '../connectors/gitlab/rest-schemas.js';
import { CounterpartPendingError, RemoteNotFoundError, StatusNotAppliedError } from '../domain/errors.js';
import { fingerprintFields } from '../domain/fingerprint.js';
import {
  changedIssueFields,
  type IssueView,
  incidentFields,
  incidentPatchFor,
  issueFields,
  issueRef,
  newIncidentFor,
} from '../domain/issue-to-incident.js';
import { keys, type LinkRecord } from '../domain/link.js';
import { markersIn } from '../domain/markup.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce, pointerBack } from './create-once.js';
import type { ProjectContext } from './project-context.js';
import { fieldsOf, findIncidentByMarker, updateIncident } from './spira-writes.js';
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
  const ctx = await deps.contexts.get(pid, gitlabProjectId);
  const rest = await deps.gitlab.issue(gitlabProjectId, iid).catch((error: unknown) => {
    if (error instanceof RemoteNotFoundError) return undefined;
    throw error;
  });
  if (!rest) return { action: 'skipped', reason: 'issue no longer exists in GitLab' };
  const issue = issueViewOf(rest);
  const key = keys.gitlabIssue(gitlabProjectId, iid);
  if (
    markersIn(issue.description).some((ref) => ref.startsWith('spira-incident:')) &&
    !(await deps.links.get(key))
  ) {
    // We made this issue from a Spira incident and have not recorded the pair yet: never make a second incident.
    throw new CounterpartPendingError(`issue ${iid} was created from Spira; its link is not recorded yet`);
  }
  const { record, created } = await createOnce(
    deps.links,
    key,
    { gitlabProjectId, spiraProjectId: pid },
    {
      adopt: (claim) => findIncidentByMarker(deps.spira, pid, issueRef(issue), claim.claimedAt),
      create: () => deps.spira.createIncident(pid, newIncidentFor(issue, ctx)),
      idOf: String,
      beforeComplete: (id, claim) =>
        pointerBack(deps.links, claim.pk, keys.spiraIncident(pid, id), {
          spiraProjectId: pid,
          gitlabProjectId,
        }),
    },
    deps.fault,
  );
  return created ? afterCreate(deps, record, issue, ctx) : applyChanges(deps, record, issue, ctx);
}

async function afterCreate(
  deps: SyncDeps,
  record: LinkRecord,
  issue: IssueView,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  // The create answer echoes our request, not what Spira stored: read it back (status may have been refused).
  const incident = await deps.spira.incident(ctx.project.spiraProjectId, Number(record.targetId));
  const wanted = newIncidentFor(issue, ctx).IncidentStatusId;
  await recordHashes(deps, record, issue, fieldsOf(incident), incident.IncidentStatusId !== wanted);
  if (incident.IncidentStatusId !== wanted)
    throw statusNotApplied(incident.IncidentId, wanted, incident.IncidentStatusId);
  return { action: 'created', target: `incident ${incident.IncidentId}` };
}

async function applyChanges(
  deps: SyncDeps,
  record: LinkRecord,
  issue: IssueView,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const changed = changedIssueFields(issue, record.gitlabHashes);
  if (changed.length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const pid = ctx.project.spiraProjectId;
  const first = await deps.spira.incident(pid, Number(record.targetId));
  const { incident, patch } = await updateIncident(deps.spira, first, (current) =>
    incidentPatchFor(issue, changed, fieldsOf(current), ctx),
  );
  let statusFailed = false;
  if (patch.IncidentStatusId !== undefined) {
    // With the template's Status Bulk Edit off, Spira answers 200 and silently keeps the old status.
    const after = await deps.spira.incident(pid, incident.IncidentId);
    statusFailed = after.IncidentStatusId !== patch.IncidentStatusId;
    if (statusFailed) incident.IncidentStatusId = after.IncidentStatusId;
  }
  await recordHashes(deps, record, issue, fieldsOf(incident), statusFailed);
  if (statusFailed)
    throw statusNotApplied(incident.IncidentId, patch.IncidentStatusId as number, incident.IncidentStatusId);
  const fields = Object.keys(patch);
  if (fields.length === 0)
    return { action: 'skipped', reason: `Spira already matches (${changed.join(', ')})` };
  return { action: 'updated', target: `incident ${incident.IncidentId}`, fields };
}

/** Records what both sides now hold; a state that did not reach Spira keeps its old hash so a replay retries it. */
async function recordHashes(
  deps: SyncDeps,
  record: LinkRecord,
  issue: IssueView,
  written: ReturnType<typeof fieldsOf>,
  keepOldState: boolean,
) {
  const gitlabHashes: Record<string, string> = fingerprintFields(issueFields(issue));
  const oldState = record.gitlabHashes?.state;
  if (keepOldState) {
    if (oldState === undefined) delete gitlabHashes.state;
    else gitlabHashes.state = oldState;
  }
  await deps.links.save({ ...record, gitlabHashes, spiraHashes: fingerprintFields(incidentFields(written)) });
  await deps.fault?.('after-fingerprint', record.pk);
}

function statusNotApplied(incidentId: number, wanted: number, actual: number): StatusNotAppliedError {
  return new StatusNotAppliedError(
    `Spira kept incident ${incidentId} in status ${actual} instead of ${wanted}: turn on "Status Bulk Edit" in the product template (Spira ignores status changes from the API without it)`,
  );
}

import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import { CounterpartPendingError, RemoteNotFoundError } from '../domain/errors.js';
import { changedFields, fingerprintFields } from '../domain/fingerprint.js';
import {
  type IssueView,
  incidentFields,
  issueFields,
  issueRef,
  type NewIncidentFields,
  newIncidentFor,
} from '../domain/issue-to-incident.js';
import { firstClaimOf, keys, type LinkRecord } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { agreedHashes } from '../domain/merge.js';
import { isOlder } from '../domain/ordering.js';
import { isMarkerOf } from '../domain/pair/item-ref.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce, pointerBack } from './create-once.js';
import type { ProjectContext } from './project-context.js';
import { fieldsOf, findIncidentByMarker, markersInHistory } from './spira-writes.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { releaseForMilestone } from './sync-milestones.js';
import { issueViewOf, statusNotApplied, syncPair } from './sync-pair.js';

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
  if (!known && (markersIn(issue.description).some((ref) => isMarkerOf(ref, 'spira', 'incident')) || byUs)) {
    // We made this issue from a Spira incident and have not recorded the pair yet: never make a second incident.
    // The author is checked too: a person may have replaced the description (and its marker) meanwhile.
    throw new CounterpartPendingError(`issue ${iid} was created from Spira; its link is not recorded yet`);
  }
  const ctx = await withReleaseOf(deps, projectCtx, gitlabProjectId, issue.milestoneId);
  const wanted = newIncidentFor(issue, ctx);
  let stored: SpiraIncident | undefined;
  let touched = false;
  const { record, created, target } = await createOnce(
    deps,
    key,
    { gitlabProjectId, spiraProjectId: pid },
    {
      adopt: (claim) =>
        findIncidentByMarker(deps.spira, pid, issueRef(issue), firstClaimOf(claim), async (incident) =>
          isOrphanOf(deps, key, issueRef(issue), incident),
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
        // Another status than ours: Spira refused it (Status Bulk Edit off), or a person changed it since,
        // which the history shows. A changed incident is baselined like an adopted one.
        touched =
          stored.IncidentStatusId !== wanted.IncidentStatusId &&
          (await deps.spira.incidentHistory(pid, id)).some((c) => c.FieldName === 'IncidentStatusId');
        return baselineOf(issue, wanted, stored, adopted || touched, ctx);
      },
    },
  );
  // An adopted or since-changed incident goes through the merge for the fields its baseline left out.
  if (!created || touched) return applyIssueChanges(deps, record, issue, ctx);
  await deps.fault?.('after-fingerprint', record.pk);
  const kept = (stored as SpiraIncident).IncidentStatusId;
  if (kept !== wanted.IncidentStatusId) throw statusNotApplied(Number(target), wanted.IncidentStatusId, kept);
  return { action: 'created', target: `incident ${target}` };
}

/**
 * Whether an unmarked incident is ours, after a person replaced its text: its pointer already names this
 * issue (an earlier attempt wrote it), or no link knows it and its history shows our marker.
 */
async function isOrphanOf(deps: SyncDeps, key: string, ref: string, incident: SpiraIncident) {
  const pointer = await deps.links.get(keys.spiraIncident(incident.ProjectId, incident.IncidentId));
  if (pointer) return pointer.targetId === key;
  return (await markersInHistory(deps.spira, incident.ProjectId, incident.IncidentId)).includes(ref);
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

/**
 * Applies the issue fields changed since the last sync to the incident (and, through the pair's merge,
 * whatever changed in Spira meanwhile to the issue).
 */
export async function applyIssueChanges(
  deps: SyncDeps,
  record: LinkRecord,
  issue: IssueView,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const gitlabNow = fingerprintFields(issueFields(issue, ctx.labels));
  if (changedFields(gitlabNow, record.gitlabHashes).length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const incident = await deps.spira.incident(ctx.project.spiraProjectId, Number(record.targetId));
  return syncPair(deps, record, issue, incident, ctx, 'gitlab');
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

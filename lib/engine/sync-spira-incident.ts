import type { GitLabIssue } from '../connectors/gitlab/rest-schemas.js';
import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import { deletedNoteBody } from '../domain/comment-to-note.js';
import { CounterpartPendingError, RemoteNotFoundError } from '../domain/errors.js';
import { changedFields, fingerprintFields } from '../domain/fingerprint.js';
import { incidentRef, issueAsCreated, issueStateFor, newIssueFor } from '../domain/incident-to-issue.js';
import { incidentFields, issueFields } from '../domain/issue-to-incident.js';
import { keys, type LinkRecord, targetIdOf } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { agreedHashes } from '../domain/merge.js';
import { adoptionWindowStart } from '../domain/pair/claim.js';
import {
  deletedIncidentKey,
  deletedIncidentMarkerRef,
  type ItemRef,
  keyOf,
  parseMarkerRef,
  refOfKey,
} from '../domain/pair/item-ref.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce } from './create-once.js';
import type { ProjectContext } from './project-context.js';
import { fieldsOf, markersInHistory } from './spira-writes.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { milestoneForRelease } from './sync-milestones.js';
import { contextFor, incidentViewOf, issueViewOf, syncPair } from './sync-pair.js';

type Command = SyncCommandOf<'spira.incident'>;

/** Spira incident → GitLab issue: create it once (then close it if needed), or push the fields changed in Spira. */
export async function syncSpiraIncident(deps: SyncDeps, command: Command): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId, incidentId } = command;
  const projectCtx = await deps.contexts.get(pid, gitlabProjectId);
  const incident = await deps.spira.incident(pid, incidentId).catch((error: unknown) => {
    if (error instanceof RemoteNotFoundError) return undefined;
    throw error;
  });
  if (!incident) return incidentDeleted(deps, command);
  const view = incidentViewOf(incident);
  const ctx = await withMilestoneOf(deps, projectCtx, gitlabProjectId, view.ResolvedReleaseId);
  const pairKey = await pairKeyOf(deps, command, incident);
  if (pairKey === undefined) return createIssue(deps, command, incident, ctx);
  const pair = await deps.links.get(pairKey);
  // A linked pair without hashes (an older version's) needs no waiting: the merge treats every field as
  // changed on both sides and lets the later change win.
  if (pair?.state !== 'linked') {
    throw new CounterpartPendingError(
      `incident ${incidentId}: its issue link ${pairKey} is not complete yet`,
    );
  }
  return pushChanges(deps, pair, incident, ctx);
}

/** The context, knowing the milestone of the incident's planned release (made first in GitLab when it has none yet). */
async function withMilestoneOf(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  releaseId: number | null,
): Promise<ProjectContext> {
  if (releaseId === null || ctx.milestoneFor(releaseId) !== undefined) return ctx;
  const milestoneId = await milestoneForRelease(deps, ctx, gpid, releaseId);
  return { ...ctx, milestoneFor: (id) => (id === releaseId ? milestoneId : ctx.milestoneFor(id)) };
}

/** The pair record's key: from the incident's own marker (GitLab-born) or its pointer record (linked earlier). */
async function pairKeyOf(
  deps: SyncDeps,
  command: Command,
  incident: SpiraIncident,
): Promise<string | undefined> {
  const born = issueOfMarkers(markersIn(incident.Description));
  if (born) return keyOf(born);
  const pointer = await deps.links.get(keys.spiraIncident(command.spiraProjectId, command.incidentId));
  if (pointer) return pointer.state === 'linked' ? pointer.targetId : undefined;
  // Unmarked and unknown: made in Spira, or made by the sync and its marker edited away before the link
  // was recorded (its history still shows it). The latter must never get an issue of its own.
  const made = issueOfMarkers(await markersInHistory(deps.spira, command.spiraProjectId, command.incidentId));
  return made && keyOf(made);
}

/** The first GitLab issue the markers name. */
function issueOfMarkers(refs: readonly string[]): ItemRef | undefined {
  return refs.map(parseMarkerRef).find((ref) => ref?.system === 'gitlab' && ref.kind === 'issue');
}

/** A deleted incident never deletes its issue: by default one note says so (config `spira.onIncidentDeleted`). */
async function incidentDeleted(deps: SyncDeps, command: Command): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId: gpid, incidentId } = command;
  const pointer = await deps.links.get(keys.spiraIncident(pid, incidentId));
  const iid = targetIdOf(pointer);
  if (!iid || deps.onIncidentDeleted === 'ignore')
    return { action: 'skipped', reason: 'incident no longer exists in Spira' };
  const closing = deps.onIncidentDeleted === 'close';
  const ref = deletedIncidentMarkerRef(pid, incidentId);
  const result = await createOnce<{ id: number }>(
    deps,
    deletedIncidentKey(pid, incidentId),
    { spiraProjectId: pid, gitlabProjectId: gpid },
    {
      adopt: async () =>
        (await deps.gitlab.notes(gpid, iid)).find((note) => markersIn(note.body).includes(ref)),
      create: () => deps.gitlab.createNote(gpid, iid, deletedNoteBody(pid, incidentId, closing)),
      idOf: (note) => keys.gitlabNote(gpid, note.id),
    },
  );
  if (closing && result.created) await deps.gitlab.updateIssue(gpid, iid, { state_event: 'close' });
  return result.created
    ? { action: 'created', target: `deletion note on issue ${iid}` }
    : { action: 'skipped', reason: 'deletion already noted' };
}

async function createIssue(
  deps: SyncDeps,
  command: Command,
  read: SpiraIncident,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const { gitlabProjectId: gpid, spiraProjectId: pid } = command;
  const incident = incidentViewOf(read);
  const ictx = contextFor(deps, ctx);
  const ref = incidentRef(incident);
  let adopted: GitLabIssue | undefined;
  const result = await createOnce<GitLabIssue>(
    deps,
    keys.spiraIncident(pid, incident.incidentId),
    { spiraProjectId: pid, gitlabProjectId: gpid },
    {
      adopt: async (claim) => {
        adopted = await adoptableIssue(deps, ctx, gpid, claim, ref, incident.Name);
        // A create that made the issue but crashed before closing it is finished here; an issue that was
        // ever closed had its close applied (a person may have reopened it since).
        if (adopted?.state === 'opened' && issueStateFor(incident, ctx.statuses) === 'closed') {
          if ((await deps.gitlab.stateEvents(gpid, adopted.iid)).length === 0)
            adopted = await deps.gitlab.updateIssue(gpid, adopted.iid, { state_event: 'close' });
        }
        return adopted;
      },
      create: async () => {
        const created = await deps.gitlab.createIssue(gpid, newIssueFor(incident, ictx));
        // GitLab ignores state_event on create: close it with a second call.
        if (issueStateFor(incident, ctx.statuses) !== 'closed') return created;
        return deps.gitlab.updateIssue(gpid, created.iid, { state_event: 'close' });
      },
      idOf: (issue) => keys.gitlabIssue(gpid, issue.iid),
      beforeComplete: (issue, claim) => {
        const found = issueViewOf(issue);
        const now = {
          gitlab: fingerprintFields(issueFields(found, ctx.labels)),
          spira: fingerprintFields(incidentFields(incident, ctx)),
        };
        // An adopted issue may have been changed on either side since it was made: only the fields where it is
        // what the incident asks for now are baselined; the others go through the merge below.
        const asked =
          issue === adopted
            ? fingerprintFields(issueFields(issueAsCreated(incident, ictx, found), ctx.labels))
            : undefined;
        const hashes = agreedHashes(now, (g) => asked === undefined || asked[g] === now.gitlab[g]);
        return deps.links.overwrite({
          pk: keys.gitlabIssue(gpid, issue.iid),
          state: 'linked',
          version: 0,
          claimedAt: claim.claimedAt,
          targetId: String(incident.incidentId),
          counterpart: claim.pk,
          spiraProjectId: pid,
          gitlabProjectId: gpid,
          ...hashes,
        });
      },
    },
  );
  if (result.target !== undefined && !result.created) {
    const pair = await deps.links.get(keys.gitlabIssue(gpid, result.target.iid));
    if (pair) return pushChanges(deps, pair, read, ctx);
  }
  if (!result.created) return { action: 'skipped', reason: `already linked to ${result.record.targetId}` };
  return { action: 'created', target: `issue ${result.record.targetId}` };
}

/**
 * The issue a crashed attempt made for this incident: the one carrying its marker or, when a person replaced
 * the description before the retry, an unmarked one the sync user created since the first claim that no
 * link knows (the author and creation time are not editable): the one with the incident's name, or the
 * only one.
 */
async function adoptableIssue(
  deps: SyncDeps,
  ctx: ProjectContext,
  gpid: number,
  claim: LinkRecord,
  ref: string,
  name: string,
): Promise<GitLabIssue | undefined> {
  const since = adoptionWindowStart(claim);
  const issues = await deps.gitlab.issuesCreatedAfter(gpid, since);
  const marked = issues.find((issue) => markersIn(issue.description).includes(ref));
  if (marked) return marked;
  const orphans: GitLabIssue[] = [];
  for (const issue of issues) {
    if (issue.author.username.toLowerCase() !== ctx.syncUsername.toLowerCase()) continue;
    if (markersIn(issue.description).length > 0) continue;
    if (!(await deps.links.get(keys.gitlabIssue(gpid, issue.iid)))) orphans.push(issue);
  }
  // The one with our title or, when a person renamed it too, the only one there is.
  return (
    orphans.find((issue) => issue.title === name.slice(0, 255)) ??
    (orphans.length === 1 ? orphans[0] : undefined)
  );
}

async function pushChanges(
  deps: SyncDeps,
  pair: LinkRecord,
  incident: SpiraIncident,
  ctx: ProjectContext,
): Promise<SyncOutcome> {
  const spiraNow = fingerprintFields(incidentFields(fieldsOf(incident), ctx));
  const changed = changedFields(spiraNow, pair.spiraHashes);
  if (changed.length === 0)
    return { action: 'skipped', reason: 'no field changed since the last sync (duplicate or echo)' };
  const { projectId: gpid, id: iid } = refOfKey(pair.pk);
  const issue = issueViewOf(await deps.gitlab.issue(gpid, iid));
  return syncPair(deps, pair, issue, incident, ctx, 'spira');
}

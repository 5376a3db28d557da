import type { GitLabIssue } from '../../connectors/gitlab/rest-schemas.js';
import type { SpiraIncident } from '../../connectors/spira/spira-schemas.js';
import { RemoteNotFoundError } from '../../domain/errors.js';
import { fingerprint, fingerprintFields } from '../../domain/fingerprint.js';
import { incidentFields, issueFields } from '../../domain/issue-to-incident.js';
import { keys } from '../../domain/link.js';
import { markersIn } from '../../domain/marker.js';
import type { ProjectContext } from '../../engine/project-context.js';
import { fieldsOf } from '../../engine/spira-writes.js';
import { issueViewOf } from '../../engine/sync-pair.js';
import type { LinkStore } from '../../ports/link-store.js';
import type { GitLabPort, SpiraPort } from '../../ports/sync-ports.js';
import type { ProjectSnapshot } from './snapshot.js';

/** A pair found by the marker the sync writes into every copy, whose link records are missing. */
export interface MarkedPair {
  iid: number;
  incidentId: number;
  /** The side the item was created on: its values win when the pair is linked again. */
  born: 'gitlab' | 'spira';
}

/** What linking needs. */
export interface LinkDeps {
  links: LinkStore;
  gitlab: Pick<GitLabPort, 'issue' | 'notes'>;
  spira: Pick<SpiraPort, 'incident' | 'comments'>;
}

const refOf = (text: string | null | undefined, prefix: string) =>
  markersIn(text)
    .filter((ref) => ref.startsWith(prefix))
    .map((ref) => ref.slice(prefix.length).split('/').map(Number) as [number, number]);

/**
 * Pairs the snapshot's markers name (an incident made from issue `G/I` carries `gitlab-issue:G/I`, an issue
 * made from incident `P/N` carries `spira-incident:P/N`) whose pair record does not exist: the state of an
 * earlier deployment was lost, and without a link the engine would make a second copy.
 */
export async function findUnlinkedPairs(links: LinkStore, snap: ProjectSnapshot): Promise<MarkedPair[]> {
  const pid = snap.project.spiraProjectId;
  const gpid = snap.gitlabProjectId;
  const found = new Map<string, MarkedPair>();
  for (const incident of snap.incidents)
    for (const [g, iid] of refOf(incident.Description, 'gitlab-issue:'))
      if (g === gpid)
        found.set(`${iid}/${incident.IncidentId}`, { iid, incidentId: incident.IncidentId, born: 'gitlab' });
  for (const issue of snap.issues)
    for (const [p, id] of refOf(issue.description, 'spira-incident:'))
      if (p === pid) found.set(`${issue.iid}/${id}`, { iid: issue.iid, incidentId: id, born: 'spira' });
  const missing: MarkedPair[] = [];
  for (const pair of found.values()) {
    const [pairRecord, pointer] = await Promise.all([
      links.get(keys.gitlabIssue(gpid, pair.iid)),
      links.get(keys.spiraIncident(pid, pair.incidentId)),
    ]);
    if (!pairRecord && !pointer) missing.push(pair);
  }
  return missing;
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((error: unknown) => {
    if (error instanceof RemoteNotFoundError) return undefined;
    throw error;
  });
}

/**
 * Records a marked pair as linked (claim first, so it is done once), with the born side's hashes left empty
 * so that the engine then carries its values over, and links the comments and notes already copied.
 * Returns why it did not link, or undefined once linked.
 */
export async function linkPair(
  deps: LinkDeps,
  snap: ProjectSnapshot,
  ctx: ProjectContext,
  pair: MarkedPair,
): Promise<string | undefined> {
  const pid = snap.project.spiraProjectId;
  const gpid = snap.gitlabProjectId;
  const issue = await orUndefined(deps.gitlab.issue(gpid, pair.iid));
  const incident = await orUndefined(deps.spira.incident(pid, pair.incidentId));
  if (!issue) return `issue #${pair.iid} named by the marker no longer exists`;
  if (!incident) return `incident IN:${pair.incidentId} named by the marker no longer exists`;
  const glKey = keys.gitlabIssue(gpid, pair.iid);
  const spKey = keys.spiraIncident(pid, pair.incidentId);
  const claim = await deps.links.claim(glKey, { spiraProjectId: pid, gitlabProjectId: gpid });
  if (!claim.claimed) return `${glKey} was recorded meanwhile`;
  const gitlabHashes = fingerprintFields(issueFields(issueViewOf(issue), ctx.labels));
  const spiraHashes = fingerprintFields(incidentFields(fieldsOf(incident), ctx));
  await deps.links.save({
    ...claim.record,
    state: 'linked',
    targetId: String(pair.incidentId),
    counterpart: spKey,
    gitlabHashes: pair.born === 'gitlab' ? {} : gitlabHashes,
    spiraHashes: pair.born === 'spira' ? {} : spiraHashes,
  });
  await deps.links.overwrite(linked(spKey, glKey, pid, gpid));
  await linkCopiedComments(deps, pid, gpid, issue, incident);
  return undefined;
}

function linked(pk: string, targetId: string, pid: number, gpid: number, extra: object = {}) {
  return {
    pk,
    state: 'linked' as const,
    version: 0,
    claimedAt: new Date().toISOString(),
    targetId,
    spiraProjectId: pid,
    gitlabProjectId: gpid,
    ...extra,
  };
}

/** Comments made from notes (`gitlab-note:`) and notes made from comments (`spira-comment:`) of one pair. */
async function linkCopiedComments(
  deps: LinkDeps,
  pid: number,
  gpid: number,
  issue: GitLabIssue,
  incident: SpiraIncident,
): Promise<void> {
  const [notes, comments] = await Promise.all([
    deps.gitlab.notes(gpid, issue.iid),
    deps.spira.comments(pid, incident.IncidentId),
  ]);
  for (const comment of comments) {
    for (const [g, noteId] of refOf(comment.Text, 'gitlab-note:')) {
      const key = keys.gitlabNote(gpid, noteId);
      if (g !== gpid || (await deps.links.get(key))) continue;
      const body = notes.find((n) => n.id === noteId)?.body;
      const hashes = body === undefined ? {} : { gitlabHashes: { body: fingerprint(body) } };
      await deps.links.overwrite(linked(key, String(comment.CommentId), pid, gpid, hashes));
      await deps.links.overwrite(linked(keys.spiraComment(pid, comment.CommentId), key, pid, gpid));
    }
  }
  for (const note of notes) {
    for (const [p, commentId] of refOf(note.body, 'spira-comment:')) {
      const key = keys.spiraComment(pid, commentId);
      if (p !== pid || (await deps.links.get(key))) continue;
      await deps.links.overwrite(linked(key, keys.gitlabNote(gpid, note.id), pid, gpid));
    }
  }
}

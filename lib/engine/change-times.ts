import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import type { IssueView } from '../domain/issue-to-incident.js';
import type { Conflict, FieldTimes } from '../domain/merge.js';
import type { ProjectContext } from './project-context.js';
import type { SyncDeps } from './sync-deps.js';

/** GitLab's system notes that say a field changed (GitLab writes one per change). */
const GITLAB_NOTES: Partial<Record<Conflict['gitlabField'], RegExp>> = {
  title: /^changed title from /,
  description: /^changed the description/,
  assignee: /^(assigned to|unassigned) /,
};

/** The Spira history fields behind each synced incident field. */
const SPIRA_FIELDS: Record<Conflict['spiraField'], readonly string[]> = {
  name: ['Name'],
  description: ['Description'],
  status: ['IncidentStatusId'],
  owner: ['OwnerId'],
  release: ['ResolvedReleaseId'],
  labels: ['PriorityId', 'SeverityId', 'IncidentTypeId', 'Tags'],
};

/**
 * When a person (anyone but the sync) last changed each conflicting field on each side: GitLab's system
 * notes and state events, Spira's incident history; the item's creation when no person ever changed it.
 * The item's last update would also count the sync's own writes and changes to other fields; this is read
 * only when there is a conflict to decide.
 */
export async function changeTimes(
  deps: SyncDeps,
  ctx: ProjectContext,
  issue: IssueView,
  incident: SpiraIncident,
  conflicts: readonly Pick<Conflict, 'gitlabField' | 'spiraField'>[],
): Promise<FieldTimes> {
  const times: FieldTimes = { gitlab: {}, spira: {}, byPerson: { gitlab: [], spira: [] } };
  const people = times.byPerson as NonNullable<FieldTimes['byPerson']>;
  const sync = ctx.syncUsername.toLowerCase();
  const byPerson = (username: string | undefined) =>
    username !== undefined && username.toLowerCase() !== sync;
  const gitlabFields = conflicts.map((c) => c.gitlabField);
  const latest = (dates: string[]) => dates.sort((a, b) => Date.parse(b) - Date.parse(a))[0];

  if (gitlabFields.some((f) => GITLAB_NOTES[f])) {
    const notes = await deps.gitlab.latestNotes(issue.projectId, issue.iid);
    for (const field of gitlabFields) {
      const pattern = GITLAB_NOTES[field];
      if (!pattern) continue;
      const at = latest(
        notes
          .filter((n) => n.system && pattern.test(n.body) && byPerson(n.author.username))
          .map((n) => n.created_at),
      );
      // No person changed it: it is as it was made (or as the sync wrote it from Spira).
      if (at) people.gitlab.push(field);
      const since = at ?? issue.createdAt;
      if (since) times.gitlab[field] = since;
    }
  }
  if (gitlabFields.includes('state')) {
    const events = await deps.gitlab.stateEvents(issue.projectId, issue.iid);
    const at = latest(events.filter((e) => byPerson(e.user?.username)).map((e) => e.created_at));
    if (at) people.gitlab.push('state');
    const since = at ?? issue.createdAt;
    if (since) times.gitlab.state = since;
  }

  const history = await deps.spira.incidentHistory(incident.ProjectId, incident.IncidentId);
  const theirs = history.filter((change) => change.ChangeSet.UserId !== ctx.syncSpiraUserId);
  for (const { spiraField } of conflicts) {
    const names = SPIRA_FIELDS[spiraField];
    const at = latest(theirs.filter((c) => names.includes(c.FieldName)).map((c) => c.ChangeSet.ChangeDate));
    if (at) people.spira.push(spiraField);
    const since = at ?? incident.CreationDate;
    if (since) times.spira[spiraField] = since;
  }
  return times;
}

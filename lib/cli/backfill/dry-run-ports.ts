import type { GitLabClient, GitLabIssueWrite } from '../../connectors/gitlab/gitlab-client.js';
import type {
  GitLabIssue,
  GitLabNote,
  GitLabStateEvent,
  GitLabUser,
} from '../../connectors/gitlab/rest-schemas.js';
import type { NewSpiraIncident, SpiraClient } from '../../connectors/spira/spira-client.js';
import type {
  SpiraComment,
  SpiraHistoryChange,
  SpiraIncident,
} from '../../connectors/spira/spira-schemas.js';
import { PermanentError } from '../../domain/errors.js';
import type { GitLabPort, SpiraPort } from '../../ports/sync-ports.js';

/** The engine asked a dry run for a write it does not know how to simulate (nothing was sent). */
export class DryRunUnsupportedError extends PermanentError {
  override name = 'DryRunUnsupportedError';
}

/** Methods that only read: a dry run passes these to the real client. Anything else is simulated or refused. */
const GITLAB_READS = [
  'currentUser',
  'project',
  'projectMembers',
  'usersByUsername',
  'issuesCreatedAfter',
  'issuesUpdatedAfter',
  'hooks',
  'milestone',
  'milestones',
  'milestonesUpdatedAfter',
] as const;
const SPIRA_READS = [
  'currentUser',
  'serverTime',
  'projectTemplateId',
  'incidentStatuses',
  'incidentLookupIds',
  'projectUsers',
  'searchIncidents',
  'releases',
  'release',
  'releasesChangedSince',
] as const;

/** Port methods the simulations answer (writes kept in memory, and the reads that must see them). */
const GITLAB_SIMULATED = [
  'issue',
  'createIssue',
  'updateIssue',
  'notes',
  'note',
  'createNote',
  'stateEvents',
  'latestNotes',
] as const;
const SPIRA_SIMULATED = [
  'incident',
  'createIncident',
  'updateIncident',
  'comments',
  'addComment',
  'incidentHistory',
] as const;

/**
 * A client whose listed reads go to `real`, whose `simulated` methods come from `own`, and whose every other
 * method throws: a write the simulation does not know about can never reach the network.
 */
function guarded<T extends object>(
  real: object,
  reads: readonly string[],
  own: object,
  simulated: readonly string[],
): T {
  return new Proxy(own as T, {
    get(target, prop) {
      // Not a thenable, and symbols (inspection) are nobody's business.
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      if (simulated.includes(prop)) {
        const value = (target as Record<string, unknown>)[prop];
        return typeof value === 'function' ? value.bind(target) : value;
      }
      if (reads.includes(prop)) {
        const method = (real as Record<string, unknown>)[prop];
        return typeof method === 'function' ? method.bind(real) : method;
      }
      return () => {
        throw new DryRunUnsupportedError(`a dry run cannot simulate ${String(prop)}: nothing was sent`);
      };
    },
  });
}

/** Ids handed out for simulated items: negative, so they can never be mistaken for real ones. */
class FakeIds {
  private next = 0;
  take(): number {
    this.next -= 1;
    return this.next;
  }
}

const now = () => new Date().toISOString();

/** The issues and notes a dry run "wrote" to GitLab, read back by the engine in the same run. */
class SimulatedGitLab {
  private readonly issues = new Map<string, GitLabIssue>();
  private readonly notesOf = new Map<string, GitLabNote[]>();
  private readonly ids = new FakeIds();
  private me: Promise<GitLabUser> | undefined;
  private readonly members = new Map<number, Promise<GitLabUser[]>>();

  constructor(private readonly real: GitLabClient) {}

  issue(projectId: number, iid: number): Promise<GitLabIssue> {
    const simulated = this.issues.get(`${projectId}#${iid}`);
    return simulated ? Promise.resolve(simulated) : this.real.issue(projectId, iid);
  }

  async createIssue(projectId: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    const iid = this.ids.take();
    const blank: GitLabIssue = {
      id: iid,
      iid,
      project_id: projectId,
      title: '',
      description: null,
      state: 'opened',
      created_at: now(),
      updated_at: now(),
      closed_at: null,
      labels: [],
      milestone: null,
      assignees: [],
      author: await this.syncUser(),
      web_url: `(dry run)/issues/${iid}`,
    };
    // GitLab ignores state_event on create.
    return this.store(await this.apply(blank, { ...fields, state_event: undefined }));
  }

  async updateIssue(projectId: number, iid: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    return this.store(await this.apply(await this.issue(projectId, iid), fields));
  }

  /** Real notes of a real issue (a simulated one has none yet). */
  async latestNotes(projectId: number, iid: number): Promise<GitLabNote[]> {
    return iid > 0 ? this.real.latestNotes(projectId, iid) : [];
  }

  /** Real state events of a real issue (a simulated one has none). */
  async stateEvents(projectId: number, iid: number): Promise<GitLabStateEvent[]> {
    return iid > 0 ? this.real.stateEvents(projectId, iid) : [];
  }

  async notes(projectId: number, iid: number): Promise<GitLabNote[]> {
    const real = iid > 0 ? await this.real.notes(projectId, iid) : [];
    return [...real, ...(this.notesOf.get(`${projectId}#${iid}`) ?? [])];
  }

  note(projectId: number, iid: number, noteId: number): Promise<GitLabNote> {
    const simulated = this.notesOf.get(`${projectId}#${iid}`)?.find((n) => n.id === noteId);
    return simulated ? Promise.resolve(simulated) : this.real.note(projectId, iid, noteId);
  }

  async createNote(projectId: number, iid: number, body: string): Promise<GitLabNote> {
    const note = {
      id: this.ids.take(),
      body,
      author: await this.syncUser(),
      system: false,
      created_at: now(),
      updated_at: now(),
    };
    const key = `${projectId}#${iid}`;
    this.notesOf.set(key, [...(this.notesOf.get(key) ?? []), note]);
    return note;
  }

  private syncUser(): Promise<GitLabUser> {
    this.me ??= this.real.currentUser();
    return this.me;
  }

  private store(issue: GitLabIssue): GitLabIssue {
    this.issues.set(`${issue.project_id}#${issue.iid}`, issue);
    return issue;
  }

  /** The issue as GitLab would hold it after the write. */
  private async apply(issue: GitLabIssue, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    if (!this.members.has(issue.project_id))
      this.members.set(issue.project_id, this.real.projectMembers(issue.project_id));
    const users = fields.assignee_ids
      ? await (this.members.get(issue.project_id) as Promise<GitLabUser[]>)
      : [];
    const next: GitLabIssue = { ...issue, updated_at: now() };
    if (fields.title !== undefined) next.title = fields.title;
    if (fields.description !== undefined) next.description = fields.description;
    if (fields.labels !== undefined) next.labels = fields.labels.split(',').filter(Boolean).sort();
    if (fields.milestone_id !== undefined)
      next.milestone = fields.milestone_id === null ? null : { id: fields.milestone_id, title: '' };
    if (fields.assignee_ids) next.assignees = users.filter((u) => fields.assignee_ids?.includes(u.id));
    if (fields.state_event) next.state = fields.state_event === 'close' ? 'closed' : 'opened';
    return next;
  }
}

/** The incidents and comments a dry run "wrote" to Spira, read back by the engine in the same run. */
class SimulatedSpira {
  private readonly incidents = new Map<number, SpiraIncident>();
  private readonly commentsOf = new Map<number, SpiraComment[]>();
  private readonly ids = new FakeIds();

  constructor(private readonly real: SpiraClient) {}

  incident(projectId: number, incidentId: number): Promise<SpiraIncident> {
    const simulated = this.incidents.get(incidentId);
    return simulated ? Promise.resolve(simulated) : this.real.incident(projectId, incidentId);
  }

  async createIncident(projectId: number, fields: NewSpiraIncident): Promise<number> {
    const id = this.ids.take();
    this.incidents.set(id, {
      ...fields,
      IncidentId: id,
      ProjectId: projectId,
      // The engine always asks for a status; a dry run assumes Spira honours it (Status Bulk Edit on).
      IncidentStatusId: fields.IncidentStatusId ?? 0,
      CreationDate: now(),
      LastUpdateDate: now(),
      ConcurrencyDate: now(),
    });
    return id;
  }

  async updateIncident(incident: SpiraIncident): Promise<void> {
    this.incidents.set(incident.IncidentId, { ...incident, LastUpdateDate: now(), ConcurrencyDate: now() });
  }

  /** The real history of a real incident (a simulated one has none). */
  async incidentHistory(projectId: number, incidentId: number): Promise<SpiraHistoryChange[]> {
    return incidentId > 0 ? this.real.incidentHistory(projectId, incidentId) : [];
  }

  async comments(projectId: number, incidentId: number): Promise<SpiraComment[]> {
    const real = incidentId > 0 ? await this.real.comments(projectId, incidentId) : [];
    return [...real, ...(this.commentsOf.get(incidentId) ?? [])];
  }

  async addComment(
    _projectId: number,
    incidentId: number,
    text: string,
    userId: number | null,
  ): Promise<number> {
    const comment = {
      CommentId: this.ids.take(),
      ArtifactId: incidentId,
      UserId: userId,
      Text: text,
      CreationDate: now(),
    };
    this.commentsOf.set(incidentId, [...(this.commentsOf.get(incidentId) ?? []), comment]);
    return comment.CommentId;
  }
}

/** GitLab for a dry run: reads pass through, issue and note writes are kept in memory and read back. */
export function dryRunGitLab(real: GitLabClient): GitLabPort {
  return guarded<GitLabPort>(real, GITLAB_READS, new SimulatedGitLab(real), GITLAB_SIMULATED);
}

/** Spira for a dry run: reads pass through, incident and comment writes are kept in memory and read back. */
export function dryRunSpira(real: SpiraClient): SpiraPort {
  return guarded<SpiraPort>(real, SPIRA_READS, new SimulatedSpira(real), SPIRA_SIMULATED);
}

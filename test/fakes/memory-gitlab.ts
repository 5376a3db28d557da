import type { GitLabIssueWrite, GitLabMilestoneWrite } from '../../lib/connectors/gitlab/gitlab-client.js';
import type {
  GitLabIssue,
  GitLabMilestone,
  GitLabNote,
  GitLabStateEvent,
  GitLabUser,
} from '../../lib/connectors/gitlab/rest-schemas.js';
import { RemoteNotFoundError } from '../../lib/domain/errors.js';
import type { GitLabPort } from '../../lib/ports/sync-ports.js';
import { unused } from './memory-spira.js';

const key = (projectId: number, iid: number) => `${projectId}/${iid}`;

/**
 * GitLab's issues in memory, with what the engine reads of their history: every title/description/assignee
 * change writes a system note and every close/reopen a state event, by whoever made it; `updated_at` moves on
 * every write. Every call is logged in `calls`. Methods the engine tier does not use yet throw.
 */
export class MemoryGitLab implements GitLabPort {
  readonly issues = new Map<string, GitLabIssue>();
  readonly notesOf = new Map<string, GitLabNote[]>();
  readonly stateEventsOf = new Map<string, GitLabStateEvent[]>();
  readonly calls: string[] = [];
  private nextId = 1;

  constructor(
    readonly syncUser: GitLabUser,
    private readonly clock: () => string,
  ) {}

  add(issue: Omit<GitLabIssue, 'id' | 'created_at' | 'updated_at'>, at: string): void {
    this.issues.set(key(issue.project_id, issue.iid), {
      ...issue,
      id: this.nextId++,
      created_at: at,
      updated_at: at,
    });
  }

  /** A person's edit in GitLab at `at`. */
  edit(projectId: number, iid: number, write: GitLabIssueWrite, by: GitLabUser, at: string): void {
    this.apply(this.stored(projectId, iid), write, by, at);
  }

  async issue(projectId: number, iid: number): Promise<GitLabIssue> {
    this.calls.push(`issue ${iid}`);
    return structuredClone(this.stored(projectId, iid));
  }

  async updateIssue(projectId: number, iid: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    this.calls.push(`updateIssue ${iid}`);
    const issue = this.stored(projectId, iid);
    this.apply(issue, fields, this.syncUser, this.clock());
    return structuredClone(issue);
  }

  async latestNotes(projectId: number, iid: number): Promise<GitLabNote[]> {
    this.calls.push(`latestNotes ${iid}`);
    return structuredClone(this.notesOf.get(key(projectId, iid)) ?? []);
  }

  async stateEvents(projectId: number, iid: number): Promise<GitLabStateEvent[]> {
    this.calls.push(`stateEvents ${iid}`);
    return structuredClone(this.stateEventsOf.get(key(projectId, iid)) ?? []);
  }

  private stored(projectId: number, iid: number): GitLabIssue {
    const found = this.issues.get(key(projectId, iid));
    if (!found) throw new RemoteNotFoundError('gitlab', `issue ${projectId}#${iid} not found`, 404);
    return found;
  }

  private apply(issue: GitLabIssue, write: GitLabIssueWrite, by: GitLabUser, at: string): void {
    const k = key(issue.project_id, issue.iid);
    const note = (body: string) => {
      const notes = this.notesOf.get(k) ?? [];
      notes.push({ id: this.nextId++, body, author: by, system: true, created_at: at, updated_at: at });
      this.notesOf.set(k, notes);
    };
    if (write.title !== undefined && write.title !== issue.title) {
      note(`changed title from **${issue.title}** to **${write.title}**`);
      issue.title = write.title;
    }
    if (write.description !== undefined && write.description !== issue.description) {
      note('changed the description');
      issue.description = write.description;
    }
    const state =
      write.state_event === 'close' ? 'closed' : write.state_event === 'reopen' ? 'opened' : undefined;
    if (state !== undefined && state !== issue.state) {
      const events = this.stateEventsOf.get(k) ?? [];
      events.push({
        id: this.nextId++,
        user: by,
        created_at: at,
        state: state === 'closed' ? 'closed' : 'reopened',
      });
      this.stateEventsOf.set(k, events);
      issue.state = state;
    }
    if (write.labels !== undefined) issue.labels = write.labels.split(',').filter(Boolean);
    issue.updated_at = at;
  }

  issuesCreatedAfter(): Promise<GitLabIssue[]> {
    return unused('issuesCreatedAfter');
  }
  createIssue(): Promise<GitLabIssue> {
    return unused('createIssue');
  }
  createNote(): Promise<{ id: number }> {
    return unused('createNote');
  }
  notes(): Promise<GitLabNote[]> {
    return unused('notes');
  }
  milestone(): Promise<GitLabMilestone> {
    return unused('milestone');
  }
  milestones(): Promise<GitLabMilestone[]> {
    return unused('milestones');
  }
  createMilestone(_projectId: number, _fields: GitLabMilestoneWrite): Promise<GitLabMilestone> {
    return unused('createMilestone');
  }
  updateMilestone(): Promise<GitLabMilestone> {
    return unused('updateMilestone');
  }
  note(): Promise<GitLabNote> {
    return unused('note');
  }
  projectMembers(): Promise<GitLabUser[]> {
    return unused('projectMembers');
  }
}

import { randomBytes } from 'node:crypto';

/** A GitLab user. `email` is the public email (webhooks show `[REDACTED]` without one). */
export interface UserRecord {
  id: number;
  username: string;
  name: string;
  email: string | null;
  token: string;
  createdAt: number;
}

/** A project; `memberIds: null` means every user of the instance is a member. */
export interface ProjectRecord {
  id: number;
  namespace: string;
  path: string;
  memberIds: number[] | null;
  createdAt: number;
  nextIssueIid: number;
  nextMilestoneIid: number;
}

/** A project label. */
export interface LabelRecord {
  id: number;
  projectId: number;
  title: string;
  color: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An issue; times are epoch milliseconds, `stateId` 1 = opened, 2 = closed. */
export interface IssueRecord {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  stateId: 1 | 2;
  authorId: number;
  assigneeIds: number[];
  labelIds: number[];
  milestoneId: number | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedById: number | null;
  updatedById: number | null;
  lastEditedAt: number | null;
  lastEditedById: number | null;
  confidential: boolean;
  discussionLocked: boolean | null;
  dueDate: string | null;
}

/** A note on an issue. */
export interface NoteRecord {
  id: number;
  projectId: number;
  issueId: number;
  body: string;
  authorId: number;
  system: boolean;
  internal: boolean;
  discussionId: string;
  createdAt: number;
  updatedAt: number;
  updatedById: number | null;
  lastEditedAt: number | null;
}

/** A project milestone. */
export interface MilestoneRecord {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string | null;
  state: 'active' | 'closed';
  dueDate: string | null;
  startDate: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Trigger flags of a project hook, in the order GitLab lists them. */
export const HOOK_FLAGS = [
  'push_events',
  'issues_events',
  'confidential_issues_events',
  'merge_requests_events',
  'tag_push_events',
  'note_events',
  'confidential_note_events',
  'job_events',
  'pipeline_events',
  'wiki_page_events',
  'deployment_events',
  'releases_events',
  'milestone_events',
  'feature_flag_events',
  'resource_access_token_events',
  'repository_update_events',
] as const;

/** One trigger flag of a project hook. */
export type HookFlag = (typeof HOOK_FLAGS)[number];

/** A project webhook with GitLab's auto-disabling state. */
export interface HookRecord {
  id: number;
  projectId: number;
  url: string;
  token: string | null;
  name: string | null;
  description: string | null;
  flags: Record<HookFlag, boolean>;
  enableSslVerification: boolean;
  pushEventsBranchFilter: string | null;
  createdAt: number;
  recentFailures: number;
  backoffCount: number;
  disabledUntil: number | null;
  manuallyDisabled: boolean;
}

type Counter = 'user' | 'project' | 'issue' | 'note' | 'milestone' | 'label' | 'hook';

/** Returns a random lower-case hex string of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** In-memory state of the stand-in, with the look-ups every route needs. */
export class GitLabStore {
  readonly users = new Map<number, UserRecord>();
  readonly projects = new Map<number, ProjectRecord>();
  readonly labels = new Map<number, LabelRecord>();
  readonly issues = new Map<number, IssueRecord>();
  readonly notes = new Map<number, NoteRecord>();
  readonly milestones = new Map<number, MilestoneRecord>();
  readonly hooks = new Map<number, HookRecord>();
  /** Global ids start at different offsets so that an iid is never mistaken for an id. */
  private readonly counters: Record<Counter, number> = {
    user: 0,
    project: 0,
    issue: 500,
    note: 1000,
    milestone: 300,
    label: 200,
    hook: 0,
  };
  private lastTime = 0;

  constructor(readonly webBase: string) {}

  /** Current time in ms; strictly increasing so that two writes never share a timestamp. */
  now(): number {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  nextId(counter: Counter): number {
    this.counters[counter] += 1;
    return this.counters[counter];
  }

  userByToken(token: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.token === token) return user;
    return undefined;
  }

  userByUsername(username: string): UserRecord | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.users.values()) if (user.username.toLowerCase() === wanted) return user;
    return undefined;
  }

  isMember(userId: number, project: ProjectRecord): boolean {
    if (!this.users.has(userId)) return false;
    return project.memberIds === null || project.memberIds.includes(userId);
  }

  members(project: ProjectRecord): UserRecord[] {
    return [...this.users.values()].filter((u) => this.isMember(u.id, project));
  }

  /** Finds a project by numeric id or by its (already decoded) `namespace/path`, case-insensitively. */
  findProject(ref: string): ProjectRecord | undefined {
    if (/^\d+$/.test(ref)) return this.projects.get(Number(ref));
    const wanted = ref.toLowerCase();
    for (const p of this.projects.values()) if (pathWithNamespace(p).toLowerCase() === wanted) return p;
    return undefined;
  }

  projectWebUrl(project: ProjectRecord): string {
    return `${this.webBase}/${pathWithNamespace(project)}`;
  }

  issueWebUrl(issue: IssueRecord): string {
    return `${this.projectWebUrl(this.projectOf(issue))}/-/issues/${issue.iid}`;
  }

  projectOf(item: { projectId: number }): ProjectRecord {
    const project = this.projects.get(item.projectId);
    if (!project) throw new Error(`project ${item.projectId} vanished`);
    return project;
  }

  userOf(id: number): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new Error(`user ${id} vanished`);
    return user;
  }

  issueOf(note: NoteRecord): IssueRecord {
    const issue = this.issues.get(note.issueId);
    if (!issue) throw new Error(`issue ${note.issueId} vanished`);
    return issue;
  }

  projectIssues(projectId: number): IssueRecord[] {
    return [...this.issues.values()].filter((i) => i.projectId === projectId).sort((a, b) => a.iid - b.iid);
  }

  findIssue(projectId: number, iid: number): IssueRecord | undefined {
    for (const issue of this.issues.values())
      if (issue.projectId === projectId && issue.iid === iid) return issue;
    return undefined;
  }

  issueNotes(issueId: number): NoteRecord[] {
    return [...this.notes.values()].filter((n) => n.issueId === issueId).sort((a, b) => a.id - b.id);
  }

  projectLabels(projectId: number): LabelRecord[] {
    return [...this.labels.values()].filter((l) => l.projectId === projectId);
  }

  findLabel(projectId: number, title: string): LabelRecord | undefined {
    return this.projectLabels(projectId).find((l) => l.title === title);
  }

  /** Like `Labels::FindOrCreateService`: a missing label is created with GitLab's default colour. */
  findOrCreateLabel(projectId: number, title: string): LabelRecord {
    const found = this.findLabel(projectId, title);
    if (found) return found;
    const now = this.now();
    const label: LabelRecord = {
      id: this.nextId('label'),
      projectId,
      title,
      color: '#6699cc',
      description: null,
      createdAt: now,
      updatedAt: now,
    };
    this.labels.set(label.id, label);
    return label;
  }

  /** Labels of the given ids, sorted by title as GitLab lists them. */
  labelsOf(ids: number[]): LabelRecord[] {
    return ids
      .map((id) => this.labels.get(id))
      .filter((l): l is LabelRecord => l !== undefined)
      .sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  }

  projectMilestones(projectId: number): MilestoneRecord[] {
    return [...this.milestones.values()].filter((m) => m.projectId === projectId);
  }

  projectHooks(projectId: number): HookRecord[] {
    return [...this.hooks.values()].filter((h) => h.projectId === projectId);
  }
}

/** `namespace/path` of a project. */
export function pathWithNamespace(project: ProjectRecord): string {
  return `${project.namespace}/${project.path}`;
}

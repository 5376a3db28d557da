import { createHash } from 'node:crypto';
import {
  type GitLabStore,
  HOOK_FLAGS,
  type HookRecord,
  type IssueRecord,
  type MilestoneRecord,
  type NoteRecord,
  type ProjectRecord,
  pathWithNamespace,
  type UserRecord,
} from './store.js';
import type { GitLabIssueLike, GitLabMilestoneLike, GitLabNoteLike, GitLabUserBasicLike } from './types.js';

/** REST timestamp: ISO 8601 with milliseconds, `2016-01-04T15:31:51.081Z`. */
export function restTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Like `restTime` but passes `null` through. */
export function restTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : restTime(ms);
}

/** A Gravatar-style avatar URL, as GitLab shows for users without an uploaded avatar. */
export function avatarUrl(user: UserRecord): string {
  const hash = createHash('sha256')
    .update((user.email ?? `${user.username}@users.noreply`).toLowerCase())
    .digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?s=80&d=identicon`;
}

/** `Entities::UserBasic`. */
export function presentUserBasic(store: GitLabStore, user: UserRecord): GitLabUserBasicLike {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: avatarUrl(user),
    web_url: `${store.webBase}/${user.username}`,
  };
}

/** `Entities::User` (`GET /users/:id`); `self` adds what only the owner sees (`GET /user`). */
export function presentUser(store: GitLabStore, user: UserRecord, self: boolean): Record<string, unknown> {
  const pub = {
    ...presentUserBasic(store, user),
    created_at: restTime(user.createdAt),
    bio: '',
    location: '',
    public_email: user.email ?? '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: false,
    work_information: null,
    followers: 0,
    following: 0,
    local_time: null,
  };
  if (!self) return pub;
  return {
    ...pub,
    last_sign_in_at: restTime(user.createdAt),
    confirmed_at: restTime(user.createdAt),
    last_activity_on: restTime(user.createdAt).slice(0, 10),
    email: user.email ?? `${user.username}@example.com`,
    theme_id: 1,
    color_scheme_id: 1,
    projects_limit: 100000,
    current_sign_in_at: restTime(user.createdAt),
    identities: [],
    can_create_group: true,
    can_create_project: true,
    two_factor_enabled: false,
    external: false,
    private_profile: false,
    commit_email: user.email ?? `${user.username}@example.com`,
  };
}

/** `Entities::ProjectWithAccess`, reduced to what a client may read. */
export function presentProject(store: GitLabStore, project: ProjectRecord): Record<string, unknown> {
  const full = pathWithNamespace(project);
  const host = new URL(store.webBase).host;
  const ns = project.namespace.split('/');
  return {
    id: project.id,
    description: null,
    name: project.path,
    name_with_namespace: `${ns.join(' / ')} / ${project.path}`,
    path: project.path,
    path_with_namespace: full,
    created_at: restTime(project.createdAt),
    default_branch: 'main',
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host}:${full}.git`,
    http_url_to_repo: `${store.webBase}/${full}.git`,
    web_url: store.projectWebUrl(project),
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: restTime(project.createdAt),
    namespace: {
      id: project.id,
      name: ns.at(-1),
      path: ns.at(-1),
      kind: 'group',
      full_path: project.namespace,
      parent_id: null,
      avatar_url: null,
      web_url: `${store.webBase}/groups/${project.namespace}`,
    },
    visibility: 'private',
    issues_enabled: true,
    issues_access_level: 'enabled',
    archived: false,
    open_issues_count: store.projectIssues(project.id).filter((i) => i.stateId === 1).length,
    _links: { self: `${store.webBase}/api/v4/projects/${project.id}` },
  };
}

/** One entry of `GET /projects/:id/members/all`. */
export function presentMember(store: GitLabStore, user: UserRecord): Record<string, unknown> {
  return {
    ...presentUserBasic(store, user),
    access_level: 50,
    created_at: restTime(user.createdAt),
    expires_at: null,
    membership_state: 'active',
  };
}

/** `Entities::Milestone`. */
export function presentMilestone(store: GitLabStore, m: MilestoneRecord): GitLabMilestoneLike {
  const today = new Date().toISOString().slice(0, 10);
  return {
    id: m.id,
    iid: m.iid,
    project_id: m.projectId,
    title: m.title,
    description: m.description,
    state: m.state,
    created_at: restTime(m.createdAt),
    updated_at: restTime(m.updatedAt),
    due_date: m.dueDate,
    start_date: m.startDate,
    expired: m.dueDate !== null && m.dueDate < today,
    web_url: `${store.projectWebUrl(store.projectOf(m))}/-/milestones/${m.iid}`,
  };
}

/** The constant and link parts of `Entities::Issue`. */
function issueExtras(store: GitLabStore, issue: IssueRecord) {
  const api = `${store.webBase}/api/v4/projects/${issue.projectId}`;
  const full = pathWithNamespace(store.projectOf(issue));
  return {
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    task_completion_status: { count: 0, completed_count: 0 },
    has_tasks: false,
    task_status: '0 of 0 checklist items completed',
    _links: {
      self: `${api}/issues/${issue.iid}`,
      notes: `${api}/issues/${issue.iid}/notes`,
      award_emoji: `${api}/issues/${issue.iid}/award_emoji`,
      project: api,
      closed_as_duplicate_of: null,
    },
    references: { short: `#${issue.iid}`, relative: `#${issue.iid}`, full: `${full}#${issue.iid}` },
    severity: 'UNKNOWN' as const,
  };
}

/** Whether `viewerId` is subscribed: author, assignee or commenter (GitLab's participants). */
function isSubscribed(store: GitLabStore, issue: IssueRecord, viewerId: number | undefined): boolean {
  if (viewerId === undefined) return false;
  if (issue.authorId === viewerId || issue.assigneeIds.includes(viewerId)) return true;
  return store.issueNotes(issue.id).some((n) => !n.system && n.authorId === viewerId);
}

/** `Entities::Issue`: labels as title strings, milestone as an object, `type: "ISSUE"`. */
export function presentIssue(store: GitLabStore, issue: IssueRecord, viewerId?: number): GitLabIssueLike {
  const basic = (id: number) => presentUserBasic(store, store.userOf(id));
  const assignees = issue.assigneeIds.map(basic);
  const milestone = issue.milestoneId === null ? undefined : store.milestones.get(issue.milestoneId);
  return {
    id: issue.id,
    iid: issue.iid,
    project_id: issue.projectId,
    title: issue.title,
    description: issue.description,
    state: issue.stateId === 1 ? 'opened' : 'closed',
    created_at: restTime(issue.createdAt),
    updated_at: restTime(issue.updatedAt),
    closed_at: restTimeOrNull(issue.closedAt),
    closed_by: issue.closedById === null ? null : basic(issue.closedById),
    labels: store.labelsOf(issue.labelIds).map((l) => l.title),
    milestone: milestone ? presentMilestone(store, milestone) : null,
    assignees,
    author: basic(issue.authorId),
    type: 'ISSUE',
    assignee: assignees[0] ?? null,
    user_notes_count: store.issueNotes(issue.id).filter((n) => !n.system).length,
    merge_requests_count: 0,
    upvotes: 0,
    downvotes: 0,
    due_date: issue.dueDate,
    imported: false,
    imported_from: 'none',
    confidential: issue.confidential,
    discussion_locked: issue.discussionLocked,
    issue_type: 'issue',
    web_url: store.issueWebUrl(issue),
    ...issueExtras(store, issue),
    subscribed: isSubscribed(store, issue, viewerId),
    moved_to_id: null,
    service_desk_reply_to: null,
  };
}

/** `Entities::Note` for a note on an issue; `noteable_id` is the issue's global id. */
export function presentNote(
  store: GitLabStore,
  note: NoteRecord,
  commandsChanges: Record<string, unknown> = {},
): GitLabNoteLike {
  const issue = store.issueOf(note);
  return {
    id: note.id,
    type: null,
    body: note.body,
    attachment: null,
    author: presentUserBasic(store, store.userOf(note.authorId)),
    created_at: restTime(note.createdAt),
    updated_at: restTime(note.updatedAt),
    system: note.system,
    noteable_id: issue.id,
    noteable_type: 'Issue',
    project_id: note.projectId,
    resolvable: false,
    confidential: note.internal,
    internal: note.internal,
    noteable_iid: issue.iid,
    commands_changes: commandsChanges,
    imported: false,
    imported_from: 'none',
  };
}

/** GitLab's `alert_status` of a hook at `now`. */
export function hookAlertStatus(
  hook: HookRecord,
  now: number,
): 'executable' | 'temporarily_disabled' | 'disabled' {
  if (hook.manuallyDisabled || hook.recentFailures >= 40) return 'disabled';
  if (hook.disabledUntil !== null && hook.disabledUntil > now) return 'temporarily_disabled';
  return 'executable';
}

/** `Entities::ProjectHook` (the token is never shown). */
export function presentHook(hook: HookRecord, now: number): Record<string, unknown> {
  const flags = Object.fromEntries(HOOK_FLAGS.map((f) => [f, hook.flags[f]]));
  const status = hookAlertStatus(hook, now);
  return {
    id: hook.id,
    url: hook.url,
    name: hook.name,
    description: hook.description,
    project_id: hook.projectId,
    ...flags,
    push_events_branch_filter: hook.pushEventsBranchFilter,
    branch_filter_strategy: 'wildcard',
    enable_ssl_verification: hook.enableSslVerification,
    alert_status: status,
    disabled_until: status === 'temporarily_disabled' ? restTimeOrNull(hook.disabledUntil) : null,
    url_variables: [],
    created_at: restTime(hook.createdAt),
    custom_webhook_template: null,
    custom_headers: [],
  };
}

import { avatarUrl } from './present.js';
import {
  type GitLabStore,
  type IssueRecord,
  type LabelRecord,
  type MilestoneRecord,
  type NoteRecord,
  type ProjectRecord,
  pathWithNamespace,
  type UserRecord,
} from './store.js';

/** Who caused a change, and the `X-Gitlab-Event-UUID` their request carried (recursion detection). */
export interface Actor {
  user: UserRecord;
  eventUuid?: string;
}

/** GitLab's hook scopes; the `X-Gitlab-Event` header is derived from them. */
export type HookScope =
  | 'issue_hooks'
  | 'confidential_issue_hooks'
  | 'note_hooks'
  | 'confidential_note_hooks'
  | 'milestone_hooks';

/** Where built payloads go (the webhook dispatcher). */
export interface HookEmitter {
  emit(projectId: number, scope: HookScope, payload: unknown, eventUuid: string | undefined): void;
}

/** `changes` of an Issue Hook. */
export type HookChanges = Record<string, { previous: unknown; current: unknown }>;

/** Timestamp as real asynchronous deliveries carry it: `2021-06-22 02:38:01 UTC`. */
export function hookTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `User#hook_attrs`. */
export function userHookAttrs(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    avatar_url: avatarUrl(user),
    email: user.email ?? '[REDACTED]',
  };
}

/** `Project#hook_attrs`. */
export function projectHookAttrs(store: GitLabStore, project: ProjectRecord): Record<string, unknown> {
  const full = pathWithNamespace(project);
  const web = store.projectWebUrl(project);
  const ssh = `git@${new URL(store.webBase).host}:${full}.git`;
  return {
    id: project.id,
    name: project.path,
    description: null,
    web_url: web,
    avatar_url: null,
    git_ssh_url: ssh,
    git_http_url: `${web}.git`,
    namespace: project.namespace.split('/').at(-1),
    visibility_level: 0,
    path_with_namespace: full,
    default_branch: 'main',
    ci_config_path: null,
    homepage: web,
    url: ssh,
    ssh_url: ssh,
    http_url: `${web}.git`,
  };
}

function repositoryHookAttrs(store: GitLabStore, project: ProjectRecord): Record<string, unknown> {
  const web = store.projectWebUrl(project);
  return {
    name: project.path,
    url: `git@${new URL(store.webBase).host}:${pathWithNamespace(project)}.git`,
    description: null,
    homepage: web,
  };
}

/** `Label#hook_attrs`. */
export function labelHookAttrs(label: LabelRecord): Record<string, unknown> {
  return {
    id: label.id,
    title: label.title,
    color: label.color,
    project_id: label.projectId,
    created_at: hookTime(label.createdAt),
    updated_at: hookTime(label.updatedAt),
    template: false,
    description: label.description,
    type: 'ProjectLabel',
    group_id: null,
  };
}

/** Relative upload links become absolute in webhooks only (REST returns the stored text). */
function absoluteUploads(store: GitLabStore, projectId: number, text: string | null): string | null {
  return text?.replaceAll('](/uploads/', `](${store.webBase}/-/project/${projectId}/uploads/`) ?? null;
}

const TIME_FIELDS = new Set(['closed_at', 'created_at', 'last_edited_at', 'updated_at']);

/** A raw attribute value as a hook carries it (times as `… UTC`). */
function hookValue(key: string, value: unknown): unknown {
  return TIME_FIELDS.has(key) && typeof value === 'number' ? hookTime(value) : value;
}

/** The safe issue attributes `IssueBuilder` slices: raw getter and column default. */
const ISSUE_FIELDS: [string, (i: IssueRecord) => unknown, unknown][] = [
  ['author_id', (i) => i.authorId, null],
  ['closed_at', (i) => i.closedAt, null],
  ['confidential', (i) => i.confidential, false],
  ['created_at', (i) => i.createdAt, null],
  ['description', (i) => i.description, null],
  ['discussion_locked', (i) => i.discussionLocked, null],
  ['due_date', (i) => i.dueDate, null],
  ['id', (i) => i.id, null],
  ['iid', (i) => i.iid, null],
  ['last_edited_at', (i) => i.lastEditedAt, null],
  ['last_edited_by_id', (i) => i.lastEditedById, null],
  ['milestone_id', (i) => i.milestoneId, null],
  ['moved_to_id', () => null, null],
  ['duplicated_to_id', () => null, null],
  ['project_id', (i) => i.projectId, null],
  ['relative_position', (i) => i.id * 513, null],
  ['state_id', (i) => i.stateId, 1],
  ['time_estimate', () => 0, 0],
  ['title', (i) => i.title, null],
  ['updated_at', (i) => i.updatedAt, null],
  ['updated_by_id', (i) => i.updatedById, null],
];

/** `Gitlab::HookData::IssueBuilder#build` (no `action`). */
export function issueHookAttrs(store: GitLabStore, issue: IssueRecord): Record<string, unknown> {
  const attrs = Object.fromEntries(ISSUE_FIELDS.map(([k, get]) => [k, hookValue(k, get(issue))]));
  return {
    ...attrs,
    description: absoluteUploads(store, issue.projectId, issue.description),
    url: store.issueWebUrl(issue),
    total_time_spent: 0,
    time_change: 0,
    human_total_time_spent: null,
    human_time_change: null,
    human_time_estimate: null,
    assignee_ids: [...issue.assigneeIds],
    assignee_id: issue.assigneeIds[0] ?? null,
    labels: store.labelsOf(issue.labelIds).map(labelHookAttrs),
    state: issue.stateId === 1 ? 'opened' : 'closed',
    severity: 'unknown',
    customer_relations_contacts: [],
    type: 'Issue',
  };
}

/** A deep copy of an issue, to diff against after a change. */
export function snapshotIssue(issue: IssueRecord): IssueRecord {
  return { ...issue, assigneeIds: [...issue.assigneeIds], labelIds: [...issue.labelIds] };
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * `changes` of an Issue Hook. With `before === null` (creation) every attribute that left its
 * column default is listed with the default as `previous`, as Rails' `previous_changes` does.
 */
export function issueChanges(
  store: GitLabStore,
  before: IssueRecord | null,
  after: IssueRecord,
): HookChanges {
  const changes: HookChanges = {};
  for (const [key, get, fallback] of ISSUE_FIELDS) {
    const previous = before ? get(before) : fallback;
    const current = get(after);
    // Compared at full precision, like Rails' `previous_changes`, then shown at hook precision.
    if (previous !== current)
      changes[key] = { previous: hookValue(key, previous), current: hookValue(key, current) };
  }
  if (!before) return changes;
  const labelIds = (i: IssueRecord) => store.labelsOf(i.labelIds).map((l) => l.id);
  if (!sameList(labelIds(before), labelIds(after))) {
    const asHook = (i: IssueRecord) => store.labelsOf(i.labelIds).map(labelHookAttrs);
    changes.labels = { previous: asHook(before), current: asHook(after) };
  }
  if (!sameList(before.assigneeIds, after.assigneeIds)) {
    const asHook = (ids: number[]) => ids.map((id) => userHookAttrs(store.userOf(id)));
    changes.assignees = { previous: asHook(before.assigneeIds), current: asHook(after.assigneeIds) };
  }
  return changes;
}

/** An Issue Hook body (`Gitlab::DataBuilder::Issuable`). */
export function issueHookPayload(
  store: GitLabStore,
  actor: UserRecord,
  issue: IssueRecord,
  action: string,
  changes: HookChanges,
): Record<string, unknown> {
  const project = store.projectOf(issue);
  const payload: Record<string, unknown> = {
    object_kind: 'issue',
    event_type: issue.confidential ? 'confidential_issue' : 'issue',
    user: userHookAttrs(actor),
    project: projectHookAttrs(store, project),
    object_attributes: { ...issueHookAttrs(store, issue), action },
    labels: store.labelsOf(issue.labelIds).map(labelHookAttrs),
    changes,
    repository: repositoryHookAttrs(store, project),
  };
  if (issue.assigneeIds.length > 0) {
    payload.assignees = issue.assigneeIds.map((id) => userHookAttrs(store.userOf(id)));
  }
  return payload;
}

/** `object_attributes` of a Note Hook (`Note#hook_attrs` plus `description`, `url` and `action`). */
function noteHookAttrs(store: GitLabStore, note: NoteRecord, action: string): Record<string, unknown> {
  const issue = store.issueOf(note);
  const body = absoluteUploads(store, note.projectId, note.body);
  return {
    attachment: null,
    author_id: note.authorId,
    change_position: null,
    commit_id: null,
    created_at: hookTime(note.createdAt),
    discussion_id: note.discussionId,
    id: note.id,
    line_code: null,
    note: body,
    noteable_id: issue.id,
    noteable_type: 'Issue',
    original_position: null,
    position: null,
    project_id: note.projectId,
    resolved_at: null,
    resolved_by_id: null,
    resolved_by_push: null,
    st_diff: null,
    system: note.system,
    type: null,
    updated_at: hookTime(note.updatedAt),
    updated_by_id: note.updatedById,
    internal: note.internal,
    description: body,
    url: `${store.issueWebUrl(issue)}#note_${note.id}`,
    action,
  };
}

/** A Note Hook body for a comment on an issue; `user` is always the note's author. */
export function noteHookPayload(
  store: GitLabStore,
  note: NoteRecord,
  action: string,
): Record<string, unknown> {
  const issue = store.issueOf(note);
  const project = store.projectOf(note);
  return {
    object_kind: 'note',
    event_type: note.internal || issue.confidential ? 'confidential_note' : 'note',
    user: userHookAttrs(store.userOf(note.authorId)),
    project_id: project.id,
    project: projectHookAttrs(store, project),
    object_attributes: noteHookAttrs(store, note, action),
    repository: repositoryHookAttrs(store, project),
    issue: issueHookAttrs(store, issue),
  };
}

/** A Milestone Hook body: `action` at the top level and no `user` (as `DataBuilder::Milestone` builds it). */
export function milestoneHookPayload(
  store: GitLabStore,
  m: MilestoneRecord,
  action: string,
): Record<string, unknown> {
  return {
    object_kind: 'milestone',
    event_type: 'milestone',
    project: projectHookAttrs(store, store.projectOf(m)),
    object_attributes: {
      id: m.id,
      iid: m.iid,
      title: m.title,
      description: m.description,
      state: m.state,
      created_at: hookTime(m.createdAt),
      updated_at: hookTime(m.updatedAt),
      due_date: m.dueDate,
      start_date: m.startDate,
      group_id: null,
      project_id: m.projectId,
    },
    action,
  };
}

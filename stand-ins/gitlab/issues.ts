import type { Activity } from './activity.js';
import { type Actor, issueChanges, snapshotIssue } from './hook-data.js';
import { validationError } from './http.js';
import { interpretQuickActions, type QuickUpdates } from './quick-actions.js';
import type { GitLabStore, IssueRecord, ProjectRecord } from './store.js';

/** Issue params as the services take them (GitLab's names); a key is present only when it was sent. */
export interface IssueParams extends QuickUpdates {
  description?: string | null;
  labels?: string[];
  add_labels?: string[];
  remove_labels?: string[];
}

const TITLE_LENGTH_MAX = 255;
const DESCRIPTION_BYTES_MAX = 1_048_576;

function validate(params: IssueParams): void {
  if (params.title !== undefined) {
    if (params.title.trim() === '') throw validationError('title', "can't be blank");
    if ([...params.title].length > TITLE_LENGTH_MAX) {
      throw validationError('title', `is too long (maximum is ${TITLE_LENGTH_MAX} characters)`);
    }
  }
  const bytes = params.description ? Buffer.byteLength(params.description, 'utf8') : 0;
  if (bytes > DESCRIPTION_BYTES_MAX) {
    const size = Number((bytes / DESCRIPTION_BYTES_MAX).toPrecision(3));
    throw validationError('description', `is too long (${size} MB). The maximum size is 1 MB.`);
  }
}

/** `**{-Old-} title**`-style inline diff of `SystemNotes::IssuablesService#change_title`. */
function titleChangeNote(before: string, after: string): string {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head += 1;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail += 1;
  }
  const mark = (text: string, sign: string) => {
    const middle = text.slice(head, text.length - tail);
    return middle ? `${text.slice(0, head)}{${sign}${middle}${sign}}${text.slice(text.length - tail)}` : text;
  };
  return `changed title from **${mark(before, '-')}** to **${mark(after, '+')}**`;
}

function longDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    day: 'numeric',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** Issue create/update/close/reopen as `Issues::*Service` do them, including hooks and system notes. */
export class IssueService {
  constructor(
    private readonly store: GitLabStore,
    private readonly activity: Activity,
  ) {}

  /** `Issues::CreateService`: `state_event` is dropped; `/close`, `/title`, … need a saved issue and do nothing. */
  create(actor: Actor, project: ProjectRecord, input: IssueParams & { title: string }): IssueRecord {
    const { state_event: _ignored, ...params } = this.withQuickActions(actor, project, undefined, input);
    validate(params);
    const now = this.store.now();
    const issue: IssueRecord = {
      id: this.store.nextId('issue'),
      iid: project.nextIssueIid++,
      projectId: project.id,
      title: params.title ?? input.title,
      description: params.description ?? null,
      stateId: 1,
      authorId: actor.user.id,
      assigneeIds: [],
      labelIds: [],
      milestoneId: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedById: null,
      updatedById: null,
      lastEditedAt: null,
      lastEditedById: null,
      confidential: params.confidential ?? false,
      discussionLocked: params.discussion_locked ?? null,
      dueDate: params.due_date ?? null,
    };
    this.applyRelations(issue, params);
    this.store.issues.set(issue.id, issue);
    this.activity.issueHook(actor, issue, 'open', issueChanges(this.store, null, issue));
    this.activity.mention(actor, project, issue.description, null, this.store.issueWebUrl(issue));
    return issue;
  }

  /**
   * `Issues::UpdateService`: `state_event` runs Close/ReopenService first (a `close`/`reopen` hook);
   * then, if any other param was sent, the issue is saved and touched and an `update` hook fires,
   * even when nothing changed.
   */
  update(actor: Actor, issue: IssueRecord, input: IssueParams): void {
    const project = this.store.projectOf(issue);
    const { state_event, ...rest } = this.withQuickActions(actor, project, issue, input);
    validate(rest);
    if (state_event) this.changeState(actor, issue, state_event);
    if (Object.values(rest).some((v) => v !== undefined)) this.save(actor, project, issue, rest);
  }

  /** Deletes an issue and its notes (no hook exists for deletion). */
  delete(issue: IssueRecord): void {
    for (const note of this.store.issueNotes(issue.id)) this.store.notes.delete(note.id);
    this.store.issues.delete(issue.id);
  }

  private withQuickActions(
    actor: Actor,
    project: ProjectRecord,
    issue: IssueRecord | undefined,
    input: IssueParams,
  ): IssueParams {
    if (typeof input.description !== 'string') return input;
    const result = interpretQuickActions(this.store, actor.user, project, issue, input.description);
    return { ...input, description: result.content, ...result.updates };
  }

  private changeState(actor: Actor, issue: IssueRecord, event: 'close' | 'reopen'): void {
    if ((event === 'close') !== (issue.stateId === 1)) return;
    const before = snapshotIssue(issue);
    const now = this.store.now();
    issue.stateId = event === 'close' ? 2 : 1;
    issue.closedAt = event === 'close' ? now : null;
    issue.closedById = event === 'close' ? actor.user.id : null;
    issue.updatedAt = now;
    this.activity.systemNote(actor, issue, event === 'close' ? 'closed' : 'reopened');
    this.activity.issueHook(actor, issue, event, issueChanges(this.store, before, issue));
  }

  private save(actor: Actor, project: ProjectRecord, issue: IssueRecord, params: IssueParams): void {
    const before = snapshotIssue(issue);
    if (params.title !== undefined) issue.title = params.title;
    if (params.description !== undefined) issue.description = params.description;
    if (params.confidential !== undefined) issue.confidential = params.confidential;
    if (params.discussion_locked !== undefined) issue.discussionLocked = params.discussion_locked;
    if (params.due_date !== undefined) issue.dueDate = params.due_date;
    this.applyRelations(issue, params);
    const now = this.store.now();
    issue.updatedAt = now;
    issue.updatedById = actor.user.id;
    if (issue.title !== before.title || issue.description !== before.description) {
      issue.lastEditedAt = now;
      issue.lastEditedById = actor.user.id;
    }
    this.addSystemNotes(actor, before, issue);
    this.activity.issueHook(actor, issue, 'update', issueChanges(this.store, before, issue));
    const where = this.store.issueWebUrl(issue);
    this.activity.mention(actor, project, issue.description, before.description, where);
  }

  private applyRelations(issue: IssueRecord, params: IssueParams): void {
    const project = this.store.projectOf(issue);
    const labels = this.resolveLabels(issue, params);
    if (labels) issue.labelIds = labels;
    const assignees = this.resolveAssignees(project, params.assignee_ids);
    if (assignees) issue.assigneeIds = assignees;
    if (params.milestone_id !== undefined) {
      const milestone =
        params.milestone_id === null ? undefined : this.store.milestones.get(params.milestone_id);
      // `filter_milestone`: an id that is not a milestone of this project unassigns.
      issue.milestoneId = milestone?.projectId === project.id ? milestone.id : null;
    }
  }

  /** `labels` (titles, created if missing) or quick-action ids, then additions, then removals. */
  private resolveLabels(issue: IssueRecord, p: IssueParams): number[] | undefined {
    const sent = [p.labels, p.label_ids, p.add_labels, p.add_label_ids, p.remove_labels, p.remove_label_ids];
    if (sent.every((v) => v === undefined)) return undefined;
    const create = (titles: string[]) =>
      titles.map((t) => this.store.findOrCreateLabel(issue.projectId, t).id);
    const base = p.labels ? create(p.labels) : (p.label_ids ?? issue.labelIds);
    const add = p.add_labels ? create(p.add_labels) : (p.add_label_ids ?? []);
    const remove = p.remove_labels
      ? p.remove_labels.flatMap((t) => this.store.findLabel(issue.projectId, t)?.id ?? [])
      : (p.remove_label_ids ?? []);
    return [...new Set([...base, ...add])].filter((id) => !remove.includes(id));
  }

  /**
   * `filter_assignees_using_checks` on the Free tier: only the first id is kept; `0` or `[]`
   * unassigns; an id that is no member is dropped, and if nothing is left the param is ignored.
   */
  private resolveAssignees(project: ProjectRecord, ids: number[] | undefined): number[] | undefined {
    if (ids === undefined) return undefined;
    const first = ids.slice(0, 1);
    if (first.length === 0 || first[0] === 0) return [];
    const allowed = first.filter((id) => this.store.isMember(id, project));
    return allowed.length > 0 ? allowed : undefined;
  }

  private addSystemNotes(actor: Actor, before: IssueRecord, after: IssueRecord): void {
    const note = (body: string) => this.activity.systemNote(actor, after, body);
    if (before.title !== after.title) note(titleChangeNote(before.title, after.title));
    if (before.description !== after.description) note('changed the description');
    const added = after.assigneeIds.filter((id) => !before.assigneeIds.includes(id));
    const removed = before.assigneeIds.filter((id) => !after.assigneeIds.includes(id));
    const refs = (ids: number[]) => ids.map((id) => `@${this.store.userOf(id).username}`).join(' ');
    const parts = [
      added.length ? `assigned to ${refs(added)}` : '',
      removed.length ? `unassigned ${refs(removed)}` : '',
    ];
    if (added.length || removed.length) note(parts.filter(Boolean).join(' and '));
    if (before.confidential !== after.confidential) {
      note(after.confidential ? 'made the issue confidential' : 'made the issue visible to everyone');
    }
    if (Boolean(before.discussionLocked) !== Boolean(after.discussionLocked)) {
      note(`${after.discussionLocked ? 'locked' : 'unlocked'} the discussion in this issue`);
    }
    if (before.dueDate !== after.dueDate) {
      note(after.dueDate ? `changed due date to ${longDate(after.dueDate)}` : 'removed due date');
    }
  }
}

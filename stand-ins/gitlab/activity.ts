import {
  type Actor,
  type HookChanges,
  type HookEmitter,
  issueHookPayload,
  milestoneHookPayload,
  noteHookPayload,
} from './hook-data.js';
import { findMentions } from './markdown.js';
import {
  type GitLabStore,
  type IssueRecord,
  type MilestoneRecord,
  type NoteRecord,
  type ProjectRecord,
  randomHex,
} from './store.js';
import type { GitLabMention } from './types.js';

/** What every write shares: hooks, notes that touch their issue, and mention notifications. */
export class Activity {
  constructor(
    private readonly store: GitLabStore,
    private readonly emitter: HookEmitter,
    readonly mentions: GitLabMention[],
    private readonly issueHookKind: 'issue' | 'work_item' = 'issue',
  ) {}

  /** Queues an Issue Hook (`Confidential Issue Hook` for a confidential issue); `user` is the actor. */
  issueHook(actor: Actor, issue: IssueRecord, action: string, changes: HookChanges): void {
    const payload = issueHookPayload(this.store, actor.user, issue, action, changes);
    if (this.issueHookKind === 'work_item') {
      // GitLab 17.7: the work-item view's issues, before gitlab-org/gitlab#517947 restored `issue`.
      payload.object_kind = 'work_item';
      payload.event_type = 'work_item';
    }
    const scope = issue.confidential ? 'confidential_issue_hooks' : 'issue_hooks';
    this.emitter.emit(issue.projectId, scope, payload, actor.eventUuid);
  }

  /** Queues a Note Hook; internal notes and notes on confidential issues use the confidential scope. */
  noteHook(note: NoteRecord, action: 'create' | 'update', eventUuid: string | undefined): void {
    const confidential = note.internal || this.store.issueOf(note).confidential;
    const scope = confidential ? 'confidential_note_hooks' : 'note_hooks';
    this.emitter.emit(note.projectId, scope, noteHookPayload(this.store, note, action), eventUuid);
  }

  /** Queues a Milestone Hook. */
  milestoneHook(milestone: MilestoneRecord, action: 'create' | 'close' | 'reopen', eventUuid?: string): void {
    this.emitter.emit(
      milestone.projectId,
      'milestone_hooks',
      milestoneHookPayload(this.store, milestone, action),
      eventUuid,
    );
  }

  /** Stores a note; like `Note#touch_noteable`, saving it touches the issue's `updated_at` (no hook). */
  addNote(actor: Actor, issue: IssueRecord, body: string, system: boolean, internal = false): NoteRecord {
    const now = this.store.now();
    const note: NoteRecord = {
      id: this.store.nextId('note'),
      projectId: issue.projectId,
      issueId: issue.id,
      body,
      authorId: actor.user.id,
      system,
      internal,
      discussionId: randomHex(20),
      createdAt: now,
      updatedAt: now,
      updatedById: null,
      lastEditedAt: null,
    };
    this.store.notes.set(note.id, note);
    issue.updatedAt = now;
    return note;
  }

  /** A system note ("closed", "changed title from …"); never fires a Note Hook. */
  systemNote(actor: Actor, issue: IssueRecord, body: string): void {
    this.addNote(actor, issue, body, true);
  }

  /**
   * Records a notification for every user newly mentioned in `text` (not already in `previous`),
   * except the writer and users who cannot see the project.
   */
  mention(
    actor: Actor,
    project: ProjectRecord,
    text: string | null,
    previous: string | null,
    where: string,
  ): void {
    if (!text) return;
    const before = new Set(previous ? findMentions(previous) : []);
    for (const name of findMentions(text)) {
      if (before.has(name)) continue;
      const user = this.store.userByUsername(name);
      if (!user || user.id === actor.user.id || !this.store.isMember(user.id, project)) continue;
      this.mentions.push({ username: user.username, by: actor.user.id, where });
    }
  }
}

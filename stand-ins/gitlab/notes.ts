import type { Activity } from './activity.js';
import type { Actor } from './hook-data.js';
import { ApiError } from './http.js';
import type { IssueService } from './issues.js';
import { interpretQuickActions, type QuickActionResult } from './quick-actions.js';
import type { GitLabStore, IssueRecord, NoteRecord } from './store.js';

const NOTE_LENGTH_MAX = 1_000_000;

/** Outcome of a note write: a stored note, or (commands only) just the commands' effect. */
export type NoteWriteResult =
  | { kind: 'note'; note: NoteRecord; commandsChanges: Record<string, unknown> }
  | { kind: 'commands'; note?: NoteRecord; commandsChanges: Record<string, unknown>; summary: string[] };

/** `bad_request!("Note #{note.errors.messages}")`, in Ruby's hash notation. */
function noteError(text: string): ApiError {
  return new ApiError(400, { message: `400 Bad request - Note {:note=>["${text}"]}` });
}

function checkBody(body: string): void {
  if (body.trim() === '') throw noteError("can't be blank");
  if ([...body].length > NOTE_LENGTH_MAX)
    throw noteError(`is too long (maximum is ${NOTE_LENGTH_MAX} characters)`);
}

/** Comments on issues as `Notes::CreateService` / `Notes::UpdateService` handle them. */
export class NoteService {
  constructor(
    private readonly store: GitLabStore,
    private readonly activity: Activity,
    private readonly issues: IssueService,
  ) {}

  /**
   * Quick actions run first. A comment made only of commands is not saved and fires no Note Hook;
   * its effect on the issue fires Issue Hooks (the API answers 202 with `commands_changes`).
   */
  create(actor: Actor, issue: IssueRecord, body: string, internal: boolean): NoteWriteResult {
    checkBody(body);
    const qa = this.interpret(actor, issue, body);
    if (qa.content === '') return this.commandsOnly(actor, issue, qa);
    const note = this.activity.addNote(actor, issue, qa.content, false, internal);
    this.apply(actor, issue, qa);
    const project = this.store.projectOf(issue);
    this.activity.mention(actor, project, note.body, null, this.noteUrl(note));
    // Note-create hooks are raised from `NewNoteWorker`, which does not carry the request's event UUID.
    this.activity.noteHook(note, 'create', undefined);
    return { kind: 'note', note, commandsChanges: { ...qa.updates } };
  }

  /**
   * An edit fires an `update` Note Hook (with the author as `user`) only when the text changed;
   * an edit down to commands only deletes the note after running them.
   */
  update(actor: Actor, note: NoteRecord, body: string): NoteWriteResult {
    checkBody(body);
    const issue = this.store.issueOf(note);
    const qa = this.interpret(actor, issue, body);
    if (qa.content === '') {
      const result = this.commandsOnly(actor, issue, qa);
      this.store.notes.delete(note.id);
      return { ...result, note };
    }
    const previous = note.body;
    if (qa.content !== previous) {
      const now = this.store.now();
      note.body = qa.content;
      note.updatedAt = now;
      note.lastEditedAt = now;
      note.updatedById = actor.user.id;
      issue.updatedAt = now;
      this.activity.mention(actor, this.store.projectOf(issue), note.body, previous, this.noteUrl(note));
      this.activity.noteHook(note, 'update', actor.eventUuid);
    }
    this.apply(actor, issue, qa);
    return { kind: 'note', note, commandsChanges: { ...qa.updates } };
  }

  delete(note: NoteRecord): void {
    this.store.notes.delete(note.id);
  }

  private interpret(actor: Actor, issue: IssueRecord, body: string): QuickActionResult {
    return interpretQuickActions(this.store, actor.user, this.store.projectOf(issue), issue, body);
  }

  private commandsOnly(actor: Actor, issue: IssueRecord, qa: QuickActionResult): NoteWriteResult {
    if (qa.messages.length === 0) {
      throw new ApiError(400, { message: '400 Bad request - Commands did not apply' });
    }
    this.apply(actor, issue, qa);
    return { kind: 'commands', commandsChanges: { ...qa.updates }, summary: qa.messages };
  }

  /**
   * Applies the commands' updates; as with `QuickActionsService#apply_updates`, an update the
   * issue rejects (a too long `/title`) is dropped without failing the comment.
   */
  private apply(actor: Actor, issue: IssueRecord, qa: QuickActionResult): void {
    if (Object.keys(qa.updates).length === 0) return;
    try {
      this.issues.update(actor, issue, qa.updates);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }

  private noteUrl(note: NoteRecord): string {
    return `${this.store.issueWebUrl(this.store.issueOf(note))}#note_${note.id}`;
  }
}

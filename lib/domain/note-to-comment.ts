import { escapeHtml, marker } from './marker.js';
import { markdownToSafeHtml } from './markup.js';
import { gitlabRef, markerRefOf } from './pair/item-ref.js';
import type { UserMap } from './users.js';

/** What the sync reads of a GitLab note. */
export interface NoteView {
  projectId: number;
  noteId: number;
  body: string;
  author: { username: string; name: string };
  updatedAt: string;
}

/** The marker ref of a note (and of one edit of it). */
export function noteRef(note: Pick<NoteView, 'projectId' | 'noteId'>, editedAt?: string): string {
  return editedAt
    ? `gitlab-note-edit:${note.projectId}/${note.noteId}@${editedAt}`
    : markerRefOf(gitlabRef('note', note.projectId, note.noteId));
}

/**
 * The Spira comment for a note: sanitized HTML, with an attribution line when the author is not mapped (the
 * comment is then posted as the sync user), or an edit line when it replaces an earlier version.
 */
export function commentHtmlFor(note: NoteView, users: UserMap, edit: boolean): string {
  const mapped = users.spiraIdFor(note.author.username) !== undefined;
  const who = `@${escapeHtml(note.author.username)} (${escapeHtml(note.author.name)})`;
  const lead = edit
    ? `<p><em>Edited in GitLab by ${who}; this replaces the earlier version of the comment:</em></p>`
    : mapped
      ? ''
      : `<p><em>Posted in GitLab by ${who}:</em></p>`;
  return `${lead}${markdownToSafeHtml(note.body)}${marker(noteRef(note, edit ? note.updatedAt : undefined))}`;
}

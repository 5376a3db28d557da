import { htmlToMarkdown, type MentionPolicy, neutralizeForGitLab } from './gitlab-text.js';
import { marker } from './marker.js';
import { deletedIncidentMarkerRef, markerRefOf, spiraRef } from './pair/item-ref.js';

/** The marker ref of a Spira comment, written into its note. */
export function commentRef(projectId: number, commentId: number): string {
  return markerRefOf(spiraRef('comment', projectId, commentId));
}

/** The GitLab note for a Spira comment: the author's name, the neutralized Markdown text and the marker. */
export function noteBodyFor(
  comment: { projectId: number; commentId: number; authorName: string | null; html: string | null },
  mentions: MentionPolicy,
): string {
  const who = (comment.authorName ?? 'someone').replace(/[_*[\]@`\\]/g, '');
  const text = neutralizeForGitLab(htmlToMarkdown(comment.html), mentions);
  return `_Posted in Spira by ${who}:_\n\n${text}\n\n${marker(commentRef(comment.projectId, comment.commentId))}`.slice(
    0,
    1_000_000,
  );
}

/** The note left on an issue whose incident was deleted in Spira. */
export function deletedNoteBody(projectId: number, incidentId: number, closing: boolean): string {
  const what = closing
    ? 'This issue was closed by the sync.'
    : 'This issue stays open; close it if it is no longer needed.';
  return `_The Spira incident IN:${incidentId} was deleted. ${what}_\n\n${marker(deletedIncidentMarkerRef(projectId, incidentId))}`;
}

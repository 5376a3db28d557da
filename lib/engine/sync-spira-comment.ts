import { commentRef, noteBodyFor } from '../domain/comment-to-note.js';
import { keys } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { isMarkerOf } from '../domain/pair/item-ref.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce } from './create-once.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';

/** Spira comment → GitLab note, exactly once; comments that came from GitLab are never sent back. */
export async function syncSpiraComment(
  deps: SyncDeps,
  command: SyncCommandOf<'spira.comment'>,
): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId: gpid, incidentId, commentId, iid } = command;
  const comments = await deps.spira.comments(pid, incidentId);
  const comment = comments.find((c) => c.CommentId === commentId);
  if (!comment) return { action: 'skipped', reason: 'comment no longer exists in Spira' };
  if (markersIn(comment.Text).some((ref) => isMarkerOf(ref, 'gitlab')))
    return { action: 'skipped', reason: 'comment was written by the sync from GitLab' };
  const ref = commentRef(pid, commentId);
  const result = await createOnce<{ id: number }>(
    deps,
    keys.spiraComment(pid, commentId),
    { spiraProjectId: pid, gitlabProjectId: gpid },
    {
      adopt: async () =>
        (await deps.gitlab.notes(gpid, iid)).find((note) => markersIn(note.body).includes(ref)),
      create: () =>
        deps.gitlab.createNote(
          gpid,
          iid,
          noteBodyFor(
            { projectId: pid, commentId, authorName: comment.UserName ?? null, html: comment.Text },
            deps.mentions,
          ),
        ),
      idOf: (note) => keys.gitlabNote(gpid, note.id),
    },
  );
  if (!result.created)
    return { action: 'skipped', reason: `comment already synced (${result.record.targetId})` };
  return { action: 'created', target: `note ${result.record.targetId}` };
}

import { CounterpartPendingError, RemoteNotFoundError } from '../domain/errors.js';
import { fingerprint } from '../domain/fingerprint.js';
import { keys, type LinkRecord } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { commentHtmlFor, type NoteView, noteRef } from '../domain/note-to-comment.js';
import { isMarkerOf } from '../domain/pair/item-ref.js';
import type { SyncCommandOf } from '../domain/sync-command.js';
import { createOnce, pointerBack } from './create-once.js';
import { findCommentByMarker } from './spira-writes.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { syncGitLabIssue } from './sync-gitlab-issue.js';

/**
 * GitLab note → Spira comment, exactly once; an edit adds one follow-up comment (Spira's API cannot edit
 * comments). A note on an issue not synced yet syncs the issue first (same FIFO group, so in order).
 */
export async function syncGitLabNote(
  deps: SyncDeps,
  command: SyncCommandOf<'gitlab.note'>,
): Promise<SyncOutcome> {
  const { spiraProjectId: pid, gitlabProjectId, iid, noteId } = command;
  const issueLink = await linkedIssue(deps, command);
  const rest = await deps.gitlab.note(gitlabProjectId, iid, noteId).catch((error: unknown) => {
    if (error instanceof RemoteNotFoundError) return undefined;
    throw error;
  });
  if (!rest) return { action: 'skipped', reason: 'note no longer exists in GitLab' };
  if (rest.system) return { action: 'skipped', reason: 'system note' };
  if (markersIn(rest.body).some((ref) => isMarkerOf(ref, 'spira')))
    return { action: 'skipped', reason: 'note was written by the sync from Spira' };
  const note: NoteView = {
    projectId: gitlabProjectId,
    noteId,
    body: rest.body,
    author: rest.author,
    updatedAt: rest.updated_at,
  };
  const { users } = await deps.contexts.get(pid, gitlabProjectId);
  const incidentId = Number(issueLink.targetId);
  const userId = users.spiraIdFor(note.author.username) ?? null;
  const bodyHash = fingerprint(note.body);
  // The claim carries the hash of the text being posted, so a crash never loses an edit made meanwhile.
  const post = (edit: boolean, ref: string, key: string) =>
    createOnce(
      deps,
      key,
      { gitlabProjectId, spiraProjectId: pid, gitlabHashes: { body: bodyHash } },
      {
        adopt: () => findCommentByMarker(deps.spira, pid, incidentId, ref),
        create: () => deps.spira.addComment(pid, incidentId, commentHtmlFor(note, users, edit), userId),
        idOf: String,
        beforeComplete: (id, claim) =>
          pointerBack(deps.links, claim.pk, keys.spiraComment(pid, id), {
            spiraProjectId: pid,
            gitlabProjectId,
          }),
      },
    );
  const { record, created } = await post(false, noteRef(note), keys.gitlabNote(gitlabProjectId, noteId));
  if (created) return { action: 'created', target: `comment ${record.targetId}` };
  if (record.gitlabHashes?.body === bodyHash)
    return { action: 'skipped', reason: 'note text unchanged since the last sync' };
  const edit = await post(
    true,
    noteRef(note, note.updatedAt),
    keys.gitlabNoteEdit(gitlabProjectId, noteId, note.updatedAt),
  );
  await deps.links.save({ ...record, gitlabHashes: { body: bodyHash } });
  return {
    action: 'created',
    target: `comment ${edit.record.targetId} (edit of comment ${record.targetId})`,
  };
}

async function linkedIssue(deps: SyncDeps, command: SyncCommandOf<'gitlab.note'>): Promise<LinkRecord> {
  const key = keys.gitlabIssue(command.gitlabProjectId, command.iid);
  const existing = await deps.links.get(key);
  if (existing?.state === 'linked') return existing;
  await syncGitLabIssue(deps, { ...command, kind: 'gitlab.issue' });
  const linked = await deps.links.get(key);
  if (linked?.state !== 'linked')
    throw new CounterpartPendingError(`issue ${command.iid} is not linked to an incident yet`);
  return linked;
}

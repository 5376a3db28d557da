import type { SyncCommand } from '../domain/sync-command.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { syncGitLabIssue } from './sync-gitlab-issue.js';
import { syncGitLabNote } from './sync-gitlab-note.js';
import { syncSpiraComment } from './sync-spira-comment.js';
import { syncSpiraIncident } from './sync-spira-incident.js';

/** Applies one queued command to the other side. */
export async function applySyncCommand(deps: SyncDeps, command: SyncCommand): Promise<SyncOutcome> {
  switch (command.kind) {
    case 'gitlab.issue':
      return syncGitLabIssue(deps, command);
    case 'gitlab.note':
      return syncGitLabNote(deps, command);
    case 'gitlab.milestone':
      // Milestone ⇄ release sync is its own issue; until it lands the event is acknowledged and recorded.
      return { action: 'skipped', reason: 'milestone sync is not enabled in this version' };
    case 'spira.incident':
      return syncSpiraIncident(deps, command);
    case 'spira.comment':
      return syncSpiraComment(deps, command);
  }
}

import type { SyncCommand } from '../domain/sync-command.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';
import { syncGitLabIssue } from './sync-gitlab-issue.js';
import { syncGitLabNote } from './sync-gitlab-note.js';
import { syncGitLabMilestone, syncSpiraRelease } from './sync-milestones.js';
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
      return syncGitLabMilestone(deps, command);
    case 'spira.incident':
      return syncSpiraIncident(deps, command);
    case 'spira.comment':
      return syncSpiraComment(deps, command);
    case 'spira.release':
      return syncSpiraRelease(deps, command);
  }
}

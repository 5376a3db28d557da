import type { ProjectConfig } from '../config/sync-config.js';
import type { GitLabMilestone } from '../connectors/gitlab/rest-schemas.js';
import { deduplicationIdOf } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { Log } from '../ports/sync-ports.js';

/** What milestone polling needs. */
export interface MilestonePollDeps {
  gitlab: { milestonesUpdatedAfter(projectId: number, after: string): Promise<GitLabMilestone[]> };
  gitlabProjectId(project: ProjectConfig): Promise<number>;
  queue: Pick<CommandQueue, 'send'>;
  cursors: CursorStore;
  projects: readonly ProjectConfig[];
  /** Config `gitlab.pollMilestones` (default on). */
  enabled: boolean;
  log: Log;
}

const OVERLAP_MS = 60_000;

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * GitLab fires no webhook when a milestone is edited, so each cycle lists the milestones updated since the
 * newest change seen (GitLab's own clock): one GitLab call per project per cycle while they fit on a page.
 * GitLab orders the list by due date, not `updated_at`, so the client reads every page and the watermark is
 * the newest `updated_at` of all of them.
 */
export async function pollGitLabMilestones(deps: MilestonePollDeps): Promise<{ queued: number }> {
  if (!deps.enabled) return { queued: 0 };
  let queued = 0;
  for (const project of deps.projects.filter((p) => p.active)) {
    const gpid = await deps.gitlabProjectId(project);
    const cursor = `gitlab-milestones#${gpid}`;
    const last = await deps.cursors.get(cursor);
    const since = last ? new Date(Math.max(0, Date.parse(last) - OVERLAP_MS)).toISOString() : EPOCH;
    let newest = last;
    const changed = await deps.gitlab.milestonesUpdatedAfter(gpid, since);
    if (!last) {
      // First run: only find where "now" is; existing milestones are paired in the config or backfilled. A
      // project with none yet starts from the epoch, so the next cycle does not count as a first run again.
      const seen = changed
        .map((m) => m.updated_at)
        .sort()
        .at(-1);
      await deps.cursors.set(cursor, seen ?? EPOCH);
      continue;
    }
    for (const m of changed) {
      const command = {
        v: 1 as const,
        kind: 'gitlab.milestone' as const,
        spiraProjectId: project.spiraProjectId,
        gitlabProjectId: gpid,
        milestoneId: m.id,
        eventAt: m.updated_at,
      };
      await deps.queue.send(command, deduplicationIdOf(`milestone:${gpid}:${m.id}:${m.updated_at}`));
      queued++;
      if (!newest || m.updated_at > newest) newest = m.updated_at;
    }
    if (newest && newest !== last) await deps.cursors.set(cursor, newest);
  }
  return { queued };
}

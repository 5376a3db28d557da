import { describe, expect, it } from 'vitest';
import { SyncConfigSchema } from '../../lib/config/sync-config.js';
import type { GitLabMilestone } from '../../lib/connectors/gitlab/rest-schemas.js';
import { deduplicationIdOf } from '../../lib/domain/sync-command.js';
import { pollGitLabMilestones } from '../../lib/engine/poll-milestones.js';
import { MemoryCommandQueue, MemoryCursorStore } from '../fakes/memory-stores.js';
import { contractExample } from '../helpers/config.js';

const GPID = 42;
const milestone = (id: number, updatedAt: string): GitLabMilestone => ({
  id,
  iid: id,
  title: `m${id}`,
  description: null,
  state: 'active',
  created_at: '2026-11-01T00:00:00.000Z',
  updated_at: updatedAt,
});

/** GitLab's milestone list in memory: the ones updated after `after` (GitLab's `updated_after`). */
function poller(milestones: GitLabMilestone[]) {
  const cursors = new MemoryCursorStore();
  const queue = new MemoryCommandQueue();
  const asked: string[] = [];
  const deps = {
    gitlab: {
      milestonesUpdatedAfter: async (_projectId: number, after: string) => {
        asked.push(after);
        return milestones.filter((m) => Date.parse(m.updated_at) > Date.parse(after));
      },
    },
    gitlabProjectId: async () => GPID,
    queue,
    cursors,
    projects: SyncConfigSchema.parse(contractExample()).projects,
    enabled: true,
    log: { info() {}, warn() {}, error() {} },
  };
  return { deps, cursors, queue, asked, milestones };
}

describe('polling GitLab milestones (over the in-memory cursor store and queue)', () => {
  it('only finds where “now” is on the first run, then queues what changed since, with a minute of overlap', async () => {
    const p = poller([milestone(1, '2026-12-01T10:00:00.000Z'), milestone(2, '2026-12-01T10:05:00.000Z')]);
    expect(await pollGitLabMilestones(p.deps)).toEqual({ queued: 0 });
    expect(p.cursors.values.get(`gitlab-milestones#${GPID}`)).toBe('2026-12-01T10:05:00.000Z');

    p.milestones.push(milestone(3, '2026-12-01T10:07:00.000Z'));
    expect(await pollGitLabMilestones(p.deps)).toEqual({ queued: 2 });
    expect(p.asked[1]).toBe('2026-12-01T10:04:00.000Z');
    expect(p.queue.sent.map((m) => m.command)).toEqual([
      expect.objectContaining({ kind: 'gitlab.milestone', gitlabProjectId: GPID, milestoneId: 2 }),
      expect.objectContaining({ kind: 'gitlab.milestone', gitlabProjectId: GPID, milestoneId: 3 }),
    ]);
    expect(p.cursors.values.get(`gitlab-milestones#${GPID}`)).toBe('2026-12-01T10:07:00.000Z');
  });

  it('queues a change seen again in the overlap under the same deduplication id (dropped by the queue)', async () => {
    const p = poller([milestone(1, '2026-12-01T10:00:00.000Z')]);
    p.cursors.values.set(`gitlab-milestones#${GPID}`, '2026-12-01T09:59:30.000Z');
    await pollGitLabMilestones(p.deps);
    await pollGitLabMilestones(p.deps);
    expect(p.queue.sent).toEqual([
      expect.objectContaining({
        deduplicationId: deduplicationIdOf(`milestone:${GPID}:1:2026-12-01T10:00:00.000Z`),
      }),
    ]);
  });

  it('starts an empty project at the epoch, so the first milestone made later is queued', async () => {
    const p = poller([]);
    await pollGitLabMilestones(p.deps);
    expect(p.cursors.values.get(`gitlab-milestones#${GPID}`)).toBe('1970-01-01T00:00:00.000Z');
    p.milestones.push(milestone(9, '2026-12-01T11:00:00.000Z'));
    expect(await pollGitLabMilestones(p.deps)).toEqual({ queued: 1 });
  });
});

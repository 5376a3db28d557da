import middy from '@middy/core';
import { pollGitLabMilestones } from '../engine/poll-milestones.js';
import { pollSpira } from '../engine/poll-spira.js';
import { reconcileGitLab } from '../engine/reconcile-gitlab.js';
import type { PollerRuntime } from '../runtime/poller-runtime.js';

/** The spira-poller Lambda (scheduled): queues Spira changes since each project's watermark; opt-in GitLab reconciliation. */
export function createPollerHandler(runtime: () => Promise<PollerRuntime>) {
  return middy(async (): Promise<{ queued: number }> => {
    const { poll, reconcile, milestones } = await runtime();
    const counts = [
      await pollSpira(poll),
      await pollGitLabMilestones(milestones),
      await reconcileGitLab(reconcile),
    ];
    return { queued: counts.reduce((sum, c) => sum + c.queued, 0) };
  });
}

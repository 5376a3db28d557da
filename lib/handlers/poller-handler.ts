import middy from '@middy/core';
import { pollSpira } from '../engine/poll-spira.js';
import { reconcileGitLab } from '../engine/reconcile-gitlab.js';
import type { Runtime } from '../runtime/build-runtime.js';

/** The spira-poller Lambda (scheduled): queues Spira changes since each project's watermark; opt-in GitLab reconciliation. */
export function createPollerHandler(runtime: () => Promise<Runtime>) {
  return middy(async (): Promise<{ queued: number }> => {
    const { poll, reconcile } = await runtime();
    const spira = await pollSpira(poll);
    const gitlab = await reconcileGitLab(reconcile);
    return { queued: spira.queued + gitlab.queued };
  });
}

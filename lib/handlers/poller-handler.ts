import middy from '@middy/core';
import { pollSpira } from '../engine/poll-spira.js';
import type { Runtime } from '../runtime/build-runtime.js';

/** The spira-poller Lambda (scheduled): queues Spira changes since each project's watermark. */
export function createPollerHandler(runtime: () => Promise<Runtime>) {
  return middy(async (): Promise<{ queued: number }> => pollSpira((await runtime()).poll));
}

import middy from '@middy/core';
import { pollSpira } from '../lib/engine/poll-spira.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

const runtime = lazyRuntime();

/** Scheduled: reads Spira changes since each project's watermark and queues them. */
async function poll(): Promise<{ queued: number }> {
  const { poll: deps } = await runtime();
  return pollSpira(deps);
}

export const handler = middy(poll);

import { createPollerHandler } from '../lib/handlers/poller-handler.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

/** Scheduled Spira poller (EventBridge rate). */
export const handler = createPollerHandler(lazyRuntime());

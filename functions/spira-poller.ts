import { createPollerHandler } from '../lib/handlers/poller-handler.js';
import { lazy } from '../lib/runtime/basics.js';
import { buildPollerRuntime } from '../lib/runtime/poller-runtime.js';

/** Scheduled Spira poller (EventBridge rate). */
export const handler = createPollerHandler(lazy(buildPollerRuntime));

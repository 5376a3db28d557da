import { createWebhookHandler } from '../lib/handlers/webhook-handler.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

/** POST /webhooks/gitlab (HTTP API). */
export const handler = createWebhookHandler(lazyRuntime());

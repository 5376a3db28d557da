import { createWebhookHandler } from '../lib/handlers/webhook-handler.js';
import { lazy } from '../lib/runtime/basics.js';
import { buildIngestRuntime } from '../lib/runtime/ingest-runtime.js';

/** POST /webhooks/gitlab (HTTP API). */
export const handler = createWebhookHandler(lazy(buildIngestRuntime));

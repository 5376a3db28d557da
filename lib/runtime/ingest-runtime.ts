import { readGitLabHook } from '../connectors/gitlab/webhook-mapper.js';
import type { IngestDeps } from '../engine/ingest-gitlab-event.js';
import type { Log } from '../ports/sync-ports.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoDeliveryStore } from '../stores/dynamo-delivery-store.js';
import { type Basics, buildBasics, type RuntimeOptions } from './basics.js';

/** What the gitlab-webhook function uses (no API clients, no Markdown: a small bundle and a fast cold start). */
export interface IngestRuntime {
  ingest: IngestDeps;
  log: Log;
}

export function ingestDepsOf(b: Basics): IngestDeps {
  return {
    webhookSecret: b.config.gitlab.webhookSecret,
    account: b.config.gitlab.account,
    projects: b.config.projects,
    queue: b.queue,
    deliveries: new DynamoDeliveryStore(b.aws.db, b.env.TABLE_NAME),
    readHook: readGitLabHook,
    audit: new DynamoAuditStore(b.aws.db, b.env.TABLE_NAME),
    log: b.log,
  };
}

export async function buildIngestRuntime(options: RuntimeOptions = {}): Promise<IngestRuntime> {
  const b = await buildBasics(options);
  return { ingest: ingestDepsOf(b), log: b.log };
}

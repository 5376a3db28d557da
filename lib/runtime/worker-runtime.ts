import { ProjectContexts } from '../engine/project-context.js';
import type { SyncDeps } from '../engine/sync-deps.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { Parking } from '../ports/parking.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoLinkStore } from '../stores/dynamo-link-store.js';
import { DynamoParkingStore } from '../stores/dynamo-parking-store.js';
import { type Basics, buildBasics, type RuntimeOptions } from './basics.js';
import { type ApiClients, apiClientsOf } from './clients.js';

/** The worker's dependencies. */
export type WorkerDeps = SyncDeps & { parking: Parking; audit: DynamoAuditStore; queue: CommandQueue };

/** What the sync-worker function uses. */
export interface WorkerRuntime {
  sync: WorkerDeps;
}

export function workerDepsOf(b: Basics, clients: ApiClients): WorkerDeps {
  const { db } = b.aws;
  return {
    ...clients,
    links: new DynamoLinkStore(db, b.env.TABLE_NAME),
    contexts: new ProjectContexts(b.config, clients.spira, clients.gitlab),
    parking: new DynamoParkingStore(db, b.env.TABLE_NAME),
    audit: new DynamoAuditStore(db, b.env.TABLE_NAME),
    queue: b.queue,
    log: b.log,
    mentions: b.config.gitlab.mentions,
    onIncidentDeleted: b.config.spira.onIncidentDeleted,
  };
}

export async function buildWorkerRuntime(options: RuntimeOptions = {}): Promise<WorkerRuntime> {
  const b = await buildBasics(options);
  return { sync: workerDepsOf(b, apiClientsOf(b.config, b.log)) };
}

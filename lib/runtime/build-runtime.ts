import type { RuntimeEnv } from '../config/runtime-env.js';
import type { ResolvedConfig } from '../config/secrets.js';
import type { Log } from '../ports/sync-ports.js';
import { buildBasics, type RuntimeOptions } from './basics.js';
import { apiClientsOf } from './clients.js';
import { type IngestRuntime, ingestDepsOf } from './ingest-runtime.js';
import { type PollerRuntime, pollerDepsOf } from './poller-runtime.js';
import { type WorkerRuntime, workerDepsOf } from './worker-runtime.js';

export type { RuntimeOptions } from './basics.js';

/**
 * All three functions' dependencies in one process (the local runtime, the CLI, tests). In Lambda each
 * function builds only its own part (ingest-, worker-, poller-runtime.ts), sharing one API client per system.
 */
export interface Runtime extends IngestRuntime, WorkerRuntime, PollerRuntime {
  config: ResolvedConfig;
  env: RuntimeEnv;
  log: Log;
}

export async function buildRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const b = await buildBasics(options);
  const clients = apiClientsOf(b.config, b.log);
  const sync = workerDepsOf(b, clients);
  return {
    config: b.config,
    env: b.env,
    log: b.log,
    ingest: ingestDepsOf(b),
    sync,
    ...pollerDepsOf(b, clients),
  };
}

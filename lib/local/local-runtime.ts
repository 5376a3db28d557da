import type { Server } from 'node:http';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAwsClients } from '../aws/clients.js';
import { provisionQueues, provisionTable } from '../aws/provision.js';
import type { ResolvedConfig } from '../config/secrets.js';
import { createPollerHandler } from '../handlers/poller-handler.js';
import { createWebhookHandler } from '../handlers/webhook-handler.js';
import { createWorkerHandler } from '../handlers/worker-handler.js';
import type { FaultHook, Log } from '../ports/sync-ports.js';
import { buildRuntime, type Runtime } from '../runtime/build-runtime.js';
import { type DynamoEmulator, startDynamo } from './dynamo-emulator.js';
import { type LocalRoutes, startHttpServer } from './http-server.js';
import { QueueLoop } from './queue-loop.js';
import { type SqsEmulator, startSqs } from './sqs-emulator.js';

/** Options of the one-machine runtime. */
export interface LocalRuntimeOptions {
  config: ResolvedConfig;
  /** Port of the HTTP endpoint on 127.0.0.1 (0 = any free port). */
  port: number;
  /** Where DynamoDB keeps its files; in memory when absent. */
  dataDir?: string;
  /** Reuse running stand-ins (tests) instead of starting new ones. */
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** Overrides config.pollIntervalSeconds (tests); 0 turns the timer off. */
  pollIntervalMs?: number;
  workers?: number;
  log?: Log;
  fault?: FaultHook;
  /** Table and queue name (unique per test). */
  name?: string;
  routes?: (runtime: Runtime) => LocalRoutes;
}

/** A running local sync: endpoint, queue loop and poll timer over the stand-ins. */
export interface LocalRuntime {
  readonly url: string;
  readonly runtime: Runtime;
  readonly queue: QueueLoop;
  readonly dynamoEngine: string;
  /** Runs one poll now (as the timer would). */
  pollNow(): Promise<{ queued: number }>;
  /** Waits until the queue is empty and the worker idle. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** Starts the whole sync on this machine with the same handlers as in AWS. */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const name = options.name ?? 'spira-gitlab-sync-local';
  const dynamo: DynamoEmulator | undefined = options.dynamoEndpoint
    ? undefined
    : await startDynamo({ dataDir: options.dataDir && join(options.dataDir, 'dynamodb') });
  const sqsEmulator: SqsEmulator | undefined = options.sqsEndpoint ? undefined : await startSqs();
  const env = {
    TABLE_NAME: name,
    QUEUE_URL: '',
    SYNC_CONFIG: '(in memory)',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint ?? (dynamo as DynamoEmulator).endpoint,
    AWS_ENDPOINT_URL_SQS: options.sqsEndpoint ?? (sqsEmulator as SqsEmulator).endpoint,
  };
  const aws = createAwsClients(env);
  await provisionTable(aws.dynamo, name, dynamo?.supportsTtl ?? true);
  const { queueUrl } = await provisionQueues(aws.sqs, name);
  env.QUEUE_URL = queueUrl;
  const runtime = await buildRuntime({ env, config: options.config, log: options.log ?? silent });
  if (options.fault) runtime.sync.fault = options.fault;
  const once = () => Promise.resolve(runtime);
  const webhook = createWebhookHandler(once);
  const worker = createWorkerHandler(once);
  const poller = createPollerHandler(once);
  const queue = new QueueLoop(aws.sqs, queueUrl, worker, options.workers ?? 4);
  queue.start();
  const poll = () =>
    poller(undefined as never, { functionName: 'spira-poller' } as Context) as Promise<{ queued: number }>;
  const timer = startTimer(
    poll,
    options.pollIntervalMs ?? options.config.pollIntervalSeconds * 1000,
    runtime.log,
  );
  const health = {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ ok: true, endpoint: true, worker: true, poller: true }),
  };
  const server: Server = await startHttpServer(
    options.port,
    webhook as unknown as (
      event: APIGatewayProxyEventV2,
      context: never,
    ) => Promise<APIGatewayProxyStructuredResultV2>,
    { '/health': async () => health, ...(options.routes?.(runtime) ?? {}) },
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    queue,
    dynamoEngine: dynamo?.engine ?? 'shared',
    pollNow: poll,
    drained: (timeoutMs) => queue.drained(timeoutMs),
    stop: async () => {
      timer.stop();
      await new Promise((ok) => server.close(ok));
      await queue.stop();
      await Promise.all([dynamo?.stop(), sqsEmulator?.stop()]);
    },
  };
}

/** Calls the poller every `intervalMs`, never two at a time. */
function startTimer(poll: () => Promise<unknown>, intervalMs: number, log: Log) {
  if (intervalMs <= 0) return { stop: () => {} };
  let running = false;
  const handle = setInterval(() => {
    if (running) return;
    running = true;
    poll()
      .catch((error: unknown) => log.error('poll failed', { error: String(error) }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  return { stop: () => clearInterval(handle) };
}

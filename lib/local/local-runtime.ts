import type { Server } from 'node:http';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import queueSettings from '../../deploy/queue.json' with { type: 'json' };
import { createAwsClients } from '../aws/clients.js';
import { provisionQueues, provisionTable } from '../aws/provision.js';
import { queueDepth } from '../aws/queue-depth.js';
import type { ResolvedConfig } from '../config/secrets.js';
import { createPollerHandler } from '../handlers/poller-handler.js';
import { createWebhookHandler } from '../handlers/webhook-handler.js';
import { createWorkerHandler } from '../handlers/worker-handler.js';
import type { FaultHook, Log } from '../ports/sync-ports.js';
import { buildRuntime, type Runtime } from '../runtime/build-runtime.js';
import { type DynamoEmulator, startDynamo } from './dynamo-emulator.js';
import { HealthMonitor, type HealthReport } from './health.js';
import { type LocalRoutes, startHttpServer } from './http-server.js';
import { InboxJournal, JournaledCommandQueue, replayJournal } from './inbox-journal.js';
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
  routes?: (runtime: Runtime, health: () => Promise<HealthReport>) => LocalRoutes;
  /** Journal every command in DynamoDB before it counts as queued (default: when `dataDir` is set). */
  journal?: boolean;
  /** Test-only: the worker waits this long before each batch (see QueueLoopOptions.delayMs). */
  workerDelayMs?: number;
}

/** A running local sync: endpoint, queue loop and poll timer over the stand-ins. */
export interface LocalRuntime {
  readonly url: string;
  readonly runtime: Runtime;
  readonly queue: QueueLoop;
  readonly health: HealthMonitor;
  readonly dynamoEngine: string;
  /** Runs one poll now (as the timer would). */
  pollNow(): Promise<{ queued: number }>;
  /** Waits until the queue is empty and the worker idle. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };

/** Starts the whole sync on this machine with the same handlers as in AWS; stops what it started if it fails. */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const started: (() => Promise<unknown>)[] = [];
  try {
    return await start(options, started);
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

async function start(
  options: LocalRuntimeOptions,
  started: (() => Promise<unknown>)[],
): Promise<LocalRuntime> {
  const name = options.name ?? 'spira-gitlab-sync-local';
  const dynamo: DynamoEmulator | undefined = options.dynamoEndpoint
    ? undefined
    : await startDynamo({ dataDir: options.dataDir && join(options.dataDir, 'dynamodb') });
  if (dynamo) started.push(() => dynamo.stop());
  const sqsEmulator: SqsEmulator | undefined = options.sqsEndpoint ? undefined : await startSqs();
  if (sqsEmulator) started.push(() => sqsEmulator.stop());
  const env = {
    TABLE_NAME: name,
    QUEUE_URL: '',
    SYNC_CONFIG: '(in memory)',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint ?? (dynamo as DynamoEmulator).endpoint,
    AWS_ENDPOINT_URL_SQS: options.sqsEndpoint ?? (sqsEmulator as SqsEmulator).endpoint,
  };
  const aws = createAwsClients(env);
  const supportsTtl = dynamo?.supportsTtl ?? true;
  await provisionTable(aws.dynamo, name, supportsTtl);
  const urls = await provisionQueues(aws.sqs, name);
  env.QUEUE_URL = urls.queueUrl;
  const log = options.log ?? silent;
  // Durable mode (a data folder, or asked for): every command is journaled before it counts as queued.
  const journal =
    (options.journal ?? options.dataDir !== undefined)
      ? new InboxJournal(aws.db, `${name}-inbox`)
      : undefined;
  if (journal) {
    await provisionTable(aws.dynamo, journal.table, false);
    const replayed = await replayJournal(journal, aws.sqs, urls, queueSettings.maxReceiveCount);
    if (replayed.resent + replayed.deadLettered > 0)
      log.info('queued again from the inbox journal', replayed);
  }
  const runtime = await buildRuntime({
    env,
    config: options.config,
    log,
    ...(journal ? { queue: (sqs) => new JournaledCommandQueue(journal, aws.sqs, urls.queueUrl, sqs) } : {}),
  });
  if (options.fault) runtime.sync.fault = options.fault;
  const once = () => Promise.resolve(runtime);
  const webhook = createWebhookHandler(once);
  const worker = createWorkerHandler(once);
  const poller = createPollerHandler(once);
  const queue = new QueueLoop(aws.sqs, urls.queueUrl, worker, {
    concurrency: options.workers ?? 4,
    ...(journal ? { journal } : {}),
    ...(options.workerDelayMs ? { delayMs: options.workerDelayMs } : {}),
  });
  queue.start();
  started.push(() => queue.stop());
  const intervalMs = options.pollIntervalMs ?? options.config.pollIntervalSeconds * 1000;
  const health = new HealthMonitor(
    {
      stats: queue.stats,
      get inFlight() {
        return queue.inFlight;
      },
      pending: async () => {
        const { waiting, inFlight, delayed } = await queueDepth(aws.sqs, urls.queueUrl);
        return waiting + inFlight + delayed;
      },
    },
    intervalMs,
  );
  const poll = () =>
    (
      poller(undefined as never, { functionName: 'spira-poller' } as Context) as Promise<{ queued: number }>
    ).then(
      (result) => {
        health.pollSucceeded(result.queued);
        return result;
      },
      (error: unknown) => {
        health.pollFailed(error);
        throw error;
      },
    );
  const timer = startTimer(
    async () => {
      await health.sample();
      return poll();
    },
    intervalMs,
    runtime.log,
  );
  started.push(() => timer.stop());
  const server: Server = await startHttpServer(
    options.port,
    webhook as unknown as (
      event: APIGatewayProxyEventV2,
      context: never,
    ) => Promise<APIGatewayProxyStructuredResultV2>,
    {
      '/health': async () => {
        const report = await health.report();
        return { status: report.ok ? 200 : 503, type: 'application/json', body: JSON.stringify(report) };
      },
      ...(options.routes?.(runtime, () => health.report()) ?? {}),
    },
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    queue,
    health,
    dynamoEngine: dynamo?.engine ?? 'shared',
    pollNow: poll,
    drained: (timeoutMs) => queue.drained(timeoutMs),
    // New webhooks and polls stop first; then the worker finishes its batches; then the stores stop.
    stop: async () => {
      await timer.stop();
      await new Promise((ok) => server.close(ok));
      await queue.stop();
      await Promise.all([dynamo?.stop(), sqsEmulator?.stop()]);
    },
  };
}

/** Calls the poller every `intervalMs`, never two at a time; `stop` waits for a poll under way. */
function startTimer(poll: () => Promise<unknown>, intervalMs: number, log: Log) {
  if (intervalMs <= 0) return { stop: async () => {} };
  let running: Promise<unknown> | undefined;
  const handle = setInterval(() => {
    if (running) return;
    running = poll()
      .catch((error: unknown) => log.error('poll failed', { error: String(error) }))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(handle);
      await running;
    },
  };
}

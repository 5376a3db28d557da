import { randomUUID } from 'node:crypto';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { createAwsClients } from '../lib/aws/clients.js';
import { type DemoWorld, hookUp, seedDemo } from '../lib/local/demo.js';
import { type DynamoEmulator, startDynamo } from '../lib/local/dynamo-emulator.js';
import { type LocalRuntime, startLocalRuntime } from '../lib/local/local-runtime.js';
import { type SqsEmulator, startSqs } from '../lib/local/sqs-emulator.js';
import { type ApiCall, ApiLog } from './api-log.js';
import { AwsTap } from './aws-tap.js';
import { HookTap } from './hook-tap.js';
import { TimedWorker } from './timed-worker.js';

/** Injected latency of every fake API call (issue 7). */
export const LATENCY_MS = 20;

/** The AWS emulators, started once per bench run, each behind a counting tap. */
export interface Emulators {
  engine: DynamoEmulator['engine'];
  dynamo: DynamoEmulator;
  sqs: SqsEmulator;
  dynamoTap: AwsTap;
  sqsTap: AwsTap;
  stop(): Promise<void>;
}

/** DynamoDB Local (or dynalite without Java) and fauxqs, each behind a counting tap. */
export async function startEmulators(): Promise<Emulators> {
  const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  const [dynamoTap, sqsTap] = await Promise.all([
    AwsTap.start('dynamodb', dynamo.endpoint),
    AwsTap.start('sqs', sqs.endpoint),
  ]);
  return {
    engine: dynamo.engine,
    dynamo,
    sqs,
    dynamoTap,
    sqsTap,
    stop: async () => {
      await Promise.all([dynamoTap.stop(), sqsTap.stop()]);
      await Promise.all([dynamo.stop(), sqs.stop()]);
    },
  };
}

export interface WorldOptions {
  /** Concurrent worker loops (Lambda runs one invocation per active message group). */
  workers?: number;
  commentBudget?: number;
  /** Point the GitLab webhook at the sync now (default true); otherwise call `attachHook()` later. */
  hook?: boolean;
  /** The config's poll interval (sets how often releases are searched); the bench drives the polls itself. */
  pollIntervalSeconds?: number;
}

/** Seeded stand-ins, the local runtime between them, and the probes on every edge. */
export interface World {
  spira: SpiraStandIn;
  gitlab: GitLabStandIn;
  demo: DemoWorld;
  local: LocalRuntime;
  worker: TimedWorker;
  hooks: HookTap;
  api: ApiLog;
  aws: Emulators;
  attachHook(): void;
  /** Calls by the sync itself (not by the bench acting as people). */
  bySync(call: ApiCall): boolean;
  gitlabAs(user: keyof DemoWorld['gitlab'], method: string, path: string, body?: unknown): Promise<Json>;
  /** Waits until every webhook is delivered and every queued change applied (our writes fire hooks). */
  settle(): Promise<void>;
  /** One poll as the schedule would run it, with Spira's clock moved by `advanceMs` first. */
  poll(advanceMs?: number): Promise<{ queued: number; ms: number }>;
  stop(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the GitLab stand-in, read field by field
export type Json = any;

/**
 * Starts both stand-ins (20 ms per call, every request stamped), seeds them like the demo, and runs the local
 * runtime over the shared emulators (its own table and queue) with the timed worker in place of its loop and
 * the webhook behind a stamping proxy.
 */
export async function startWorld(aws: Emulators, options: WorldOptions = {}): Promise<World> {
  const api = new ApiLog();
  const [gitlab, spira] = await Promise.all([
    GitLabStandIn.start({ latencyMs: LATENCY_MS, intercept: api.gitlabIntercept }),
    SpiraStandIn.start({ latencyMs: LATENCY_MS, intercept: api.spiraIntercept }),
  ]);
  const demo = await seedDemo(spira, gitlab);
  if (options.commentBudget !== undefined) demo.config.spira.commentPollBudget = options.commentBudget;
  if (options.pollIntervalSeconds !== undefined)
    demo.config.pollIntervalSeconds = options.pollIntervalSeconds;
  const local = await startLocalRuntime({
    config: demo.config,
    port: 0,
    dynamoEndpoint: aws.dynamoTap.url,
    sqsEndpoint: aws.sqsTap.url,
    pollIntervalMs: 0,
    workers: 1,
    name: `bench-${randomUUID().slice(0, 8)}`,
  });
  await local.queue.stop();
  const { sqs } = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SQS: aws.sqsTap.url });
  const worker = new TimedWorker(sqs, local.runtime.env.QUEUE_URL, local.runtime, options.workers ?? 4);
  worker.start();
  const hooks = await HookTap.start(local.url);
  const attachHook = () => void hookUp(gitlab, demo, hooks.url);
  if (options.hook !== false) attachHook();
  const syncbot = String(demo.gitlab.syncbot.id);
  const world: World = {
    spira,
    gitlab,
    demo,
    local,
    worker,
    hooks,
    api,
    aws,
    attachHook,
    bySync: (call) => (call.side === 'spira' ? call.actor === 'syncbot' : call.actor === syncbot),
    gitlabAs: (user, method, path, body) =>
      callGitLab(gitlab.baseUrl, demo.gitlab[user].token, method, path, body),
    settle: () => settle(world),
    poll: async (advanceMs = 0) => {
      if (advanceMs > 0) spira.advanceClock(advanceMs);
      const at = performance.now();
      const { queued } = await local.pollNow();
      return { queued, ms: performance.now() - at };
    },
    stop: async () => {
      await worker.pause();
      await local.stop();
      await hooks.stop();
      await Promise.all([gitlab.stop(), spira.stop()]);
    },
  };
  return world;
}

async function settle(world: World): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const before = world.gitlab.deliveries.length;
    await world.gitlab.settle();
    await world.worker.drained();
    await world.gitlab.settle();
    if (world.gitlab.deliveries.length === before) return;
  }
}

async function callGitLab(base: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/api/v4/${path}`, {
    method,
    headers: { 'private-token': token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`GitLab ${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

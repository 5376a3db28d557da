import { randomUUID } from 'node:crypto';
import { GitLabStandIn, type GitLabStandInOptions } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn, type SpiraStandInOptions } from '@spira-gitlab-sync/stand-ins/spira';
import { inject } from 'vitest';
import { type DemoWorld, hookUp, seedDemo } from '../../lib/local/demo.js';
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from '../../lib/local/local-runtime.js';
import type { FaultHook, Log } from '../../lib/ports/sync-ports.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the stand-ins; each test asserts the shape it uses
type Json = any;

/** Options of a harness run. */
export interface HarnessOptions {
  /** Do not point the GitLab webhook at the sync (tests that deliver hooks by hand). */
  noHook?: boolean;
  fault?: FaultHook;
  log?: Log;
  workers?: number;
  latencyMs?: number;
  /** Runs the poll timer (ms); off by default (tests call pollNow). */
  pollIntervalMs?: number;
  spira?: SpiraStandInOptions;
  gitlab?: GitLabStandInOptions;
  /** Seeds more data after the demo world exists and before the config is final. */
  before?: (gitlab: GitLabStandIn, spira: SpiraStandIn, world: DemoWorld) => Promise<void>;
  /** Extra GET routes of the local endpoint (the status page). */
  routes?: LocalRuntimeOptions['routes'];
  /** Changes the seeded config before the runtime starts. */
  configure?: (config: DemoWorld['config']) => DemoWorld['config'];
}

/** GitLab and Spira stand-ins seeded like the demo, and the local runtime (same handlers as in AWS) between them. */
export interface Harness {
  gitlab: GitLabStandIn;
  spira: SpiraStandIn;
  world: DemoWorld;
  local: LocalRuntime;
  /** Calls the GitLab REST API as one of the seeded people. */
  gitlabAs(
    user: keyof DemoWorld['gitlab'],
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }>;
  /** POSTs a body to the sync's webhook endpoint with GitLab's headers. */
  deliver(headers: Record<string, string>, body: string): Promise<{ status: number; json: Json }>;
  /** Waits until every webhook was delivered and every queued change applied (repeats: our writes fire hooks). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const latency = options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs };
  const [gitlab, spira] = await Promise.all([
    GitLabStandIn.start({ ...latency, ...options.gitlab }),
    SpiraStandIn.start({ ...latency, ...options.spira }),
  ]);
  const seeded = await seedDemo(spira, gitlab);
  await options.before?.(gitlab, spira, seeded);
  const world = options.configure ? { ...seeded, config: options.configure(seeded.config) } : seeded;
  const local = await startLocalRuntime({
    config: world.config,
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    pollIntervalMs: options.pollIntervalMs ?? 0,
    name: `h${randomUUID().slice(0, 8)}`,
    ...(options.fault ? { fault: options.fault } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
  });
  // Crashed attempts' claims expire quickly here, so retries in tests do not wait the production lease.
  local.runtime.sync.claimLeaseMs = 1_000;
  if (!options.noHook) hookUp(gitlab, world, local.url);
  const call = async (url: string, init: RequestInit) => {
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  return {
    gitlab,
    spira,
    world,
    local,
    gitlabAs: (user, method, path, body) =>
      call(`${gitlab.baseUrl}/api/v4/${path}`, {
        method,
        headers: { 'private-token': world.gitlab[user].token, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    deliver: (headers, body) =>
      call(`${local.url}/webhooks/gitlab`, { method: 'POST', headers: endToEnd(headers), body }),
    settle: async () => {
      for (let round = 0; round < 3; round++) {
        const before = gitlab.deliveries.length;
        await gitlab.settle();
        await local.drained();
        await gitlab.settle();
        if (gitlab.deliveries.length === before) return;
      }
    },
    stop: async () => {
      await local.stop();
      await Promise.all([gitlab.stop(), spira.stop()]);
    },
  };
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** Headers of a captured request that may be sent again. */
function endToEnd(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** A Log that keeps every line, for assertions. */
export function recordingLog() {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(extra ? { extra } : {}) });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

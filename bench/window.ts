import type { ApiCall } from './api-log.js';
import type { AwsCall } from './aws-tap.js';
import type { HookArrival } from './hook-tap.js';
import type { World } from './stack.js';
import { sum } from './stats.js';
import type { WorkerBatch } from './timed-worker.js';

/** Positions in every probe's log, to take what happened between two moments. */
export interface Marks {
  api: number;
  dynamo: number;
  sqs: number;
  hooks: number;
  batches: number;
}

/** Everything the probes saw between two marks. */
export interface Window {
  api: ApiCall[];
  dynamo: AwsCall[];
  sqs: AwsCall[];
  hooks: HookArrival[];
  batches: WorkerBatch[];
}

export function marks(world: World): Marks {
  return {
    api: world.api.mark(),
    dynamo: world.aws.dynamoTap.mark(),
    sqs: world.aws.sqsTap.mark(),
    hooks: world.hooks.arrivals.length,
    batches: world.worker.mark(),
  };
}

export function between(world: World, from: Marks, to: Marks): Window {
  return {
    api: world.api.calls.slice(from.api, to.api),
    dynamo: world.aws.dynamoTap.calls.slice(from.dynamo, to.dynamo),
    sqs: world.aws.sqsTap.calls.slice(from.sqs, to.sqs),
    hooks: world.hooks.arrivals.slice(from.hooks, to.hooks),
    batches: world.worker.batches.slice(from.batches, to.batches),
  };
}

/** SQS operations that a deployment pays for (the local loop's long polls and drain checks are left out). */
const BILLED_SQS = new Set(['SendMessage', 'DeleteMessageBatch', 'DeleteMessage', 'ChangeMessageVisibility']);

/** AWS usage of a window: DynamoDB request units and the SQS requests a deployment would make. */
export interface AwsUsage {
  rru: number;
  wru: number;
  dynamoCalls: number;
  sqsSends: number;
  /** SendMessage + DeleteMessageBatch + ChangeMessageVisibility, plus one ReceiveMessage per worker batch. */
  sqsRequests: number;
  /** WRU by DynamoDB item kind (`recent`, `audit`, `gl-issue`…). */
  wruByItem: Record<string, number>;
}

export function awsUsage(window: Window): AwsUsage {
  const billed = window.sqs.filter((c) => BILLED_SQS.has(c.op));
  return {
    rru: sum(window.dynamo.filter((c) => c.kind === 'read').map((c) => c.units ?? 0)),
    wru: sum(window.dynamo.filter((c) => c.kind === 'write').map((c) => c.units ?? 0)),
    dynamoCalls: window.dynamo.length,
    sqsSends: window.sqs.filter((c) => c.op === 'SendMessage').length,
    sqsRequests: billed.length + window.batches.length,
    wruByItem: wruByItem(window.dynamo),
  };
}

function wruByItem(calls: readonly AwsCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const call of calls) {
    if (call.kind !== 'write') continue;
    const item = call.item ?? 'other';
    out[item] = (out[item] ?? 0) + (call.units ?? 0);
  }
  return out;
}

function mapItems(a: Record<string, number>, f: (key: string, value: number) => number) {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, f(k, v)]));
}

export function minusUsage(a: AwsUsage, b: AwsUsage, times: number): AwsUsage {
  const clip = (x: number) => Math.max(0, x);
  return {
    rru: clip(a.rru - b.rru * times),
    wru: clip(a.wru - b.wru * times),
    dynamoCalls: clip(a.dynamoCalls - b.dynamoCalls * times),
    sqsSends: clip(a.sqsSends - b.sqsSends * times),
    sqsRequests: clip(a.sqsRequests - b.sqsRequests * times),
    wruByItem: mapItems(a.wruByItem, (k, v) => clip(v - (b.wruByItem[k] ?? 0) * times)),
  };
}

export function scaleUsage(a: AwsUsage, factor: number): AwsUsage {
  return {
    rru: a.rru * factor,
    wru: a.wru * factor,
    dynamoCalls: a.dynamoCalls * factor,
    sqsSends: a.sqsSends * factor,
    sqsRequests: a.sqsRequests * factor,
    wruByItem: mapItems(a.wruByItem, (_, v) => v * factor),
  };
}

/** Whether a moment falls inside one of the intervals. */
export function inside(at: number, spans: readonly { at: number; ms: number }[]): boolean {
  return spans.some((s) => at >= s.at && at <= s.at + s.ms);
}

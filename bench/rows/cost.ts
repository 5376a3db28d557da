import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PRICES, priceLines } from '../prices.js';
import type { Row } from '../row.js';
import { sum } from '../stats.js';
import type { AwsUsage } from '../window.js';
import type { ChangeFigures } from './calls-per-change.js';

/** Dollars by AWS service. */
export interface Dollars {
  lambda: number;
  sqs: number;
  dynamo: number;
  httpApi: number;
}

const total = (d: Dollars) => d.lambda + d.sqs + d.dynamo + d.httpApi;
const PER = 100_000;
const MINUTES_PER_MONTH = 43_200;
/** A slow real API, for the sensitivity line. */
const SLOW_CALL_MS = 200;
/** Issue 15: under 60 cents per 100,000 changes by this model. */
const TARGET_USD = 0.6;

export interface CostInputs {
  root: string;
  webhookMs: number;
  changes: ChangeFigures[];
  /** Local injected latency per API call. */
  latencyMs: number;
  idlePoll: { ms: number; usage: AwsUsage };
  busyPoll: { ms: number; usage: AwsUsage; mapped: number };
  /** Resident memory after a cold init, MB, by function. */
  rssMb: Record<string, number>;
}

/** Configured memory (MB) of a function in serverless.yml (its own, else the provider's). */
export function memoryMb(root: string, fn: string): number {
  const doc = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    provider?: { memorySize?: number };
    functions?: Record<string, { memorySize?: number }>;
  };
  return doc.functions?.[fn]?.memorySize ?? doc.provider?.memorySize ?? 1024;
}

/** Cost of one change with its echo, from what row 4 measured; `extraMsPerCall` lengthens every API call. */
function changeCost(inputs: CostInputs, change: ChangeFigures, extraMsPerCall: number): Dollars {
  const webhookGb = memoryMb(inputs.root, 'gitlab-webhook') / 1024;
  const workerGb = memoryMb(inputs.root, 'sync-worker') / 1024;
  const apiCalls = change.target.length + change.source.length + change.echo.length;
  const workerSeconds =
    sum(change.batches.map((b) => Math.ceil(b.ms))) / 1000 + (apiCalls * extraMsPerCall) / 1000;
  const webhookSeconds = (change.webhooks * Math.ceil(inputs.webhookMs)) / 1000;
  const invocations = change.webhooks + change.batches.length;
  return {
    lambda:
      invocations * PRICES.lambdaRequest +
      (webhookSeconds * webhookGb + workerSeconds * workerGb) * PRICES.lambdaArmGbSecond,
    sqs: change.usage.sqsRequests * PRICES.sqsFifoRequest,
    dynamo: change.usage.wru * PRICES.dynamoWru + change.usage.rru * PRICES.dynamoRru,
    httpApi: change.webhooks * PRICES.httpApiRequest,
  };
}

/** A month of scheduled polls (one a minute) for one project. */
function pollMonth(inputs: CostInputs, poll: { ms: number; usage: AwsUsage }): number {
  const gb = memoryMb(inputs.root, 'spira-poller') / 1024;
  const perPoll =
    PRICES.lambdaRequest +
    (Math.ceil(poll.ms) / 1000) * gb * PRICES.lambdaArmGbSecond +
    poll.usage.wru * PRICES.dynamoWru +
    poll.usage.rru * PRICES.dynamoRru +
    poll.usage.sqsRequests * PRICES.sqsFifoRequest;
  return perPoll * MINUTES_PER_MONTH;
}

function mean(costs: Dollars[]): Dollars {
  const n = costs.length;
  return {
    lambda: sum(costs.map((c) => c.lambda)) / n,
    sqs: sum(costs.map((c) => c.sqs)) / n,
    dynamo: sum(costs.map((c) => c.dynamo)) / n,
    httpApi: sum(costs.map((c) => c.httpApi)) / n,
  };
}

const usd = (value: number) => `$${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}`;

export function costRow(inputs: CostInputs): { row: Row; per100k: Dollars } {
  const measured = inputs.changes.map((c) => changeCost(inputs, c, 0));
  const slow = inputs.changes.map((c) => changeCost(inputs, c, SLOW_CALL_MS - inputs.latencyMs));
  const per100k = scale(mean(measured), PER);
  const slow100k = scale(mean(slow), PER);
  const pass = total(per100k) < TARGET_USD;
  const wru = meanWruByItem(inputs.changes);
  const wruTotal = sum(Object.values(wru));
  const wruText = Object.entries(wru)
    .sort(([, a], [, b]) => b - a)
    .map(([item, units]) => `${item}# ${units.toFixed(1)}`)
    .join(', ');
  const row: Row = {
    id: '8',
    title: 'Cost per 100,000 changes (AWS list prices)',
    measured: `${usd(total(per100k))} per 100k (Lambda ${usd(per100k.lambda)}, SQS ${usd(per100k.sqs)}, DynamoDB ${usd(per100k.dynamo)}, HTTP API ${usd(per100k.httpApi)})`,
    target: `< $${TARGET_USD.toFixed(2)} per 100,000 changes (issue 15)`,
    pass,
    method:
      `the eight changes of row 4, equally weighted, each with its echo and the poller's re-finds: webhook ` +
      'deliveries (HTTP API requests + webhook invocations at the row 1 mean duration), worker invocations at ' +
      'their measured durations (1 ms billing), SQS requests (sends, deletes, visibility changes, one receive ' +
      'per worker batch), DynamoDB RRU/WRU as the emulator reported them for the real item sizes, with the ' +
      `project's activity item at its steady-state size. Memory as serverless.yml configures it. Prices: ${PRICES.region}.`,
    details: [
      ...inputs.changes.map(
        (c, i) =>
          `${c.spec.direction} ${c.spec.name}: ${usd(total(measured[i] as Dollars) * PER)} per 100k (${describeUsage(c)})`,
      ),
      `memory: ${['gitlab-webhook', 'sync-worker', 'spira-poller'].map((fn) => `${fn} ${memoryMb(inputs.root, fn)} MB configured (${Math.round(inputs.rssMb[fn] ?? 0)} MB resident after a cold init)`).join(', ')}`,
      `DynamoDB WRU per change (mean of the eight, echo included) by item: ${wruText} — ${wruTotal.toFixed(1)} in all`,
      `with ${SLOW_CALL_MS} ms per API call instead of ${inputs.latencyMs} ms (a slow Spira): ${usd(total(slow100k))} per 100k (Lambda ${usd(slow100k.lambda)})`,
      `fixed, per project and month (a poll a minute, not in the figure above): idle ${usd(pollMonth(inputs, inputs.idlePoll))}; with ${inputs.busyPoll.mapped} linked incidents ${usd(pollMonth(inputs, inputs.busyPoll))} (the watch list item is rewritten every cycle)`,
      ...priceLines(),
    ],
  };
  if (!pass) {
    const [topItem, topUnits] = Object.entries(wru).sort(([, a], [, b]) => b - a)[0] ?? ['?', 0];
    row.miss = {
      why: `DynamoDB is ${usd(per100k.dynamo)} of the ${usd(total(per100k))}; of its ${wruTotal.toFixed(0)} WRU per change, ${topUnits.toFixed(0)} go to \`${topItem}#…\` items (\`list_append\` is billed by the size of the whole item, not of the entry)`,
      fix: 'see "Misses" below',
    };
  }
  return { row, per100k };
}

function meanWruByItem(changes: ChangeFigures[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const change of changes) {
    for (const [item, units] of Object.entries(change.usage.wruByItem))
      out[item] = (out[item] ?? 0) + units / changes.length;
  }
  return out;
}

function describeUsage(change: ChangeFigures): string {
  const u = change.usage;
  return `${change.webhooks} webhook(s), ${change.batches.length} worker invocation(s) ${Math.round(sum(change.batches.map((b) => b.ms)))} ms, ${u.sqsRequests} SQS requests (${u.sqsSends} SendMessage), ${Math.round(u.wru)} WRU, ${Math.round(u.rru)} RRU`;
}

function scale(d: Dollars, factor: number): Dollars {
  return {
    lambda: d.lambda * factor,
    sqs: d.sqs * factor,
    dynamo: d.dynamo * factor,
    httpApi: d.httpApi * factor,
  };
}

import { randomUUID } from 'node:crypto';
import type { GitLabDelivery } from '@spira-gitlab-sync/stand-ins/gitlab';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createWebhookHandler } from '../../lib/handlers/webhook-handler.js';
import type { AwsCall } from '../aws-tap.js';
import type { Row } from '../row.js';
import { type Emulators, startWorld } from '../stack.js';
import { ms, type Summary, sum, summarize } from '../stats.js';

/** Row 1 figures, also used by the cost model. */
export interface WebhookFigures {
  row: Row;
  handler: Summary;
  /** Share of the handler time spent waiting on DynamoDB and SQS (p50 of the per-call sums). */
  awsWaitP50: number;
  sqsPerHook: number;
  sqsPerDuplicate: number;
  dynamo: { callsPerHook: number; rruPerHook: number; wruPerHook: number };
}

const WARM_UP = 100;

/**
 * Calls the gitlab-webhook handler in process (the function's own middy handler over the local runtime),
 * with a delivery the GitLab stand-in really sent, under a fresh Idempotency-Key each time.
 */
export async function benchWebhookHandler(aws: Emulators, count: number): Promise<WebhookFigures> {
  const world = await startWorld(aws, { workers: 1 });
  try {
    await world.gitlabAs('fred', 'POST', `projects/${world.demo.gitlabProjectId}/issues`, {
      title: 'Webhook template',
      description: 'A **Markdown** description, as people write them.',
    });
    await world.settle();
    const delivery = world.gitlab.deliveries.find((d) => d.event === 'Issue Hook');
    if (!delivery) throw new Error('the GitLab stand-in sent no Issue Hook');
    // Nothing consumes the queue while the handler is timed alone.
    await world.worker.pause();
    const handler = createWebhookHandler(() => Promise.resolve(world.local.runtime));
    const invoke = async (key: string) => {
      const at = performance.now();
      const result = await handler(eventOf(delivery, key), lambdaContext());
      if (typeof result !== 'object' || (result.statusCode !== 202 && result.statusCode !== 200))
        throw new Error(`webhook handler answered ${JSON.stringify(result)}`);
      return { at, ms: performance.now() - at };
    };
    for (let i = 0; i < WARM_UP; i++) await invoke(randomUUID());
    const dynamoMark = aws.dynamoTap.mark();
    const sqsMark = aws.sqsTap.mark();
    const samples: { at: number; ms: number }[] = [];
    for (let i = 0; i < count; i++) samples.push(await invoke(randomUUID()));
    const dynamoCalls = aws.dynamoTap.since(dynamoMark);
    const sqsCalls = aws.sqsTap.since(sqsMark);
    const duplicateMark = aws.sqsTap.mark();
    const key = randomUUID();
    for (let i = 0; i < 20; i++) await invoke(key);
    const duplicateSends = aws.sqsTap.since(duplicateMark).length - 1;
    return figures(samples, dynamoCalls, sqsCalls, duplicateSends / 19, count);
  } finally {
    await world.stop();
  }
}

function figures(
  samples: { at: number; ms: number }[],
  dynamoCalls: AwsCall[],
  sqsCalls: AwsCall[],
  sqsPerDuplicate: number,
  count: number,
): WebhookFigures {
  const handler = summarize(samples.map((s) => s.ms));
  const waits = samples.map((s) =>
    sum([...dynamoCalls, ...sqsCalls].filter((c) => c.at >= s.at && c.at <= s.at + s.ms).map((c) => c.ms)),
  );
  const awsWaitP50 = summarize(waits).p50;
  const sqsPerHook = sqsCalls.length / count;
  const dynamo = {
    callsPerHook: dynamoCalls.length / count,
    rruPerHook: sum(dynamoCalls.filter((c) => c.kind === 'read').map((c) => c.units ?? 0)) / count,
    wruPerHook: sum(dynamoCalls.filter((c) => c.kind === 'write').map((c) => c.units ?? 0)) / count,
  };
  const ops = [...new Set(sqsCalls.map((c) => c.op))].join(', ');
  const row: Row = {
    id: '1',
    title: 'Webhook handler in process; SQS calls per webhook',
    measured: `p50 ${ms(handler.p50)}, p99 ${ms(handler.p99)}; ${sqsPerHook.toFixed(2)} SQS call/webhook`,
    target: '≤ 1 SQS call per webhook',
    pass: sqsPerHook <= 1,
    method:
      `${count} Issue Hook deliveries (a body the GitLab stand-in sent, fresh Idempotency-Key each) passed to ` +
      `the gitlab-webhook middy handler in process after ${WARM_UP} warm-up calls, over DynamoDB and fauxqs ` +
      'through the counting taps; nothing consumed the queue meanwhile.',
    details: [
      `handler time: p50 ${ms(handler.p50)}, p99 ${ms(handler.p99)}, mean ${ms(handler.mean)}, max ${ms(handler.max)}; of which waiting on the local DynamoDB + SQS emulators: p50 ${ms(awsWaitP50)}`,
      `SQS calls per webhook: ${sqsPerHook.toFixed(2)} (${ops || 'none'}); per repeated delivery (same Idempotency-Key): ${sqsPerDuplicate.toFixed(2)}`,
      `DynamoDB per webhook: ${dynamo.callsPerHook.toFixed(2)} calls (delivery-key GetItem + PutItem), ${dynamo.rruPerHook.toFixed(2)} RRU, ${dynamo.wruPerHook.toFixed(2)} WRU`,
    ],
  };
  return { row, handler, awsWaitP50, sqsPerHook, sqsPerDuplicate, dynamo };
}

/** An API Gateway HTTP API (payload 2.0) event carrying a recorded delivery under a chosen Idempotency-Key. */
function eventOf(delivery: GitLabDelivery, idempotencyKey: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) headers[name.toLowerCase()] = value;
  headers['idempotency-key'] = idempotencyKey;
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/gitlab',
    rawPath: '/webhooks/gitlab',
    rawQueryString: '',
    headers,
    isBase64Encoded: false,
    body: JSON.stringify(delivery.body),
    requestContext: { http: { method: 'POST', path: '/webhooks/gitlab' } },
  } as unknown as APIGatewayProxyEventV2;
}

function lambdaContext(): Context {
  return { functionName: 'gitlab-webhook', awsRequestId: randomUUID() } as unknown as Context;
}

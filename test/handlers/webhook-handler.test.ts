import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSyncConfig } from '../../lib/config/sync-config.js';
import { createWebhookHandler } from '../../lib/handlers/webhook-handler.js';
import { buildRuntime, type Runtime } from '../../lib/runtime/build-runtime.js';
import { freshAws } from '../helpers/aws.js';
import { contractExample } from '../helpers/config.js';
import { issueHook, noteHook } from '../helpers/hooks.js';

const SECRET = 'a-long-random-string';

describe('gitlab-webhook handler over DynamoDB Local and fauxqs', () => {
  let handler: ReturnType<typeof createWebhookHandler>;
  let runtime: Runtime;
  let aws: Awaited<ReturnType<typeof freshAws>>;
  beforeAll(async () => {
    aws = await freshAws();
    const config = parseSyncConfig(contractExample());
    runtime = await buildRuntime({
      env: {
        TABLE_NAME: aws.table,
        QUEUE_URL: aws.queueUrl,
        SYNC_CONFIG: '-',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamo,
        AWS_ENDPOINT_URL_SQS: aws.endpoints.sqs,
      },
      config: {
        ...config,
        spira: { ...config.spira, apiKey: 'k' },
        gitlab: { ...config.gitlab, token: 't', webhookSecret: SECRET },
      },
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    handler = createWebhookHandler(async () => runtime);
  });

  const post = async (headers: Record<string, string>, body: string) =>
    (await handler(event(headers, body), {} as Context)) as APIGatewayProxyStructuredResultV2;
  const hook = (event: string, key?: string) => ({
    'x-gitlab-token': SECRET,
    'x-gitlab-event': event,
    ...(key ? { 'idempotency-key': key } : {}),
  });
  const drainQueue = async () => {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return Messages;
  };

  it('answers 401 to a wrong or missing token and queues nothing', async () => {
    expect((await post({ 'x-gitlab-event': 'Issue Hook' }, issueHook())).statusCode).toBe(401);
    expect(
      (await post({ ...hook('Issue Hook'), 'x-gitlab-token': `${SECRET}x` }, issueHook())).statusCode,
    ).toBe(401);
    expect(await drainQueue()).toEqual([]);
  });

  it('queues a recognised event once per Idempotency-Key, in its item group', async () => {
    const first = await post(hook('Issue Hook', 'k-1'), issueHook({ iid: 7 }));
    const again = await post(hook('Issue Hook', 'k-1'), issueHook({ iid: 7 }));
    const note = await post(hook('Note Hook', 'k-2'), noteHook({ iid: 7 }));

    expect([first.statusCode, again.statusCode, note.statusCode]).toEqual([202, 200, 202]);
    expect(JSON.parse(again.body ?? '{}')).toEqual({ duplicate: true });
    const messages = await drainQueue();
    expect(messages.map((m) => JSON.parse(m.Body ?? '{}').kind).sort()).toEqual(['gitlab.issue']);
    // fauxqs hands out one message per group per receive: the note waits behind its issue.
  });

  it('accepts an Idempotency-Key of any length', async () => {
    const key = 'k'.repeat(5_000);
    expect((await post(hook('Issue Hook', key), issueHook({ iid: 10 }))).statusCode).toBe(202);
    expect((await post(hook('Issue Hook', key), issueHook({ iid: 10 }))).statusCode).toBe(200);
  });

  it('dedupes on a hash of the body when Idempotency-Key is missing', async () => {
    const body = issueHook({ iid: 8 });
    expect((await post(hook('Issue Hook'), body)).statusCode).toBe(202);
    expect((await post(hook('Issue Hook'), body)).statusCode).toBe(200);
  });

  it('answers 2xx and queues nothing for events that are not for us', async () => {
    const answers = await Promise.all([
      post(hook('Push Hook'), '{}'),
      post(hook('Issue Hook'), issueHook({ objectKind: 'work_item' })),
      post(hook('Issue Hook'), issueHook({ project: 'other/project' })),
      post(hook('Note Hook'), noteHook({ noteableType: 'MergeRequest' })),
      post(hook('Note Hook'), noteHook({ system: true })),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => Object.keys(JSON.parse(a.body ?? '{}'))[0])).toEqual([
      'ignored',
      'ignored',
      'ignored',
      'ignored',
      'ignored',
    ]);
  });

  it('answers 400 naming the field for malformed events, 413 over 10 MiB', async () => {
    const notJson = await post(hook('Issue Hook'), '{"object_kind":');
    const badField = await post(hook('Issue Hook'), issueHook({ iid: 'seven' as never }));
    const badDate = await post(hook('Issue Hook'), issueHook({ updatedAt: 'yesterday' }));
    const huge = await post(hook('Issue Hook'), 'x'.repeat(10 * 1024 * 1024 + 1));

    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(badField.body ?? '{}').problems).toEqual([
      expect.stringMatching(/^object_attributes\.iid: /),
    ]);
    expect(JSON.parse(badDate.body ?? '{}').problems).toEqual([
      expect.stringMatching(/^object_attributes\.updated_at: not a GitLab timestamp/),
    ]);
    expect(huge.statusCode).toBe(413);
  });

  it('answers 400 naming the field for an iid of 0 or below, and queues nothing', async () => {
    const zero = await post(hook('Issue Hook', 'k-iid-0'), issueHook({ iid: 0 }));
    const negative = await post(hook('Note Hook', 'k-iid-neg'), noteHook({ iid: -3 }));

    expect([zero.statusCode, negative.statusCode]).toEqual([400, 400]);
    expect(JSON.parse(zero.body ?? '{}').problems).toEqual([
      expect.stringMatching(/^object_attributes\.iid: .*>0/),
    ]);
    expect(JSON.parse(negative.body ?? '{}').problems).toEqual([expect.stringMatching(/^issue\.iid: .*>0/)]);
    const iids = (await drainQueue()).map((m) => JSON.parse(m.Body ?? '{}').iid as number);
    expect(iids.filter((iid) => iid <= 0)).toEqual([]);
  });

  it('accepts a 1 MB description and queues a message far below the SQS limit', async () => {
    const answer = await post(
      hook('Issue Hook', 'k-big'),
      issueHook({ iid: 9, description: 'd'.repeat(1_048_576) }),
    );
    expect(answer.statusCode).toBe(202);
    const sizes = (await drainQueue()).map((m) => Buffer.byteLength(m.Body ?? ''));
    expect(Math.max(...sizes)).toBeLessThan(1_024);
  });
});

function event(headers: Record<string, string>, body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/gitlab',
    rawPath: '/webhooks/gitlab',
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

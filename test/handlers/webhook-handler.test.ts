import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSyncConfig } from '../../lib/config/sync-config.js';
import { createWebhookHandler } from '../../lib/handlers/webhook-handler.js';
import { buildRuntime, type Runtime } from '../../lib/runtime/build-runtime.js';
import { freshAws } from '../helpers/aws.js';
import { contractExample } from '../helpers/config.js';
import { issueHook, milestoneHook, noteHook } from '../helpers/hooks.js';

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

  // biome-ignore lint/suspicious/noExplicitAny: edits of a JSON body in any place, the way GitLab may send it
  const change = (body: string, edit: (json: Record<string, any>) => void) => {
    const json = JSON.parse(body);
    edit(json);
    return JSON.stringify(json);
  };
  const reason = (a: APIGatewayProxyStructuredResultV2) => JSON.parse(a.body ?? '{}');

  it('answers 2xx and queues nothing for events that are not for us', async () => {
    await drainQueue(); // what the tests above queued
    const answers = await Promise.all([
      post(hook('Push Hook'), '{}'),
      post(hook('Issue Hook'), issueHook({ objectKind: 'work_item', type: 'Task' })),
      post(hook('Issue Hook'), issueHook({ type: 'Incident' })),
      post(hook('Issue Hook'), issueHook({ project: 'other/project' })),
      post(hook('Note Hook'), noteHook({ noteableType: 'MergeRequest' })),
      post(hook('Note Hook'), noteHook({ system: true })),
      post(
        hook('Milestone Hook'),
        change(milestoneHook(), (j) => (j.project = null)),
      ),
      post(hook('Issue Hook'), '[1, 2]'),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => Object.keys(reason(a))[0])).toEqual(Array(8).fill('ignored'));
    expect(reason(answers[6] as APIGatewayProxyStructuredResultV2).ignored).toMatch(/project: null/);
    expect(await drainQueue()).toEqual([]);
  });

  it('queues a GitLab 17.7 work item of type Issue as an issue (audit #3, gitlab-api.md §0a.1)', async () => {
    const body = issueHook({ iid: 11, objectKind: 'work_item', type: 'Issue' });
    const answer = await post(
      hook('Issue Hook', 'k-work-item'),
      change(body, (j) => (j.event_type = 'work_item')),
    );
    expect([answer.statusCode, reason(answer)]).toEqual([202, { queued: 'gitlab.issue' }]);
    expect((await drainQueue()).map((m) => JSON.parse(m.Body ?? '{}').iid)).toEqual([11]);
  });

  it('queues events whose unread fields are missing or carry values GitLab may add later (audit #10)', async () => {
    const issue = change(issueHook({ iid: 12 }), (j) => {
      delete j.user;
      delete j.object_attributes.title;
      delete j.object_attributes.created_at;
      j.event_type = 'issue_v2';
      j.object_attributes.state = 'locked';
      j.object_attributes.action = 'archive';
    });
    const note = change(noteHook({ iid: 12 }), (j) => {
      delete j.user;
      delete j.issue.title;
      delete j.object_attributes.created_at;
      j.object_attributes.action = 'resolve';
    });
    const milestone = change(milestoneHook(), (j) => {
      j.action = 'delete';
      j.object_attributes.state = 'upcoming';
      delete j.object_attributes.title;
    });
    const answers = [
      await post(hook('Issue Hook', 'k-open-1'), issue),
      await post(hook('Note Hook', 'k-open-2'), note),
      await post(hook('Milestone Hook', 'k-open-3'), milestone),
    ];
    expect(answers.map((a) => [a.statusCode, reason(a).queued])).toEqual([
      [202, 'gitlab.issue'],
      [202, 'gitlab.note'],
      [202, 'gitlab.milestone'],
    ]);
    await drainQueue();
  });

  it('answers 400 only to a body that is not JSON, 413 over 10 MiB', async () => {
    const notJson = await post(hook('Issue Hook'), '{"object_kind":');
    const huge = await post(hook('Issue Hook'), 'x'.repeat(10 * 1024 * 1024 + 1));
    expect([notJson.statusCode, huge.statusCode]).toEqual([400, 413]);
    expect(reason(notJson).error).toBe('body is not JSON');
  });

  it('answers 2xx to an unusable event for our project, queues nothing, and records the field (CONTRACT §3)', async () => {
    const badField = await post(hook('Issue Hook', 'k-bad-1'), issueHook({ iid: 'seven' as never }));
    const badDate = await post(hook('Issue Hook', 'k-bad-2'), issueHook({ iid: 13, updatedAt: 'yesterday' }));
    const zero = await post(hook('Issue Hook', 'k-iid-0'), issueHook({ iid: 0 }));
    const negative = await post(hook('Note Hook', 'k-iid-neg'), noteHook({ iid: -3 }));

    expect([badField, badDate, zero, negative].map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    expect(reason(badField).problems).toEqual([expect.stringMatching(/^object_attributes\.iid: /)]);
    expect(reason(badDate).problems).toEqual([
      expect.stringMatching(/^object_attributes\.updated_at: not a GitLab timestamp/),
    ]);
    expect(reason(zero).problems).toEqual([expect.stringMatching(/^object_attributes\.iid: .*>0/)]);
    expect(reason(negative).problems).toEqual([expect.stringMatching(/^issue\.iid: .*>0/)]);
    expect(await drainQueue()).toEqual([]);
    // Recorded where `audit` (the item's history) and `status` (the project's activity) look.
    const history = await runtime.sync.audit.history('gl-issue#14#13');
    expect(history).toEqual([
      expect.objectContaining({
        kind: 'webhook',
        action: 'unusable',
        detail: expect.stringMatching(/updated_at: not a GitLab timestamp/),
      }),
    ]);
    const recent = await runtime.sync.audit.recent(1);
    expect(recent.filter((e) => e.action === 'unusable')).toHaveLength(4);
    expect((await runtime.sync.audit.history('gl-project#14')).map((e) => e.detail)).toEqual([
      expect.stringMatching(/object_attributes\.iid/),
      expect.stringMatching(/object_attributes\.iid/),
      expect.stringMatching(/issue\.iid/),
    ]);
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

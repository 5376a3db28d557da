import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { type CliHarness, startCliHarness } from './cli-harness.js';

const CLOSED = 5;

describe('replay', () => {
  let h: CliHarness;
  let incidentId: number;
  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  beforeAll(async () => {
    h = await startCliHarness();
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Close me',
    });
    await h.settle();
    incidentId = h.spira.incidents(pid()).find((i) => i.Name === 'Close me')?.IncidentId as number;
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), false);
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
  });
  afterAll(async () => h?.stop());

  it('lists parked messages with their reason when given no ids', async () => {
    const { code, out } = await h.cli(['replay']);

    expect(code).toBe(0);
    expect(out).toMatch(/message\s+parked at\s+error\s+reason/);
    expect(out).toMatch(/StatusNotAppliedError\s+Spira kept incident \d+ in status/);
    expect(out).toMatch(/replay --all/);
  });

  it('refuses an unknown message id', async () => {
    const { code, err } = await h.cli(['replay', 'no-such-message']);

    expect(code).toBe(1);
    expect(err).toMatch(/no parked message no-such-message/);
  });

  it('queues parked messages again once the cause is fixed, and they apply', async () => {
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), true);

    const { code, out } = await h.cli(['replay', '--all']);
    await h.settle();

    expect(code).toBe(0);
    expect(out).toMatch(/^✓ .*: queued again \(gitlab\.issue, gl-issue#\d+#1\)/m);
    expect(h.spira.incident(pid(), incidentId)?.IncidentStatusId).toBe(CLOSED);
    expect((await h.cli(['replay'])).out).toMatch(/^No parked messages\./);
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#1`);
    expect(history.map((e) => e.action)).toEqual(expect.arrayContaining(['replayed', 'updated']));
  });

  it('moves dead letters back to the queue with --dlq, where the worker takes them up', async () => {
    const { sqs } = createAwsClients(h.local.runtime.env);
    const dlq = h.local.runtime.env.QUEUE_URL.replace(/\.fifo$/, '-dlq.fifo');
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Dead letter',
    });
    await h.settle();
    const key = `gl-issue#${gpid()}#${issue.iid}`;
    const before = await h.local.runtime.sync.audit.history(key);
    const command = {
      v: 1,
      kind: 'gitlab.issue',
      spiraProjectId: pid(),
      gitlabProjectId: gpid(),
      iid: issue.iid,
      eventAt: new Date().toISOString(),
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: JSON.stringify(command),
        MessageGroupId: 'g',
        MessageDeduplicationId: 'dead-1',
      }),
    );

    const listed = await h.cli(['replay']);
    const { code, out } = await h.cli(['replay', '--dlq']);
    await h.settle();
    const after = await h.cli(['replay']);

    expect(listed.out).toMatch(/Dead-letter queue: 1 message\(s\)/);
    expect(code).toBe(0);
    expect(out).toMatch(/^✓ 1 dead letter\(s\) moved back to the queue/m);
    expect(after.out).toMatch(/Dead-letter queue: 0 message\(s\)/);
    const history = await h.local.runtime.sync.audit.history(key);
    expect(history.slice(before.length).map((e) => `${e.kind} ${e.action}`)).toEqual([
      'gitlab.issue skipped',
    ]);
  });
});

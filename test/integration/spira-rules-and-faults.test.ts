import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../lib/handlers/worker-handler.js';
import type { FaultPoint } from '../../lib/ports/sync-ports.js';
import { type Harness, recordingLog, startHarness } from '../helpers/sync-harness.js';

const CLOSED = 5;

describe("Spira's API rules", () => {
  let h: Harness;
  const recorded = recordingLog();
  let raceOnce: (() => void) | undefined;
  let afterWrite: { id: number; armed: boolean; run: () => void } | undefined;
  let afterCreate: { armed: boolean; run: (id: number) => void } | undefined;
  beforeAll(async () => {
    h = await startHarness({
      log: recorded.log,
      spira: {
        intercept: (req) => {
          // A person changes a new incident between our create and our read-back of it.
          const created = /\/incidents\/(\d+)$/.exec(req.path);
          if (req.method === 'GET' && afterCreate?.armed && created) {
            const race = afterCreate;
            afterCreate = undefined;
            race.run(Number(created[1]));
          }
          if (req.method === 'POST' && afterCreate && /\/incidents$/.test(req.path)) afterCreate.armed = true;
          // A person changes the incident between our write and our read-back of it.
          if (req.method === 'GET' && afterWrite && req.path.endsWith(`/incidents/${afterWrite.id}`)) {
            const race = afterWrite;
            if (race.armed) {
              afterWrite = undefined;
              race.run();
            }
          }
          if (req.method === 'PUT' && afterWrite && req.path.endsWith(`/incidents/${afterWrite.id}`))
            afterWrite.armed = true;
          // A person saves the incident between our GET and our PUT: the PUT must get Spira's 409.
          if (req.method === 'PUT' && raceOnce) {
            const race = raceOnce;
            raceOnce = undefined;
            race();
          }
          return undefined;
        },
      },
    });
  });
  afterAll(async () => h?.stop());
  const gpid = () => h.world.gitlabProjectId;
  const pid = () => h.world.spiraProjectId;

  it('re-reads and re-applies after a 409, keeping the other writer’s change', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'Racy' });
    await h.settle();
    const id = h.spira.incidents(pid()).find((i) => i.Name === 'Racy')?.IncidentId as number;
    raceOnce = () => h.spira.updateIncident(pid(), id, h.world.spira.amy, { PriorityId: 2 });

    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { title: 'Racy 2' });
    await h.settle();

    expect(h.spira.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([409, 200]);
    expect(h.spira.incident(pid(), id)).toMatchObject({ Name: 'Racy 2', PriorityId: 2 });
  });

  it('does not blame Status Bulk Edit when a person set the old status again right after our write', async () => {
    await h.local.pollNow(); // the first poll only records Spira's clock
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Reopened at once',
    });
    await h.settle();
    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'Reopened at once');
    const open = incident?.IncidentStatusId as number;
    afterWrite = {
      id: incident?.IncidentId as number,
      armed: false,
      run: () =>
        h.spira.updateIncident(pid(), incident?.IncidentId as number, h.world.spira.amy, {
          IncidentStatusId: open,
        }),
    };
    const parkedBefore = recorded.lines.filter((l) => l.message === 'parked').length;
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    expect(afterWrite).toBeUndefined();
    expect(recorded.lines.filter((l) => l.message === 'parked')).toHaveLength(parkedBefore);
    // Amy's reopen came after our close: it is the later change, and it reaches GitLab.
    expect(h.spira.incident(pid(), incident?.IncidentId as number)?.IncidentStatusId).toBe(open);
    expect(h.gitlab.issue(gpid(), issue.iid)?.state).toBe('opened');
  });

  it('does not blame Status Bulk Edit when a person changed a new incident’s status before our read-back', async () => {
    await h.local.pollNow(); // the first poll only records Spira's clock
    afterCreate = {
      armed: false,
      run: (id) => h.spira.updateIncident(pid(), id, h.world.spira.amy, { IncidentStatusId: CLOSED }),
    };
    const parkedBefore = recorded.lines.filter((l) => l.message === 'parked').length;
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Closed at once in Spira',
    });
    await h.settle();
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    expect(afterCreate).toBeUndefined();
    expect(recorded.lines.filter((l) => l.message === 'parked')).toHaveLength(parkedBefore);
    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'Closed at once in Spira');
    expect(incident?.IncidentStatusId).toBe(CLOSED);
    expect(h.gitlab.issue(gpid(), issue.iid)?.state).toBe('closed');
  });

  it('parks a status change that Spira ignored (Status Bulk Edit off) with a clear error', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'No bulk edit',
    });
    await h.settle();
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), false);
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), true);

    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'No bulk edit');
    expect(incident?.IncidentStatusId).not.toBe(CLOSED);
    const parked = recorded.lines.filter((l) => l.message === 'parked').map((l) => String(l.extra?.error));
    expect(parked).toEqual([expect.stringMatching(/StatusNotAppliedError: .*Status Bulk Edit/)]);
  });
});

describe('a worker that crashes between its steps never duplicates', () => {
  let h: Harness;
  const crashes: string[] = [];
  let crashAt: { point: FaultPoint; match: string } | undefined;
  beforeAll(async () => {
    h = await startHarness({
      fault: (point, key) => {
        if (crashAt && point === crashAt.point && key.includes(crashAt.match)) {
          crashes.push(`${point} ${key}`);
          crashAt = undefined;
          throw new Error(`injected crash ${point}`);
        }
      },
    });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  it.each(['after-claim', 'after-create', 'after-complete', 'after-fingerprint'] as const)(
    'GitLab issue and note at %s: one incident, one comment',
    async (point) => {
      const gpid = h.world.gitlabProjectId;
      const title = `Crash ${point}`;
      crashAt = { point, match: 'gl-issue#' };
      const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, { title });
      await h.settle();
      crashAt = { point: point === 'after-fingerprint' ? 'after-complete' : point, match: 'gl-note#' };
      await h.gitlabAs('joe', 'POST', `projects/${gpid}/issues/${issue.iid}/notes`, {
        body: `note ${point}`,
      });
      await h.settle();

      const incidents = h.spira.incidents(h.world.spiraProjectId).filter((i) => i.Name === title);
      expect(incidents).toHaveLength(1);
      expect(h.spira.comments(h.world.spiraProjectId, incidents[0]?.IncidentId as number)).toHaveLength(1);
      expect(
        crashes.filter((c) => c.startsWith(point === 'after-fingerprint' ? 'after' : point)),
      ).not.toHaveLength(0);
    },
  );

  it.each(['after-claim', 'after-create', 'after-complete'] as const)(
    'Spira incident and comment at %s: one issue, one note',
    async (point) => {
      const pid = h.world.spiraProjectId;
      const name = `Spira crash ${point}`;
      const incident = h.spira.createIncident(pid, h.world.spira.amy, { Name: name });
      h.spira.addComment(pid, incident.IncidentId, h.world.spira.amy, `<p>c ${point}</p>`);
      crashAt = { point, match: `sp-incident#${pid}#${incident.IncidentId}` };
      for (let i = 0; i < 2; i++) {
        h.spira.advanceClock(1000);
        await h.local.pollNow();
        await h.settle();
      }
      crashAt = { point, match: 'sp-comment#' };
      h.spira.advanceClock(1000);
      await h.local.pollNow();
      await h.settle();

      const issues = h.gitlab.issues(h.world.gitlabProjectId).filter((i) => i.title === name);
      expect(issues).toHaveLength(1);
      expect(
        h.gitlab.notes(h.world.gitlabProjectId, issues[0]?.iid as number).filter((n) => !n.system),
      ).toHaveLength(1);
    },
  );
});

describe('sync-worker handler with a crafted SQS batch', () => {
  let h: Harness;
  // The issue whose claim fails once (groups of a batch run side by side, so the fault names its item).
  let failKey: string | undefined;
  let waitFor: ((key: string) => Promise<void>) | undefined;
  beforeAll(async () => {
    // No webhook: only the crafted batch below touches these issues (FIFO never runs one group twice at once).
    h = await startHarness({
      noHook: true,
      fault: async (point, key) => {
        if (point === 'after-complete') await waitFor?.(key);
        if (failKey && point === 'after-claim' && key === failKey) {
          failKey = undefined;
          throw new Error('transient');
        }
      },
    });
  });
  afterAll(async () => h?.stop());

  it('reports the failed record and the rest of its group, parks the bad one, applies the others', async () => {
    const gpid = h.world.gitlabProjectId;
    const [a, b] = await Promise.all(
      ['Batch A', 'Batch B'].map(
        async (title) => (await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, { title })).json,
      ),
    );
    const command = (iid: number) =>
      JSON.stringify({
        v: 1,
        kind: 'gitlab.issue',
        spiraProjectId: h.world.spiraProjectId,
        gitlabProjectId: gpid,
        iid,
        eventAt: '2026-11-25T01:00:00Z',
      });
    const record = (id: string, group: string, body: string) => ({
      messageId: id,
      receiptHandle: `r-${id}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: group,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
      awsRegion: 'us-east-1',
    });
    failKey = `gl-issue#${gpid}#${a.iid}`;
    const batch = {
      Records: [
        record('bad', 'g0', '{"v":1,"kind":"gitlab.issue"}'),
        record('a1', 'gA', command(a.iid)),
        record('a2', 'gA', command(a.iid)),
        record('b1', 'gB', command(b.iid)),
      ],
    } as SQSEvent;

    // The receipts are made up, so visibility changes are recorded here instead of sent to the queue.
    const held: [string, number][] = [];
    const { sync } = h.local.runtime;
    const queue = {
      ...sync.queue,
      retryLater: async (receipt: string, s: number) => void held.push([receipt, s]),
    };
    const handler = createWorkerHandler(async () => ({ ...h.local.runtime, sync: { ...sync, queue } }));
    const response = await handler(batch, { getRemainingTimeInMillis: () => 60_000 } as Context);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a1', 'a2']);
    // a2 was not tried: it comes back with a1 instead of after the whole visibility timeout.
    expect(held).toHaveLength(2);
    expect(held.map(([receipt]) => receipt).sort()).toEqual(['r-a1', 'r-a2']);
    expect(held[0]?.[1]).toBe(held[1]?.[1]);
    const names = h.spira.incidents(h.world.spiraProjectId).map((i) => i.Name);
    expect(names).toContain('Batch B');
    expect(names).not.toContain('Batch A');
  });

  it('runs the message groups of one batch side by side', async () => {
    const gpid = h.world.gitlabProjectId;
    const [a, b] = await Promise.all(
      ['Side A', 'Side B'].map(
        async (title) => (await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, { title })).json,
      ),
    );
    let releaseA: () => void = () => {};
    const bDone = new Promise<void>((ok) => {
      releaseA = ok;
    });
    // Group A waits until group B has created its incident: a one-group-at-a-time worker would never finish.
    waitFor = async (key) => {
      if (key.endsWith(`#${a.iid}`)) await bDone;
      if (key.endsWith(`#${b.iid}`)) releaseA();
    };
    const body = (iid: number) =>
      JSON.stringify({
        v: 1,
        kind: 'gitlab.issue',
        spiraProjectId: h.world.spiraProjectId,
        gitlabProjectId: gpid,
        iid,
        eventAt: '2026-11-25T01:00:00Z',
      });
    const record = (id: string, group: string, iid: number) =>
      ({
        messageId: id,
        receiptHandle: `r-${id}`,
        body: body(iid),
        attributes: { ApproximateReceiveCount: '1', MessageGroupId: group },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
        awsRegion: 'us-east-1',
      }) as unknown as SQSEvent['Records'][number];

    const handler = createWorkerHandler(async () => h.local.runtime);
    const response = await handler({ Records: [record('sa', 'gSA', a.iid), record('sb', 'gSB', b.iid)] }, {
      getRemainingTimeInMillis: () => 60_000,
    } as Context);
    waitFor = undefined;

    expect(response.batchItemFailures).toEqual([]);
    expect(h.spira.incidents(h.world.spiraProjectId).map((i) => i.Name)).toEqual(
      expect.arrayContaining(['Side A', 'Side B']),
    );
  }, 15_000);
});

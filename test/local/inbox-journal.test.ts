import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { runCli } from '../../lib/cli/main.js';
import { type DemoWorld, hookUp, seedDemo } from '../../lib/local/demo.js';
import { announceLocalRuntime } from '../../lib/local/local-endpoints.js';
import { startLocalRuntime } from '../../lib/local/local-runtime.js';
import { runtimeStatusSources } from '../../lib/local/status-page.js';

/**
 * The inbox journal's restart path, in process: a command applied just before a kill (journal entry not yet
 * deleted) is sent again on the next start and must not be applied twice. Each runtime gets a fresh fauxqs,
 * as a restarted `npm start` does (the shared test fauxqs would drop the re-send as a duplicate).
 */
describe('inbox journal: a command applied before a kill and sent again after the restart', () => {
  let gitlab: GitLabStandIn;
  let spira: SpiraStandIn;
  let world: DemoWorld;
  const name = `j${randomUUID().slice(0, 8)}`;
  const db = () =>
    createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') }).db;
  const journal = async () =>
    ((await db().send(new ScanCommand({ TableName: `${name}-inbox`, ConsistentRead: true }))).Items ??
      []) as Record<string, unknown>[];

  beforeAll(async () => {
    [gitlab, spira] = await Promise.all([GitLabStandIn.start(), SpiraStandIn.start()]);
    world = await seedDemo(spira, gitlab);
  });
  afterAll(async () => {
    await Promise.all([gitlab?.stop(), spira?.stop()]);
  });

  const start = (fault?: () => Promise<void>) =>
    startLocalRuntime({
      config: world.config,
      port: 0,
      dynamoEndpoint: inject('dynamoEndpoint'),
      journal: true,
      pollIntervalMs: 0,
      name,
      ...(fault ? { fault: async (point: string) => (point === 'before-ack' ? fault() : undefined) } : {}),
    });

  it('is applied once: the link makes the second apply a skip', async () => {
    let inFlight: Record<string, unknown>[] = [];
    // While the worker handles the message, its journal entry is still there (deleted only after the ack).
    const first = await start(async () => {
      inFlight = await journal();
    });
    hookUp(gitlab, world, first.url);
    await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
      method: 'POST',
      headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Applied before the kill' }),
    });
    await gitlab.settle();
    await first.drained();
    expect(inFlight).toHaveLength(1);
    expect(await journal()).toEqual([]);
    await first.stop();
    // The kill came after the apply and before the journal delete: the entry is still there.
    for (const entry of inFlight)
      await db().send(new PutCommand({ TableName: `${name}-inbox`, Item: entry }));

    const second = await start();
    try {
      await second.drained();
      const incidents = spira
        .incidents(world.spiraProjectId)
        .filter((i) => i.Name === 'Applied before the kill');
      expect(incidents).toHaveLength(1);
      expect(await journal()).toEqual([]);
      expect(second.queue.stats.records).toBe(1);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('keeps dead-lettering: an entry that had used up its receives goes back into the dead-letter queue', async () => {
    const command = {
      kind: 'gitlab.issue',
      spiraProjectId: world.spiraProjectId,
      gitlabProjectId: world.gitlabProjectId,
      iid: 999,
    };
    await db().send(
      new PutCommand({
        TableName: `${name}-inbox`,
        Item: {
          pk: 'dead-one',
          seq: '000000000000001-000000',
          body: JSON.stringify(command),
          group: 'g',
          receives: 12,
        },
      }),
    );
    const runtime = await start();
    try {
      const depths = await runtimeStatusSources(runtime.runtime).queueDepths();
      expect(depths.queue).toMatchObject({ waiting: 0, inFlight: 0 });
      expect(depths.dlq).toMatchObject({ waiting: 1 });
      expect(runtime.queue.stats.records).toBe(0);
      expect((await journal()).map((e) => e.pk)).toEqual(['dead-one']);
    } finally {
      await runtime.stop();
    }
  }, 60_000);

  it('replay from the CLI journals what it queues again', async () => {
    const created = await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
      method: 'POST',
      headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Parked, then replayed' }),
    });
    const { iid } = (await created.json()) as { iid: number };
    const runtime = await startLocalRuntime({
      config: world.config,
      port: 0,
      dynamoEndpoint: inject('dynamoEndpoint'),
      journal: true,
      pollIntervalMs: 0,
      name,
      workerDelayMs: 2_000,
    });
    const dir = await mkdtemp(join(tmpdir(), 'journal-replay-'));
    try {
      const command = {
        v: 1,
        eventAt: new Date().toISOString(),
        kind: 'gitlab.issue',
        spiraProjectId: world.spiraProjectId,
        gitlabProjectId: world.gitlabProjectId,
        iid,
      };
      await runtime.runtime.sync.parking.park({
        messageId: 'parked-1',
        body: JSON.stringify(command),
        reason: 'test',
        errorName: 'Error',
      });
      await writeFile(join(dir, 'sync-config.json'), JSON.stringify(world.config));
      await announceLocalRuntime(dir, runtime);
      const before = (await journal()).length;
      let out = '';
      const code = await runCli(['replay', 'parked-1'], {
        out: (text) => {
          out += text;
        },
        err: (text) => {
          out += text;
        },
        env: { SYNC_DATA_DIR: dir, SYNC_CONFIG: join(dir, 'sync-config.json') },
        cwd: dir,
      });
      expect({ code, out }).toMatchObject({ code: 0, out: expect.stringMatching(/parked-1: queued again/) });
      expect((await journal()).length).toBe(before + 1); // journaled while the (slowed) worker has not taken it
      await runtime.drained();
      expect(
        spira.incidents(world.spiraProjectId).filter((i) => i.Name === 'Parked, then replayed'),
      ).toHaveLength(1);
      expect((await journal()).length).toBe(before);
    } finally {
      await runtime.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoWorld, hookUp, seedDemo } from '../../lib/local/demo.js';
import { freePort } from '../../lib/local/dynamo-emulator.js';
import { noneLeft, npmStart, stopRun, waitForHealth } from '../helpers/npm-start.js';

/**
 * Issue 12: every webhook answered 2xx survives a kill of the whole `npm start` (SIGKILL or SIGTERM of its
 * process group right after the last 2xx): after a restart on the same SYNC_DATA_DIR there is exactly one
 * Spira incident per acknowledged issue. The worker is slowed down (SYNC_TEST_WORKER_DELAY_MS, test only)
 * so that most of the commands are still queued when the kill comes.
 */
const ISSUES = 20;

describe.each(['SIGKILL', 'SIGTERM'] as const)('npm start killed with %s (process group)', (signal) => {
  let gitlab: GitLabStandIn;
  let spira: SpiraStandIn;
  let world: DemoWorld;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [gitlab, spira] = await Promise.all([GitLabStandIn.start(), SpiraStandIn.start()]);
    world = await seedDemo(spira, gitlab);
    dir = await mkdtemp(join(tmpdir(), `durable-${signal}-`));
    await writeFile(
      join(dir, 'sync-config.json'),
      JSON.stringify({ ...world.config, pollIntervalSeconds: 2 }),
    );
    const port = await freePort();
    hookUp(gitlab, world, `http://127.0.0.1:${port}`);
    env = {
      PORT: String(port),
      SYNC_CONFIG: join(dir, 'sync-config.json'),
      SYNC_DATA_DIR: join(dir, 'data'),
    };
  });
  afterAll(async () => {
    await Promise.all([gitlab?.stop(), spira?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const incidents = () => spira.incidents(world.spiraProjectId).filter((i) => i.Name?.startsWith('Durable '));
  const acknowledged = () =>
    gitlab.deliveries.filter(
      (d) =>
        d.event === 'Issue Hook' &&
        (d.body as { object_attributes?: { action?: string } }).object_attributes?.action === 'open' &&
        d.status !== undefined &&
        d.status >= 200 &&
        d.status < 300,
    ).length;

  it(`loses and duplicates nothing acknowledged (${ISSUES} webhooks)`, async () => {
    const first = npmStart({ ...env, SYNC_TEST_WORKER_DELAY_MS: '1000' });
    expect((await waitForHealth(first)).status).toBe(200);
    for (let n = 1; n <= ISSUES; n++) {
      const response = await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
        method: 'POST',
        headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Durable ${n}` }),
      });
      expect(response.status).toBe(201);
    }
    const deadline = Date.now() + 20_000;
    while (acknowledged() < ISSUES && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 5));
    process.kill(-first.pid, signal);
    const atKill = incidents().length;
    expect(acknowledged()).toBe(ISSUES);
    await first.exited;
    const atExit = incidents().length;
    // Nothing of the first run is left (the DynamoDB Local JVM's watchdog stops it after a SIGKILL too).
    await noneLeft(env.SYNC_DATA_DIR as string, 10_000);
    expect(atKill, 'the slowed worker had not applied everything when the kill came').toBeLessThan(ISSUES);

    const restartedAt = Date.now();
    const second = npmStart(env);
    try {
      expect((await waitForHealth(second)).status).toBe(200);
      while (incidents().length < ISSUES && Date.now() - restartedAt < 90_000)
        await new Promise((ok) => setTimeout(ok, 50));
      const converged = (Date.now() - restartedAt) / 1000;
      // Let anything sent twice show up: the queue must be empty and stay so.
      for (let quiet = 0; quiet < 3; ) {
        const health = (await (await fetch(`${second.url}/health`)).json()) as { work: { waiting: number } };
        quiet = health.work.waiting === 0 ? quiet + 1 : 0;
        await new Promise((ok) => setTimeout(ok, 500));
      }
      const names = incidents().map((i) => i.Name);
      const lost = ISSUES - new Set(names).size;
      const duplicated = names.length - new Set(names).size;
      console.log(
        `durable queue, ${signal} of the process group: ${ISSUES} acknowledged, ${atKill} applied at the kill and ${atExit} when the first run had exited, lost ${lost}, duplicated ${duplicated}, converged ${converged.toFixed(1)} s after the restart`,
      );
      expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
      expect(names.sort()).toEqual(Array.from({ length: ISSUES }, (_, i) => `Durable ${i + 1}`).sort());
    } finally {
      await stopRun(second);
      await noneLeft(env.SYNC_DATA_DIR as string, 10_000);
    }
  }, 180_000);
});

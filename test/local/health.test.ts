import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/main.js';
import { seedDemo } from '../../lib/local/demo.js';
import { freePort } from '../../lib/local/dynamo-emulator.js';
import { HealthMonitor } from '../../lib/local/health.js';
import type { WorkerProgress } from '../../lib/local/queue-loop.js';
import { type NpmStart, noneLeft, npmStart, stopRun, waitForHealth } from '../helpers/npm-start.js';

describe('health of npm start when Spira refuses the poller (revoked API key)', () => {
  let gitlab: GitLabStandIn;
  let spira: SpiraStandIn;
  let dir: string;
  let run: NpmStart;
  let env: Record<string, string>;

  beforeAll(async () => {
    [gitlab, spira] = await Promise.all([GitLabStandIn.start(), SpiraStandIn.start()]);
    const world = await seedDemo(spira, gitlab);
    dir = await mkdtemp(join(tmpdir(), 'health-'));
    const config = {
      ...world.config,
      spira: { ...world.config.spira, apiKey: '{00000000-0000-0000-0000-000000000000}' },
      pollIntervalSeconds: 1,
    };
    await writeFile(join(dir, 'sync-config.json'), JSON.stringify(config));
    env = {
      PORT: String(await freePort()),
      SYNC_CONFIG: join(dir, 'sync-config.json'),
      SYNC_DATA_DIR: join(dir, 'data'),
    };
    run = npmStart(env);
    await waitForHealth(run);
  }, 90_000);
  afterAll(async () => {
    if (run) {
      await stopRun(run);
      await noneLeft(env.SYNC_DATA_DIR as string, 10_000);
    }
    await Promise.all([gitlab?.stop(), spira?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('GET /health answers 503 naming the poller, its failures in a row and the error', async () => {
    let response: Response | undefined;
    let body: { poll: { consecutiveFailures: number } } | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      response = await fetch(`${run.url}/health`);
      body = (await response.json()) as { poll: { consecutiveFailures: number } };
      if (response.status === 503 && body.poll.consecutiveFailures >= 3) break;
      await new Promise((ok) => setTimeout(ok, 250));
    }

    expect(response?.status).toBe(503);
    expect(body).toMatchObject({
      ok: false,
      poller: false,
      worker: true,
      poll: { lastPollOk: false, lastError: expect.stringMatching(/401|[Aa]uthenticat/) },
      problems: [
        expect.stringMatching(/^poller: no successful poll for \d+ s \(\d+ failed in a row; last error: /),
      ],
    });
    expect(body?.poll).not.toHaveProperty('lastSuccessAt');
  }, 40_000);

  it('status prints the same: health FAILING, last poll failed, failures in a row', async () => {
    let out = '';
    const code = await runCli(['status'], {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        out += text;
      },
      env: { SYNC_DATA_DIR: env.SYNC_DATA_DIR as string, SYNC_CONFIG: env.SYNC_CONFIG as string },
      cwd: dir,
    });

    expect(code).toBe(0);
    expect(out).toMatch(/^health +FAILING: poller: no successful poll/m);
    expect(out).toMatch(/^last poll +\S+ FAILED: .*(401|[Aa]uthenticat)/m);
    expect(out).toMatch(/^poll failures +\d+ in a row; last error: /m);
    expect(out).toMatch(/^worker +last progress none yet; 0 message\(s\) queued/m);
  });

  it('the status page shows it too', async () => {
    const html = await (await fetch(`${run.url}/`)).text();
    expect(html).toMatch(/<table data-testid="health">.*FAILING: poller/s);
  });
});

describe('HealthMonitor (the rules behind 503)', () => {
  const interval = 1_000;
  const setup = () => {
    let now = 1_000_000;
    let pending = 0;
    const stats: WorkerProgress = { batches: 0, records: 0, failures: 0 };
    const monitor = new HealthMonitor(
      { stats, inFlight: 0, pending: async () => pending },
      interval,
      () => now,
    );
    return {
      monitor,
      stats,
      at: (ms: number) => {
        now = 1_000_000 + ms;
      },
      waiting: (n: number) => {
        pending = n;
      },
      iso: () => new Date(now).toISOString(),
    };
  };

  it('an idle worker with an empty queue stays healthy; a polled-up poller too', async () => {
    const t = setup();
    t.at(2_500);
    t.monitor.pollSucceeded(0);
    t.at(5_000);
    expect(await t.monitor.report()).toMatchObject({ ok: true, worker: true, poller: true });
  });

  it('work waiting and nothing handled for 3 intervals: 503 naming the worker; progress heals it', async () => {
    const t = setup();
    t.monitor.pollSucceeded(1);
    t.at(500);
    await t.monitor.sample(); // empty at 0.5 s
    t.waiting(2);
    t.at(3_400);
    t.monitor.pollSucceeded(0);
    expect((await t.monitor.report()).worker).toBe(true); // waiting only 2.9 s
    t.at(3_600);
    const stuck = await t.monitor.report();
    expect(stuck).toMatchObject({ ok: false, worker: false, poller: true });
    expect(stuck.problems).toEqual([
      expect.stringMatching(/^worker: 2 message\(s\) waiting and none handled for 3 s/),
    ]);
    t.stats.lastProgressAt = t.iso();
    expect((await t.monitor.report()).ok).toBe(true);
  });

  it('no successful poll for 3 intervals: 503 naming the poller with its failures in a row', async () => {
    const t = setup();
    t.at(1_000);
    t.monitor.pollFailed(new Error('spira down'));
    t.at(2_000);
    t.monitor.pollFailed(new Error('spira down'));
    t.at(3_100);
    const report = await t.monitor.report();
    expect(report).toMatchObject({ ok: false, poller: false, poll: { consecutiveFailures: 2 } });
    expect(report.problems[0]).toBe(
      'poller: no successful poll for 3 s (2 failed in a row; last error: Error: spira down)',
    );
    t.monitor.pollSucceeded(0);
    expect(await t.monitor.report()).toMatchObject({
      ok: true,
      poll: { consecutiveFailures: 0, lastError: 'Error: spira down' },
    });
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { hookUp } from '../../lib/local/demo.js';
import type { FaultHook, FaultPoint, Log } from '../../lib/ports/sync-ports.js';
import { type Harness, startHarness } from '../helpers/sync-harness.js';
import { evaluate, queueDepth, type Snapshot, takeSnapshot, type Verdict } from './convergence.js';
import { type ApiFaultKind, ApiFaultProxy, HookFanout } from './fault-proxy.js';
import { People } from './people.js';
import { sleep, uniformOf } from './random.js';
import { diagnose, FAULT_POINTS, type LogLine } from './report.js';

/** How hard one run shakes the sync. */
export interface RunSettings {
  /** People act, faults on. */
  chaosMs: number;
  /** Faults off: how long the sync may take to settle before the checks run anyway. */
  calmMaxMs: number;
  /** Share of the sync's REST calls that fail while faults are on. */
  apiFaultRate: number;
  /** Chance of a worker crash at each fault point (the first time each point is reached always crashes). */
  crashRate: number;
  /** Copies of every webhook delivery. */
  copies: number;
}

export const DEFAULT_SETTINGS: RunSettings = {
  chaosMs: 30_000,
  calmMaxMs: 150_000,
  apiFaultRate: 0.2,
  crashRate: 0.15,
  copies: 3,
};

/** What one seed's run did and found. */
export interface RunResult {
  seed: number;
  startedAt: number;
  ms: { chaos: number; calm: number; total: number };
  people: { gitlab: number; spira: number; concurrent: number; failed: number };
  /** GitLab's deliveries, the copies sent to the sync, and deliveries GitLab saw fail. */
  hooks: { deliveries: number; copies: number; failed: number };
  api: Record<'gitlab' | 'spira', { calls: number; faults: Record<ApiFaultKind, number> }>;
  crashes: Record<FaultPoint, number>;
  hits: Record<FaultPoint, number>;
  retries: number;
  polls: { ok: number; failed: number };
  queue: Snapshot['queue'];
  parked: number;
  verdict: Verdict;
  /** Empty when nothing is wrong. */
  diagnosis: string;
  /** Full journal, problems, links and audit of the run, as JSON. */
  reportFile: string;
}

const zeroPoints = () => Object.fromEntries(FAULT_POINTS.map((p) => [p, 0])) as Record<FaultPoint, number>;

/** One seed: stand-ins behind faulty proxies, the local runtime, people, chaos, calm, checks. */
export async function runSeed(seed: number, settings: RunSettings = DEFAULT_SETTINGS): Promise<RunResult> {
  const startedAt = Date.now();
  const lines: LogLine[] = [];
  const at =
    (level: string): Log['info'] =>
    (message, extra) =>
      void lines.push({ at: Date.now(), level, message, ...(extra ? { extra } : {}) });
  const log: Log = { info: at('info'), warn: at('warn'), error: at('error') };

  let crashing = false;
  const hits = zeroPoints();
  const crashes = zeroPoints();
  const reached = new Map<string, number>();
  const fault: FaultHook = (point, key) => {
    hits[point]++;
    if (!crashing) return;
    const n = (reached.get(`${point}|${key}`) ?? 0) + 1;
    reached.set(`${point}|${key}`, n);
    if (crashes[point] === 0 || uniformOf(seed, `crash|${point}|${key}|${n}`) < settings.crashRate) {
      crashes[point]++;
      throw new Error(`injected crash at ${point} (${key})`);
    }
  };

  let gitlabProxy: ApiFaultProxy | undefined;
  let spiraProxy: ApiFaultProxy | undefined;
  let fanout: HookFanout | undefined;
  let h: Harness | undefined;
  try {
    h = await startHarness({
      noHook: true,
      log,
      fault,
      before: async (gitlab, spira, world) => {
        gitlabProxy = await ApiFaultProxy.start({
          side: 'gitlab',
          upstream: gitlab.baseUrl,
          seed,
          rate: settings.apiFaultRate,
          isSync: (headers) => headers['private-token'] === world.gitlab.syncbot.token,
        });
        spiraProxy = await ApiFaultProxy.start({
          side: 'spira',
          upstream: spira.baseUrl,
          seed,
          rate: settings.apiFaultRate,
          isSync: (headers) => headers.username === world.config.spira.username,
        });
      },
      configure: (config) => ({
        ...config,
        gitlab: { ...config.gitlab, baseUrl: (gitlabProxy as ApiFaultProxy).url },
        spira: { ...config.spira, baseUrl: (spiraProxy as ApiFaultProxy).url },
      }),
    });
    const harness = h;
    const gl = gitlabProxy as ApiFaultProxy;
    const sp = spiraProxy as ApiFaultProxy;
    const hooks = await HookFanout.start({
      seed,
      copies: settings.copies,
      maxDelayMs: 400,
      target: () => `${harness.local.url}/webhooks/gitlab`,
    });
    fanout = hooks;
    hookUp(harness.gitlab, harness.world, hooks.url);
    const aws = createAwsClients({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
    });
    await harness.local.pollNow(); // the first poll only records Spira's clock

    // ---- chaos: people on both sides, 20 % of API calls failing, crashes, every hook 3× -------------
    const people = new People(harness, seed, { minGapMs: 700, maxGapMs: 2_200, duoGapMs: [2_000, 4_000] });
    const polls = { ok: 0, failed: 0 };
    let chaosOver = false;
    const poller = (async () => {
      while (!chaosOver) {
        await harness.local.pollNow().then(
          () => polls.ok++,
          () => polls.failed++,
        );
        await sleep(1_000);
      }
    })();
    gl.enabled = true;
    sp.enabled = true;
    crashing = true;
    const chaosStart = Date.now();
    await people.run(settings.chaosMs);
    gl.enabled = false;
    sp.enabled = false;
    crashing = false;
    chaosOver = true;
    await poller;
    const chaosMs = Date.now() - chaosStart;

    // ---- calm: no faults; let the sync settle (retries back off up to tens of seconds) ---------------
    const calmStart = Date.now();
    const deadline = calmStart + settings.calmMaxMs;
    let verdict: Verdict | undefined;
    let snapshot: Snapshot | undefined;
    let good = 0;
    let unchanged = 0;
    let lastShape = '';
    while (Date.now() < deadline) {
      await harness.local.pollNow().then(
        () => polls.ok++,
        () => polls.failed++,
      );
      await harness.gitlab.settle();
      await hooks.idle();
      const empty = await harness.local.drained(1_500).then(
        () => true,
        () => false,
      );
      snapshot = await takeSnapshot(harness, aws);
      verdict = evaluate(snapshot, people.registry, people.journal);
      const shape = JSON.stringify([snapshot.issues, snapshot.incidents]);
      unchanged = shape === lastShape && empty ? unchanged + 1 : 0;
      lastShape = shape;
      good = empty && verdict.converged && verdict.duplicates === 0 && verdict.lost === 0 ? good + 1 : 0;
      // Done when all is well twice in a row, or when nothing has moved for long enough that every
      // linked incident's comments were read again (the poller reads 10 comment lists per cycle).
      if (good >= 2 || unchanged >= 25) break;
      await sleep(400);
    }
    const calmMs = Date.now() - calmStart;
    snapshot = await takeSnapshot(harness, aws);
    verdict = evaluate(snapshot, people.registry, people.journal);
    const queue = await queueDepth(harness, aws.sqs);
    const journal = people.journal;
    const result: RunResult = {
      seed,
      startedAt,
      ms: { chaos: chaosMs, calm: calmMs, total: Date.now() - startedAt },
      people: {
        gitlab: journal.filter((e) => e.side === 'gitlab' && !(e.action === 'create' && e.field !== 'title'))
          .length,
        spira: journal.filter((e) => e.side === 'spira' && !(e.action === 'create' && e.field !== 'title'))
          .length,
        concurrent: journal.filter((e) => e.concurrent).length,
        failed: journal.filter((e) => e.error).length,
      },
      hooks: {
        deliveries: hooks.deliveries.length,
        copies: hooks.copiesSent,
        failed: harness.gitlab.deliveries.filter((d) => d.status === undefined || d.status >= 400).length,
      },
      api: {
        gitlab: { calls: gl.stats.syncRequests, faults: { ...gl.stats.faults } },
        spira: { calls: sp.stats.syncRequests, faults: { ...sp.stats.faults } },
      },
      crashes,
      hits,
      retries: lines.filter((l) => l.message === 'will retry').length,
      polls,
      queue,
      parked: snapshot.parked.length,
      verdict,
      diagnosis: '',
      reportFile: '',
    };
    result.reportFile = writeReport(result, snapshot, people, lines, gl, sp);
    result.diagnosis = diagnose(result, snapshot, journal, lines);
    return result;
  } finally {
    await fanout?.stop().catch(() => undefined);
    await h?.stop().catch(() => undefined);
    await Promise.all([gitlabProxy?.stop(), spiraProxy?.stop()]).catch(() => undefined);
  }
}

function writeReport(
  result: RunResult,
  snapshot: Snapshot,
  people: People,
  lines: LogLine[],
  gitlab: ApiFaultProxy,
  spira: ApiFaultProxy,
): string {
  const dir = join(tmpdir(), 'spira-gitlab-sync-faults');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `seed-${result.seed}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        result: { ...result, diagnosis: undefined },
        journal: people.journal,
        items: [...people.registry.items.values()],
        notes: [...people.registry.notes.values()],
        snapshot: {
          ...snapshot,
          links: Object.fromEntries(snapshot.links),
          audit: Object.fromEntries(snapshot.audit),
        },
        log: lines.filter((l) => l.level !== 'info' || l.message !== 'polled Spira'),
        calls: { gitlab: gitlab.calls, spira: spira.calls },
      },
      null,
      1,
    ),
  );
  return file;
}

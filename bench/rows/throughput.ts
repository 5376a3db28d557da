import { cpus } from 'node:os';
import { cpuBusy, cpuSnapshot } from '../cpu.js';
import type { Row } from '../row.js';
import { type Emulators, startWorld, type World } from '../stack.js';
import { ms, sleep, summarize } from '../stats.js';
import { type AwsUsage, awsUsage, between, marks, scaleUsage } from '../window.js';

/** One throughput run. */
export interface ThroughputRun {
  groups: number;
  workers: number;
  changes: number;
  seconds: number;
  perSecond: number;
  /** Mean worker time per record, ms (batch time / records). */
  perRecordMs: number;
  recordsPerBatch: number;
  groupsPerBatch: number;
  /** Time per record spent waiting on DynamoDB calls, and the p50 of one call, ms. */
  dynamoMsPerRecord: number;
  dynamoCallP50: number;
  /** Cores busy (this process + DynamoDB Local) while draining. */
  cores: number;
  /** AWS usage per change while draining (steady state: the project's activity item is full). */
  usage: AwsUsage;
}

export interface ThroughputFigures {
  row: Row;
  runs: ThroughputRun[];
}

const ISSUES = 100;

/**
 * Worker throughput on a backlog: with the worker paused, people post `changes` notes spread over 1, 10 or 100
 * linked issues (one FIFO message group each; every note is a real change: one new Spira comment); then the
 * worker starts with one loop per group (Lambda runs one invocation per active group), capped at `maxWorkers`,
 * and the clock runs until the last comment lands in Spira.
 */
export async function benchThroughput(
  aws: Emulators,
  changes: number,
  groupCounts: readonly number[],
  maxWorkers: number,
): Promise<ThroughputFigures> {
  const world = await startWorld(aws, { workers: 8 });
  try {
    const iids = await linkIssues(world);
    const runs: ThroughputRun[] = [];
    for (const groups of groupCounts) {
      runs.push(await runOnce(world, iids.slice(0, groups), changes, Math.min(groups, maxWorkers)));
    }
    return { row: rowOf(runs, maxWorkers), runs };
  } finally {
    await world.stop();
  }
}

async function linkIssues(world: World): Promise<number[]> {
  const gpid = world.demo.gitlabProjectId;
  const iids = await inParallel(ISSUES, 10, async (i) => {
    const issue = await world.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
      title: `Throughput ${i}`,
    });
    return Number(issue.iid);
  });
  await world.settle();
  return iids;
}

async function runOnce(
  world: World,
  iids: number[],
  changes: number,
  workers: number,
): Promise<ThroughputRun> {
  const gpid = world.demo.gitlabProjectId;
  await world.worker.pause();
  await inParallel(changes, 10, async (i) => {
    const iid = iids[i % iids.length] as number;
    await world.gitlabAs('joe', 'POST', `projects/${gpid}/issues/${iid}/notes`, {
      body: `Throughput note ${i}`,
    });
  });
  await world.gitlab.settle();
  const from = marks(world);
  const cpu = cpuSnapshot();
  const start = performance.now();
  world.worker.start(workers);
  const done = await waitForComments(world, from.api, changes);
  const busy = cpuBusy(cpu, cpuSnapshot());
  const seconds = (done - start) / 1000;
  await world.settle();
  const window = between(world, from, marks(world));
  const batches = window.batches;
  const records = batches.reduce((n, b) => n + b.commands.length, 0);
  return {
    groups: iids.length,
    workers,
    changes,
    seconds,
    perSecond: changes / seconds,
    perRecordMs: batches.reduce((t, b) => t + b.ms, 0) / Math.max(1, records),
    recordsPerBatch: records / Math.max(1, batches.length),
    groupsPerBatch:
      batches.reduce((n, b) => n + new Set(b.commands.map((c) => c.group)).size, 0) /
      Math.max(1, batches.length),
    dynamoMsPerRecord: window.dynamo.reduce((t, c) => t + c.ms, 0) / Math.max(1, records),
    dynamoCallP50: summarize(window.dynamo.map((c) => c.ms)).p50,
    cores: busy.cores,
    usage: scaleUsage(awsUsage(window), 1 / changes),
  };
}

/** Resolves with the moment the `count`-th comment the sync posts after `mark` is applied by Spira. */
async function waitForComments(world: World, mark: number, count: number): Promise<number> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    const posts = world.api
      .since(mark)
      .filter((c) => c.side === 'spira' && c.method === 'POST' && c.path.endsWith('/comments'));
    if (posts.length >= count) return (posts[count - 1] as { at: number }).at;
    await sleep(20);
  }
  throw new Error(`fewer than ${count} comments reached Spira within 180 s`);
}

async function inParallel<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

function rowOf(runs: ThroughputRun[], maxWorkers: number): Row {
  const best = Math.max(...runs.map((r) => r.perSecond));
  const at100 = runs.find((r) => r.groups === 100)?.perSecond ?? best;
  const row: Row = {
    id: '6',
    title: 'Worker throughput (changes/s) by message groups',
    measured: runs
      .map((r) => `${r.groups} group${r.groups > 1 ? 's' : ''}: ${r.perSecond.toFixed(0)}/s`)
      .join(' · '),
    target: '≥ 200 changes/s at 100 groups (issue 15)',
    pass: at100 >= 200,
    method:
      `a backlog of ${runs[0]?.changes ?? 0} notes (each one a new Spira comment) spread over 1, 10 and 100 linked ` +
      `issues, queued with the worker paused; then one worker loop per group (at most ${maxWorkers}) drains it, ` +
      'all in this one Node process beside the stand-ins, fauxqs and DynamoDB Local.',
    details: runs.map(
      (r) =>
        `${r.groups} group(s), ${r.workers} worker loop(s): ${r.changes} changes in ${r.seconds.toFixed(2)} s = ${r.perSecond.toFixed(1)}/s; ` +
        `worker time per record ${ms(r.perRecordMs)}, of which DynamoDB ${ms(r.dynamoMsPerRecord)} (one call p50 ${ms(r.dynamoCallP50)}); ${r.recordsPerBatch.toFixed(1)} records from ${r.groupsPerBatch.toFixed(1)} groups per batch; ` +
        `CPU ${r.cores.toFixed(2)} of ${cpus().length} cores busy; per change ${r.usage.wru.toFixed(1)} WRU, ${r.usage.rru.toFixed(1)} RRU`,
    ),
  };
  if (at100 < 200) {
    const one = runs[0] as ThroughputRun;
    const mixed = runs.find((r) => r.groupsPerBatch > 1.5);
    row.miss = {
      why:
        `one record takes ${ms(one.perRecordMs)} of worker time at 1 group (two ${ms(20)} API calls, ${ms(one.dynamoMsPerRecord)} of DynamoDB Local calls), so one worker does about ${(1000 / one.perRecordMs).toFixed(0)}/s; ` +
        (mixed
          ? `more groups barely help: a batch carries records of ${mixed.groupsPerBatch.toFixed(1)} groups and runs them one after another, so at ${mixed.groups} groups one invocation does the work of ten; `
          : '') +
        `and DynamoDB Local slows down under concurrency (one call p50 ${ms(runs.at(-1)?.dynamoCallP50 ?? 0)} at ${runs.at(-1)?.groups} groups vs ${ms(one.dynamoCallP50)} at 1)`,
      fix: 'see "Misses" below',
    };
  }
  return row;
}

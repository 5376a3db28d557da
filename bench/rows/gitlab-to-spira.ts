import type { Row } from '../row.js';
import { type Emulators, startWorld, type World } from '../stack.js';
import { ms, type Summary, sleep, summarize } from '../stats.js';

/** Row 2 figures (also the closing figure of issue 2). */
export interface GitLabToSpiraFigures {
  row: Row;
  hookToVisible: Summary;
  changeToVisible: Summary;
}

interface Sample {
  title: string;
  iid: number;
  changeAt: number;
  hookAt?: number;
  hookDoneAt?: number;
  workerAt?: number;
  /** Place of the record in its worker batch (0 = first) and the batch's size. */
  position?: number;
  batchSize?: number;
  visibleAt?: number;
}

/**
 * People create `count` issues in GitLab at `perSecond` (open loop: a slow sync does not slow the arrivals);
 * each issue's webhook goes through the sync's HTTP endpoint, SQS FIFO and the worker into Spira. Latency is
 * from the delivery's arrival at the endpoint (and, for context, from the GitLab write) to the moment the
 * Spira stand-in applies the incident create.
 */
export async function benchGitLabToSpira(
  aws: Emulators,
  count: number,
  perSecond: number,
): Promise<GitLabToSpiraFigures> {
  const world = await startWorld(aws, { workers: 4 });
  try {
    await warmUp(world);
    const samples = await createIssues(world, count, perSecond);
    await world.settle();
    join(world, samples);
    return figures(samples, count, perSecond);
  } finally {
    await world.stop();
  }
}

async function warmUp(world: World): Promise<void> {
  const gpid = world.demo.gitlabProjectId;
  for (let i = 0; i < 10; i++) {
    await world.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, { title: `warm-up ${i}` });
  }
  await world.settle();
}

async function createIssues(world: World, count: number, perSecond: number): Promise<Sample[]> {
  const gpid = world.demo.gitlabProjectId;
  const start = performance.now();
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    await sleep(Math.max(0, due - performance.now()));
    const title = `Latency probe ${i}`;
    const changeAt = performance.now();
    pending.push(
      world
        .gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
          title,
          description: `Steps to reproduce:\n\n1. open the *report*\n2. see \`NaN\` (${i})`,
        })
        .then((issue) => ({ title, iid: Number(issue.iid), changeAt })),
    );
  }
  return Promise.all(pending);
}

/** Joins each issue to its webhook arrival, its worker batch and its incident create. */
function join(world: World, samples: Sample[]): void {
  const gpid = world.demo.gitlabProjectId;
  const byIid = new Map(samples.map((s) => [s.iid, s]));
  for (const hook of world.hooks.arrivals) {
    const sample = hook.iid === undefined ? undefined : byIid.get(hook.iid);
    if (sample && sample.hookAt === undefined)
      Object.assign(sample, { hookAt: hook.at, hookDoneAt: hook.doneAt });
  }
  for (const batch of world.worker.batches) {
    for (const [position, command] of batch.commands.entries()) {
      const sample = command.kind === 'gitlab.issue' && command.iid ? byIid.get(command.iid) : undefined;
      if (sample && sample.workerAt === undefined)
        Object.assign(sample, { workerAt: batch.at, position, batchSize: batch.commands.length });
    }
  }
  const byTitle = new Map(samples.map((s) => [s.title, s]));
  for (const call of world.api.calls) {
    if (call.side !== 'spira' || call.method !== 'POST' || !/^projects\/\d+\/incidents$/.test(call.path))
      continue;
    const sample = byTitle.get(String((call.body as { Name?: unknown })?.Name));
    if (sample && sample.visibleAt === undefined) sample.visibleAt = call.at;
  }
  const missing = samples.filter((s) => s.visibleAt === undefined || s.hookAt === undefined);
  if (missing.length > 0)
    throw new Error(
      `${missing.length} issues never reached Spira (first: ${missing[0]?.title}, project ${gpid})`,
    );
}

function figures(samples: Sample[], count: number, perSecond: number): GitLabToSpiraFigures {
  const of = (f: (s: Required<Sample>) => number) => summarize(samples.map((s) => f(s as Required<Sample>)));
  const hookToVisible = of((s) => s.visibleAt - s.hookAt);
  const changeToVisible = of((s) => s.visibleAt - s.changeAt);
  const intake = of((s) => s.hookDoneAt - s.hookAt);
  const queued = of((s) => s.workerAt - s.hookAt);
  const work = of((s) => s.visibleAt - s.workerAt);
  const firsts = samples.filter((s) => s.position === 0) as Required<Sample>[];
  const firstWork = summarize(firsts.map((s) => s.visibleAt - s.workerAt));
  const behind = samples.length - firsts.length;
  const batchMean = samples.reduce((n, s) => n + (s.batchSize ?? 1), 0) / samples.length;
  const pass = hookToVisible.p50 < 300 && hookToVisible.p99 < 1000;
  const row: Row = {
    id: '2',
    title: 'GitLab webhook → change visible in Spira',
    measured: `p50 ${ms(hookToVisible.p50)}, p99 ${ms(hookToVisible.p99)} (n=${hookToVisible.n})`,
    target: 'p50 < 300 ms, p99 < 1 s',
    pass,
    method:
      `${count} issues created in the GitLab stand-in through its REST API at ${perSecond}/s (open loop), ` +
      'webhooks delivered by the stand-in through a stamping proxy to the sync endpoint; 4 worker loops; ' +
      '"visible" = the Spira stand-in applies the incident POST. 10 warm-up issues first.',
    details: [
      `webhook arrival → incident visible: p50 ${ms(hookToVisible.p50)}, p99 ${ms(hookToVisible.p99)}, max ${ms(hookToVisible.max)}`,
      `GitLab write → incident visible (adds GitLab's own delivery): p50 ${ms(changeToVisible.p50)}, p99 ${ms(changeToVisible.p99)}`,
      `batches: a probe shared its worker batch with ${(batchMean - 1).toFixed(1)} other records on average; ${behind} of ${samples.length} probes were not first in their batch and waited for the records before them (records of a batch run one after another); probes first in their batch: pick-up → incident POST p50 ${ms(firstWork.p50)}, p99 ${ms(firstWork.p99)}`,
      `breakdown (p50 / p99): arrival → 202 answered ${ms(intake.p50)} / ${ms(intake.p99)}; arrival → a worker picks the message up ${ms(queued.p50)} / ${ms(queued.p99)}; pick-up → incident POST applied ${ms(work.p50)} / ${ms(work.p99)}`,
    ],
  };
  if (!pass) {
    row.miss = {
      why:
        `the tail is in the worker: pick-up → incident POST p99 ${ms(work.p99)} against a p50 of ${ms(work.p50)}. ` +
        `${behind} of ${samples.length} issues arrived while others were queued and shared a batch; the worker runs a batch's ` +
        `records one after another, so those waited for their predecessors (first-in-batch p99: ${ms(firstWork.p99)}); ` +
        'the rest is CPU contention (see the load average)',
      fix: 'see "Misses" below',
    };
  }
  return { row, hookToVisible, changeToVisible };
}

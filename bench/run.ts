/**
 * `npm run bench`: measures the sync against the targets of issues 7 and 15 on the local stack, writes
 * BENCHMARKS.md and exits non-zero when a row misses its target. `BENCH_ROWS=4a,5c npm run bench` runs only
 * the measurements those rows need and prints them, without writing BENCHMARKS.md. Timing figures are only
 * ever printed and written here, never asserted in `npm test`.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.js';
import { type BenchFigures, closingNotes, fixesFor, recommendationsFor } from './misses.js';
import { markdown, type Report, rowDetails, table } from './report.js';
import type { Row } from './row.js';
import { type BundleFigures, benchBundles } from './rows/bundles.js';
import { benchCallsPerChange, type CallsFigures } from './rows/calls-per-change.js';
import { benchCommentScale, type CommentScaleFigures } from './rows/comment-scale.js';
import { benchCommentWatch, type CommentWatchFigures } from './rows/comment-watch.js';
import { costRow } from './rows/cost.js';
import { benchGitLabToSpira } from './rows/gitlab-to-spira.js';
import { benchIdlePoll, type IdlePollFigures } from './rows/idle-poll.js';
import { benchSpiraToGitLab } from './rows/spira-to-gitlab.js';
import { benchThroughput } from './rows/throughput.js';
import { benchWebhookHandler, type WebhookFigures } from './rows/webhook-handler.js';
import { type Emulators, LATENCY_MS, startEmulators } from './stack.js';

/** Sizes of each measurement (issue 7 asks for ≥ 200 issues in row 2 and 1,000 mapped incidents in row 5). */
const PLAN = {
  webhookCalls: 500,
  latencyIssues: 200,
  issuesPerSecond: 10,
  spiraIncidents: 100,
  pollIntervalMs: 5_000,
  spiraWindowMs: 20_000,
  mappedIncidents: 1_000,
  coldCommentProbes: 10,
  maxCommentCycles: 150,
  throughputChanges: 150,
  groups: [1, 10, 100],
  maxWorkers: 100,
  initRuns: 5,
  /** Row 5c (issue 15): the comment model at 5,000 linked incidents, a fifth of them open. */
  commentScale: {
    linked: 5_000,
    openShare: 0.2,
    editsPerCycle: 1,
    probes: 300,
    warmCycles: 120,
    probeCycles: 600,
    maxCycles: 4_000,
  },
} as const;

/** The table's order, and the rows each measurement gives. */
const ORDER = ['1', '2', '3', '4a', '4b', '4c', '5a', '5b', '5c', '6', '6b', '7a', '7b', '8'];
const ROWS_OF = {
  bundles: ['7a', '7b'],
  webhook: ['1'],
  toSpira: ['2'],
  toGitLab: ['3'],
  calls: ['4a', '4b', '4c', '6b'],
  idle: ['5a'],
  watch: ['5b'],
  scale: ['5c'],
  throughput: ['6'],
  cost: ['8'],
} as const;
type Measurement = keyof typeof ROWS_OF;
/** Row 8's model is built from these measurements. */
const COST_NEEDS: Measurement[] = ['webhook', 'calls', 'idle', 'watch', 'bundles'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const steps: { text: string; load: number }[] = [];

function step(text: string): void {
  const at = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  const load = loadavg()[0] ?? 0;
  steps.push({ text, load });
  process.stderr.write(`[${at} s] ${text} (load ${load.toFixed(1)})\n`);
}

/** Adds the machine's load at the end of a measurement to its rows (time figures depend on it). */
function stamp(...rows: Row[]): void {
  const now = loadavg()[0] ?? 0;
  for (const row of rows) {
    row.details = [
      ...(row.details ?? []),
      `1-minute load average as this measurement ended: ${now.toFixed(1)} on ${cpus().length} cores`,
    ];
  }
}

/** `BENCH_ROWS=4a,5c`: the rows asked for (undefined: all of them, and BENCHMARKS.md is written). */
function selectedRows(): Set<string> | undefined {
  const raw = process.env.BENCH_ROWS?.trim();
  if (!raw) return undefined;
  const ids = raw.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !ORDER.includes(id));
  if (unknown.length > 0)
    throw new Error(`BENCH_ROWS: unknown row(s) ${unknown.join(', ')}; rows are ${ORDER.join(', ')}`);
  return new Set(ids);
}

function measurementsFor(rows: Set<string> | undefined): Set<Measurement> {
  const all = Object.keys(ROWS_OF) as Measurement[];
  if (!rows) return new Set(all);
  const chosen = new Set(all.filter((m) => ROWS_OF[m].some((id) => rows.has(id))));
  if (chosen.has('cost')) for (const m of COST_NEEDS) chosen.add(m);
  return chosen;
}

/** What a run measured; a subset run leaves out what it did not need. */
type Figures = Partial<BenchFigures> & { scale?: CommentScaleFigures };

async function main(): Promise<number> {
  const subset = selectedRows();
  const wanted = measurementsFor(subset);
  const f: Figures = {};
  if (wanted.has('bundles')) {
    // First, while nothing else runs: cold starts are CPU-bound. The probes' clients never connect.
    step('row 7: bundling the three functions and timing cold starts');
    f.bundles = await benchBundles(
      root,
      { dynamo: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9' },
      PLAN.initRuns,
    );
    stamp(...f.bundles.rows);
  }
  if (wanted.has('scale')) {
    step(`row 5c: comment model at ${PLAN.commentScale.linked.toLocaleString('en')} linked incidents`);
    f.scale = benchCommentScale(PLAN.commentScale);
  }
  const onStack = [...wanted].some((m) => m !== 'bundles' && m !== 'scale');
  let engine = 'none';
  if (onStack) {
    step('starting DynamoDB and SQS emulators');
    const aws = await startEmulators();
    engine = aws.engine;
    try {
      await measureOnStack(aws, wanted, f);
    } finally {
      await aws.stop();
    }
  }
  const rows = rowsOf(f).filter((r) => !subset || subset.has(r.id));
  const seconds = (performance.now() - started) / 1000;
  if (subset) {
    process.stdout.write(
      `\n${table(rows)}\n\n${rowDetails(rows).join('\n')}\nSubset run (BENCH_ROWS=${[...subset].join(',')}, ${Math.round(seconds)} s): BENCHMARKS.md not written.\n`,
    );
  } else {
    const full = f as BenchFigures & { scale: CommentScaleFigures };
    const report: Report = {
      date: new Date().toISOString().slice(0, 10),
      seconds,
      machine: describeMachine(engine, [...steps.map((s) => s.load), loadavg()[0] ?? 0], root),
      latencyMs: LATENCY_MS,
      steps,
      rows,
      closingNotes: closingNotes(full),
      fixes: fixesFor(full),
      recommendations: recommendationsFor(full),
    };
    writeFileSync(join(root, 'BENCHMARKS.md'), markdown(report));
    process.stdout.write(`\n${table(rows)}\n\nWritten to BENCHMARKS.md (${Math.round(seconds)} s).\n`);
  }
  const misses = rows.filter((r) => r.pass === false);
  if (misses.length > 0) {
    process.stderr.write(`bench: ${misses.length} row(s) missed: ${misses.map((r) => r.id).join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** Rows 1–6 on the local stack, then the cost model from what they measured. */
async function measureOnStack(aws: Emulators, wanted: Set<Measurement>, f: Figures): Promise<void> {
  if (wanted.has('webhook')) {
    step('row 1: webhook handler in process');
    f.webhook = await benchWebhookHandler(aws, PLAN.webhookCalls);
    stamp(f.webhook.row);
  }
  if (wanted.has('toSpira')) {
    step(`row 2: ${PLAN.latencyIssues} GitLab issues at ${PLAN.issuesPerSecond}/s → Spira`);
    f.toSpira = await benchGitLabToSpira(aws, PLAN.latencyIssues, PLAN.issuesPerSecond);
    stamp(f.toSpira.row);
  }
  if (wanted.has('toGitLab')) {
    step(
      `row 3: ${PLAN.spiraIncidents} Spira incidents → GitLab, polling every ${PLAN.pollIntervalMs / 1000} s`,
    );
    f.toGitLab = await benchSpiraToGitLab(aws, PLAN.spiraIncidents, PLAN.pollIntervalMs, PLAN.spiraWindowMs);
    stamp(f.toGitLab.row);
  }
  if (wanted.has('calls')) {
    step('row 4: API calls per change, by kind, echo writes, DynamoDB round trips per record');
    f.calls = await benchCallsPerChange(aws);
  }
  if (wanted.has('idle')) {
    step('row 5a: idle poll cycle');
    f.idle = await benchIdlePoll(aws);
  }
  if (wanted.has('watch')) {
    step(`row 5b: ${PLAN.mappedIncidents} mapped incidents, comment detection`);
    f.watch = await benchCommentWatch(
      aws,
      PLAN.mappedIncidents,
      PLAN.coldCommentProbes,
      PLAN.maxCommentCycles,
    );
  }
  if (wanted.has('throughput')) {
    step(`row 6: worker throughput with ${PLAN.groups.join(', ')} message groups`);
    f.throughput = await benchThroughput(aws, PLAN.throughputChanges, PLAN.groups, PLAN.maxWorkers);
    stamp(f.throughput.row);
  }
  if (wanted.has('cost')) f.cost = costOf(f);
}

function costOf(f: Figures): BenchFigures['cost'] {
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`row 8 needs the ${name} measurement`);
    return value;
  };
  const webhook: WebhookFigures = need(f.webhook, 'webhook');
  const calls: CallsFigures = need(f.calls, 'calls');
  const idle: IdlePollFigures = need(f.idle, 'idle poll');
  const watch: CommentWatchFigures = need(f.watch, 'comment watch');
  const bundles: BundleFigures = need(f.bundles, 'bundles');
  return costRow({
    root,
    webhookMs: webhook.handler.mean,
    changes: calls.changes,
    latencyMs: LATENCY_MS,
    idlePoll: { ms: idle.pollMs, usage: idle.usagePerCycle },
    busyPoll: { ms: watch.idle.pollMs, usage: watch.idle.usage, mapped: PLAN.mappedIncidents },
    rssMb: Object.fromEntries(bundles.inits.map((i) => [i.name, i.rssMb])),
  });
}

/** The table's rows in ORDER. */
function rowsOf(f: Figures): Row[] {
  const rows = [
    f.webhook?.row,
    f.toSpira?.row,
    f.toGitLab?.row,
    ...(f.calls?.rows ?? []),
    f.idle?.row,
    f.watch?.row,
    f.scale?.row,
    f.throughput?.row,
    ...(f.bundles?.rows ?? []),
    f.cost?.row,
  ].filter((r): r is Row => r !== undefined);
  return rows.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);

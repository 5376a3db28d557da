import { SyncConfigSchema } from '../../lib/config/sync-config.js';
import { HOT_WINDOW_MS, pickForCommentCheck, type WatchList } from '../../lib/domain/comment-watch.js';
import { mulberry32 } from '../../test/faults/random.js';
import type { Row } from '../row.js';
import { summarize } from '../stats.js';

/** The deployed poll interval (serverless.yml schedules the poller every minute). */
const INTERVAL_MS = 60_000;

/** Issue 15's targets, in cycles of the deployed interval. */
const OPEN_P99_CYCLES = 5;
const HOT_CYCLES = 1;
const CLOSED_MAX_CYCLES = 60;

/** The project the model runs: how many linked incidents are open, and how busy it is. */
export interface CommentScalePlan {
  linked: number;
  /** Share of the linked incidents still open (the rest are closed). */
  openShare: number;
  /** Incidents edited per cycle (each becomes "active in the last hour"), picked at random among open ones. */
  editsPerCycle: number;
  /** Comments added over the measured cycles, each on a random incident of its tier. */
  probes: number;
  /** Cycles run before the probes (active incidents build up), cycles the probes are spread over, and the most cycles run in all. */
  warmCycles: number;
  probeCycles: number;
  maxCycles: number;
}

interface Probe {
  id: string;
  tier: 'open' | 'closed' | 'hot';
  addedAt: number;
  /** Polls until the comment was read (1 = the first poll after it was added). */
  cycles?: number;
}

export interface CommentScaleFigures {
  row: Row;
}

/**
 * Row 5c: comment detection at 5,000 linked incidents. An end-to-end run at that size (row 5b's method) would
 * take hours of stand-in time on this machine, so this row runs the poller's own choice —
 * `pickForCommentCheck` (lib/domain/comment-watch.ts) with the configured default budget — over a watch
 * list of that size, cycle by cycle on a simulated clock, updating each entry as lib/engine/poll-spira.ts
 * does (checkedAt on a read; activeAt on an edit found by the search or a new comment found by a read).
 * A comment counts as detected at the first poll that reads its incident's comments; the worker's note
 * create (row 3's latency) comes on top. Deterministic (seeded), no stack.
 */
export function benchCommentScale(plan: CommentScalePlan): CommentScaleFigures {
  const budget = SyncConfigSchema.shape.spira.shape.commentPollBudget.parse(undefined);
  const random = mulberry32(15);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const openCount = Math.round(plan.linked * plan.openShare);
  const watch: WatchList = {};
  const open: string[] = [];
  const closed: string[] = [];
  // Steady state of the rotation: last reads spread evenly over one turn of the cold share.
  const turn = Math.ceil(plan.linked / Math.max(1, Math.floor(budget / 4)));
  const order = shuffled(plan.linked, random);
  for (let i = 1; i <= plan.linked; i++) {
    const id = String(1000 + i);
    (i <= openCount ? open : closed).push(id);
    const checked = start - Math.floor(((order[i - 1] as number) / plan.linked) * turn) * INTERVAL_MS;
    watch[id] = {
      activeAt: new Date(start - 2 * HOT_WINDOW_MS).toISOString(),
      checkedAt: new Date(checked).toISOString(),
      lastCommentId: 0,
      iid: i,
    };
  }
  const pending = new Map<string, Probe[]>();
  const probes: Probe[] = [];
  const probeEvery = plan.probeCycles / plan.probes;
  let nextProbe = plan.warmCycles;
  let reads = 0;
  let editCarry = 0;
  let cycle = 0;
  while (cycle < plan.maxCycles && (probes.length < plan.probes || pending.size > 0)) {
    cycle++;
    const now = start + cycle * INTERVAL_MS;
    const iso = new Date(now).toISOString();
    // Edits since the last poll: the incident search finds them and the poller marks them active.
    for (editCarry += plan.editsPerCycle; editCarry >= 1; editCarry--) {
      const id = open[Math.floor(random() * open.length)] as string;
      (watch[id] as { activeAt: string }).activeAt = iso;
    }
    const picked = pickForCommentCheck(watch, budget, now);
    reads += picked.length;
    for (const id of picked) {
      const entry = watch[id] as WatchList[string];
      const found = pending.get(id);
      if (found) {
        for (const probe of found) probe.cycles = cycle - probe.addedAt;
        pending.delete(id);
        entry.activeAt = iso;
      }
      entry.checkedAt = iso;
    }
    // Comments added during the coming interval, read at the next poll at the earliest.
    while (nextProbe < cycle && probes.length < plan.probes) {
      const probe = addProbe(watch, open, closed, now, random, probes.length, cycle);
      probes.push(probe);
      pending.set(probe.id, [...(pending.get(probe.id) ?? []), probe]);
      nextProbe += probeEvery;
    }
  }
  return { row: rowOf(plan, budget, probes, reads / cycle, cycle, turn) };
}

function shuffled(n: number, random: () => number): number[] {
  const list = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as number, list[i] as number];
  }
  return list;
}

/** Every third probe on an incident active within the hour, the rest spread over open and closed ones. */
function addProbe(
  watch: WatchList,
  open: string[],
  closed: string[],
  now: number,
  random: () => number,
  n: number,
  cycle: number,
): Probe {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)] as string;
  if (n % 3 === 0) {
    const hot = open.filter((id) => now - Date.parse(watch[id]?.activeAt ?? '') <= HOT_WINDOW_MS / 2);
    if (hot.length > 0) return { id: pick(hot), tier: 'hot', addedAt: cycle };
  }
  const cold = (list: string[]) =>
    list.filter((id) => now - Date.parse(watch[id]?.activeAt ?? '') > HOT_WINDOW_MS);
  return n % 3 === 1
    ? { id: pick(cold(open)), tier: 'open', addedAt: cycle }
    : { id: pick(cold(closed)), tier: 'closed', addedAt: cycle };
}

function rowOf(
  plan: CommentScalePlan,
  budget: number,
  probes: Probe[],
  readsPerCycle: number,
  cycles: number,
  turn: number,
): Row {
  const tier = (name: Probe['tier']) => {
    const list = probes.filter((p) => p.tier === name);
    const missed = list.filter((p) => p.cycles === undefined).length;
    const stats = summarize(list.map((p) => p.cycles ?? Number.POSITIVE_INFINITY));
    return { ...stats, n: list.length, missed };
  };
  const open = tier('open');
  const closed = tier('closed');
  const hot = tier('hot');
  const fmt = (n: number) => (Number.isFinite(n) ? String(n) : `> ${cycles}`);
  const line = (name: string, t: ReturnType<typeof tier>) =>
    `${name} p50 ${fmt(t.p50)} / p99 ${fmt(t.p99)} / max ${fmt(t.max)}`;
  const minutes = (name: string, t: ReturnType<typeof tier>) =>
    `${name} (${t.n} comments): p50 ${fmt(t.p50)}, p99 ${fmt(t.p99)}, max ${fmt(t.max)} cycles = minutes at the deployed 60 s interval${t.missed ? `; ${t.missed} not read within the ${cycles} cycles run` : ''}`;
  const pass = open.p99 <= OPEN_P99_CYCLES && hot.max <= HOT_CYCLES && closed.max <= CLOSED_MAX_CYCLES;
  const row: Row = {
    id: '5c',
    title: `Comment latency at ${plan.linked.toLocaleString('en')} linked incidents (model)`,
    measured: `cycles ≈ min: ${line('open', open)}; ${line('active', hot)}; ${line('closed', closed)}`,
    target: `open p99 ≤ ${OPEN_P99_CYCLES} min; active in the last hour ≤ ${HOT_CYCLES} cycle; closed ≤ ${CLOSED_MAX_CYCLES} min`,
    pass,
    method:
      `the poller's comment choice (\`pickForCommentCheck\`, lib/domain/comment-watch.ts, default budget ${budget}) run ` +
      `over a watch list of ${plan.linked} linked incidents (${Math.round(plan.openShare * 100)} % open), their last reads ` +
      `spread evenly over one turn of the cold rotation (${turn} cycles), ${plan.warmCycles} cycles of a simulated 60 s clock ` +
      `for active incidents to build up, then comments over ${plan.probeCycles} cycles and polls until each is read (${cycles} cycles in all, at most ${plan.maxCycles}); ` +
      `${plan.editsPerCycle} incident edit(s) per cycle make open incidents active; ${probes.length} comments added at even ` +
      'intervals (a third on incidents edited within the last half hour, a third on cold open ones, a third on closed ones). ' +
      "Entries are updated as lib/engine/poll-spira.ts does. A model of the poller's choice, not an end-to-end run (row 5b is that, at 1,000); " +
      'the note create in GitLab adds row 3 latency.',
    details: [
      minutes('open, not active in the last hour', open),
      minutes('active in the last hour', hot),
      minutes('closed', closed),
      `${readsPerCycle.toFixed(1)} comment reads per cycle (${readsPerCycle.toFixed(0)} Spira calls a minute at the deployed interval); reading every linked incident hourly would need ⌈${plan.linked} ÷ 60⌉ = ${Math.ceil(plan.linked / 60)} a cycle`,
      "today's policy has no open/closed tiers: closed incidents share the cold rotation with open ones",
    ],
  };
  if (!pass) {
    row.miss = {
      why: `a budget of ${budget} comment reads a cycle, a quarter of it for incidents not active in the last hour, cannot visit ${plan.linked} incidents in ${OPEN_P99_CYCLES} cycles (one turn of the cold rotation takes ${turn} cycles while incidents are active)`,
      fix: 'a budget derived from the number of linked incidents, reads in parallel, and open/closed tiers (issue 15, item 3; lib/domain/comment-watch.ts)',
    };
  }
  return row;
}

import type { Row } from '../row.js';
import { type Emulators, startWorld } from '../stack.js';
import { countBy, ms, summarize } from '../stats.js';
import { type AwsUsage, awsUsage, between, marks, scaleUsage } from '../window.js';
import { describeCalls } from './calls-per-change.js';

/** A multiple of the default `spira.releasePollCycles` (5), so the occasional release search is averaged fairly. */
const CYCLES = 10;

/** Row 5a figures. */
export interface IdlePollFigures {
  row: Row;
  spiraCallsPerCycle: number;
  usagePerCycle: AwsUsage;
  pollMs: number;
}

/** A configured project with nothing linked and nothing changing: what one scheduled poll costs. */
export async function benchIdlePoll(aws: Emulators): Promise<IdlePollFigures> {
  const world = await startWorld(aws, { workers: 1, pollIntervalSeconds: 60 });
  try {
    await world.poll(); // the first poll only records Spira's clock
    await world.poll(60_000);
    const from = marks(world);
    const durations: number[] = [];
    for (let i = 0; i < CYCLES; i++) durations.push((await world.poll(60_000)).ms);
    const window = between(world, from, marks(world));
    const spira = window.api.filter((c) => c.side === 'spira' && world.bySync(c));
    const gitlab = window.api.filter((c) => c.side === 'gitlab' && world.bySync(c));
    const spiraCallsPerCycle = spira.length / CYCLES;
    const usagePerCycle = scaleUsage(awsUsage(window), 1 / CYCLES);
    const pollMs = summarize(durations).p50;
    const kinds = countBy(spira, (c) => describeCalls([c]));
    const row: Row = {
      id: '5a',
      title: 'Spira API calls per idle poll cycle, per project',
      measured: `${spiraCallsPerCycle} Spira calls/cycle (GitLab: ${gitlab.length / CYCLES})`,
      target: '1 Spira call per idle cycle per project (issue 15)',
      pass: spiraCallsPerCycle <= 1,
      method: `one active project, nothing linked, ${CYCLES} scheduled polls after the clock-recording first one.`,
      details: [
        `per cycle: ${Object.entries(kinds)
          .map(([k, n]) => `${n / CYCLES}× ${k}`)
          .join(', ')}`,
        `DynamoDB per idle cycle: ${usagePerCycle.dynamoCalls} calls, ${usagePerCycle.rru} RRU, ${usagePerCycle.wru} WRU; SQS: ${usagePerCycle.sqsRequests}; poller duration p50 ${ms(pollMs)}`,
      ],
    };
    if (!row.pass) {
      row.miss = {
        why: `besides the clock read and the incident search, ${Object.entries(kinds)
          .filter(([k]) => !k.includes('server-date-time') && !k.includes('incidents/search'))
          .map(([k, n]) => `${k} ${n}× in ${CYCLES} cycles`)
          .join(', ')} (milestone ⇄ release sync searches releases every \`spira.releasePollCycles\` cycles)`,
        fix: 'see "Misses" below',
      };
    }
    return { row, spiraCallsPerCycle, usagePerCycle, pollMs };
  } finally {
    await world.stop();
  }
}

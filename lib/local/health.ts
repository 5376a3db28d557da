import type { WorkerProgress } from './queue-loop.js';

/** What the poller did lately. */
export interface PollProgress {
  /** When the latest poll ended (ISO time), whatever its outcome. */
  lastPollAt?: string;
  lastPollOk?: boolean;
  /** Commands the latest successful poll queued. */
  lastQueued?: number;
  lastSuccessAt?: string;
  /** Polls that failed in a row (0 after a success). */
  consecutiveFailures: number;
  /** The error of the latest failed poll (kept after a success too, with its time). */
  lastError?: string;
  lastErrorAt?: string;
}

/** The body of `GET /health`. */
export interface HealthReport {
  ok: boolean;
  endpoint: boolean;
  worker: boolean;
  poller: boolean;
  /** Why `ok` is false, one phrase per failing part. */
  problems: string[];
  poll: PollProgress;
  work: WorkerProgress & { waiting: number | null; inFlightBatches: number };
  /** No progress for this long (3 poll intervals) makes the part unhealthy; null when the timer is off. */
  staleAfterSeconds: number | null;
  startedAt: string;
}

/** Where the monitor reads the worker's state. */
export interface WorkerView {
  stats: WorkerProgress;
  inFlight: number;
  /** Messages in the main queue (waiting, in flight or delayed). */
  pending(): Promise<number>;
}

/**
 * Health of the local runtime (README "Local runtime: health"). The poller is unhealthy when no poll
 * succeeded within 3 poll intervals (from start or the last success). The worker is unhealthy when work is
 * waiting and no record was handled within 3 poll intervals (counted from the latest of: start, the last
 * handled record, the last time the queue was seen empty); an idle worker with an empty queue is healthy.
 */
export class HealthMonitor {
  readonly poll: PollProgress = { consecutiveFailures: 0 };
  private readonly startedAt: number;
  private lastEmptyAt: number;

  constructor(
    private readonly worker: WorkerView,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastEmptyAt = this.startedAt;
  }

  pollSucceeded(queued: number): void {
    const at = new Date(this.now()).toISOString();
    Object.assign(this.poll, {
      lastPollAt: at,
      lastPollOk: true,
      lastQueued: queued,
      lastSuccessAt: at,
      consecutiveFailures: 0,
    });
  }

  pollFailed(error: unknown): void {
    const at = new Date(this.now()).toISOString();
    Object.assign(this.poll, {
      lastPollAt: at,
      lastPollOk: false,
      consecutiveFailures: this.poll.consecutiveFailures + 1,
      lastError: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      lastErrorAt: at,
    });
  }

  /** Samples the queue (the poll timer calls it every interval) so that "waiting since" is known. */
  async sample(): Promise<number | null> {
    const pending = await this.worker.pending().catch(() => null);
    if (pending === 0 && this.worker.inFlight === 0) this.lastEmptyAt = this.now();
    return pending;
  }

  async report(): Promise<HealthReport> {
    const waiting = await this.sample();
    const now = this.now();
    const stale = this.intervalMs > 0 ? 3 * this.intervalMs : null;
    const problems: string[] = [];
    const since = (iso: string | undefined, floor: number) => Math.max(floor, iso ? Date.parse(iso) : 0);
    if (stale !== null) {
      const pollRef = since(this.poll.lastSuccessAt, this.startedAt);
      if (now - pollRef > stale)
        problems.push(
          `poller: no successful poll for ${Math.round((now - pollRef) / 1000)} s` +
            (this.poll.lastError && this.poll.consecutiveFailures > 0
              ? ` (${this.poll.consecutiveFailures} failed in a row; last error: ${this.poll.lastError})`
              : ''),
        );
      const workRef = since(this.worker.stats.lastProgressAt, Math.max(this.startedAt, this.lastEmptyAt));
      if ((waiting ?? 1) > 0 && now - workRef > stale)
        problems.push(
          `worker: ${waiting ?? 'unknown number of'} message(s) waiting and none handled for ${Math.round((now - workRef) / 1000)} s` +
            (this.worker.stats.lastError ? ` (last error: ${this.worker.stats.lastError})` : ''),
        );
    }
    const poller = !problems.some((p) => p.startsWith('poller'));
    const worker = !problems.some((p) => p.startsWith('worker'));
    return {
      ok: poller && worker,
      endpoint: true,
      worker,
      poller,
      problems,
      poll: { ...this.poll },
      work: { ...this.worker.stats, waiting, inFlightBatches: this.worker.inFlight },
      staleAfterSeconds: stale === null ? null : stale / 1000,
      startedAt: new Date(this.startedAt).toISOString(),
    };
  }
}

/** The health lines (the same facts as `GET /health` and `status`). */
export function healthLines(h: HealthReport): [string, string][] {
  const p = h.poll;
  const poll = p.lastPollAt
    ? p.lastPollOk
      ? `${p.lastPollAt} ok, queued ${p.lastQueued ?? 0}`
      : `${p.lastPollAt} FAILED: ${p.lastError}`
    : 'not yet';
  const w = h.work;
  return [
    ['health', h.ok ? 'ok' : `FAILING: ${h.problems.join('; ')}`],
    ['last poll', poll],
    [
      'poll failures',
      p.consecutiveFailures > 0
        ? `${p.consecutiveFailures} in a row; last error: ${p.lastError}`
        : `none in a row${p.lastErrorAt ? ` (last error ${p.lastErrorAt}: ${p.lastError})` : ''}`,
    ],
    [
      'worker',
      `last progress ${w.lastProgressAt ?? 'none yet'}; ${w.waiting ?? '?'} message(s) queued, ${w.inFlightBatches} batch(es) in hand; ${w.records} handled, ${w.failures} failed since start${w.lastError ? `; last error: ${w.lastError}` : ''}`,
    ],
  ];
}

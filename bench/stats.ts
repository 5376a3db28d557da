/** Summary of a sample of durations (ms). */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(sample: readonly number[]): Summary {
  const n = sample.length;
  return {
    n,
    p50: percentile(sample, 50),
    p99: percentile(sample, 99),
    mean: n === 0 ? Number.NaN : sample.reduce((a, b) => a + b, 0) / n,
    max: n === 0 ? Number.NaN : Math.max(...sample),
  };
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** `12.3 ms` / `1.23 s`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/** Counts of items by a key, as a plain object sorted by key. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function sleep(msToWait: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, msToWait));
}

import { z } from 'zod';

/** What the poller knows of one linked incident's comments. */
export const WatchEntrySchema = z.object({
  /** Last time anything happened on the incident (its LastUpdateDate or a comment), ISO. */
  activeAt: z.string(),
  /** Last time its comments were read, ISO ('' = never). */
  checkedAt: z.string(),
  /** Highest comment id seen (Spira ids grow). */
  lastCommentId: z.number().int().nonnegative(),
  /** The linked issue; absent while the issue is still being created. */
  iid: z.number().int().positive().optional(),
});
export type WatchEntry = z.infer<typeof WatchEntrySchema>;
export type WatchList = Record<string, WatchEntry>;

/** Incidents active within this window are "hot": checked every cycle while the budget allows. */
export const HOT_WINDOW_MS = 60 * 60_000;

/**
 * Which incidents to read comments of this cycle, at most `budget`. Policy: hot incidents (active in the
 * last hour) first, then the others; within each, least recently checked first (the most recently active
 * first among equals), so with more hot incidents than budget they take turns instead of the busiest ones
 * starving the rest. Every linked incident is read at least every ⌈cold / spare budget⌉ cycles.
 */
export function pickForCommentCheck(list: WatchList, budget: number, now: number): string[] {
  const entries = Object.entries(list).filter(([, e]) => e.iid !== undefined);
  const checked = (e: WatchEntry) => Date.parse(e.checkedAt) || 0;
  const turn = ([, a]: [string, WatchEntry], [, b]: [string, WatchEntry]) =>
    checked(a) - checked(b) || Date.parse(b.activeAt) - Date.parse(a.activeAt);
  const hot = entries.filter(([, e]) => now - Date.parse(e.activeAt) <= HOT_WINDOW_MS).sort(turn);
  const hotIds = new Set(hot.map(([id]) => id));
  const cold = entries.filter(([id]) => !hotIds.has(id)).sort(turn);
  // Keep a quarter of the budget (at least one call) for cold incidents so none is starved by busy ones.
  const coldShare = cold.length === 0 ? 0 : Math.max(1, Math.floor(budget / 4));
  const hotPicks = hot.slice(0, Math.max(0, budget - Math.min(coldShare, cold.length)));
  const coldPicks = cold.slice(0, budget - hotPicks.length);
  return [...hotPicks, ...coldPicks].map(([id]) => id);
}

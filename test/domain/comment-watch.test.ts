import { describe, expect, it } from 'vitest';
import { pickForCommentCheck, type WatchList } from '../../lib/domain/comment-watch.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

/** Runs `cycles` poll cycles, marking what was picked as checked; returns the picks of each cycle. */
function run(list: WatchList, budget: number, cycles: number): string[][] {
  const picks: string[][] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    const now = NOW + cycle * 5_000;
    const picked = pickForCommentCheck(list, budget, now);
    for (const id of picked)
      list[id] = { ...(list[id] as WatchList[string]), checkedAt: new Date(now).toISOString() };
    picks.push(picked);
  }
  return picks;
}

describe('pickForCommentCheck', () => {
  it('lets more hot incidents than the budget take turns: each is read within ⌈hot / budget⌉ cycles', () => {
    const list: WatchList = {};
    // 15 incidents active in the last 15 minutes; the busiest ones would always come first by activity.
    for (let i = 1; i <= 15; i++)
      list[String(i)] = { activeAt: at(i), checkedAt: at(1), lastCommentId: 0, iid: i };
    const picks = run(list, 10, 2);
    expect(picks[0]).toHaveLength(10);
    expect(new Set(picks.flat())).toEqual(new Set(Object.keys(list)));
  });

  it('reads never-checked incidents first, the most recently active first among equals', () => {
    const list: WatchList = {
      old: { activeAt: at(30), checkedAt: at(1), lastCommentId: 0, iid: 1 },
      newer: { activeAt: at(2), checkedAt: '', lastCommentId: 0, iid: 2 },
      newest: { activeAt: at(1), checkedAt: '', lastCommentId: 0, iid: 3 },
      pending: { activeAt: at(0), checkedAt: '', lastCommentId: 0 },
    };
    expect(pickForCommentCheck(list, 2, NOW)).toEqual(['newest', 'newer']);
  });

  it('keeps a quarter of the budget for cold incidents, least recently checked first', () => {
    const list: WatchList = {};
    for (let i = 1; i <= 12; i++)
      list[`hot${i}`] = { activeAt: at(i), checkedAt: at(1), lastCommentId: 0, iid: i };
    list.coldA = { activeAt: at(600), checkedAt: at(300), lastCommentId: 0, iid: 20 };
    list.coldB = { activeAt: at(600), checkedAt: at(100), lastCommentId: 0, iid: 21 };
    list.coldC = { activeAt: at(600), checkedAt: at(200), lastCommentId: 0, iid: 22 };
    const picked = pickForCommentCheck(list, 8, NOW);
    expect(picked).toHaveLength(8);
    expect(picked.filter((id) => id.startsWith('cold'))).toEqual(['coldA', 'coldC']);
  });
});

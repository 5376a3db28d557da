import { describe, expect, it } from 'vitest';
import { nextHashes, planPair } from '../../lib/domain/merge.js';
import { isOlder } from '../../lib/domain/ordering.js';

const at = { gitlab: '2026-11-25T10:00:05Z', spira: '2026-11-25T10:00:03Z' };

describe('three-way merge of a pair', () => {
  it('carries a field changed on one side only to the other', () => {
    const plan = planPair({ gitlab: ['title', 'state'], spira: ['owner'] }, at, 'gitlab');
    expect(plan).toEqual({ toSpira: ['title', 'state'], toGitLab: ['assignee'], conflicts: [] });
  });

  it('lets the later change win a conflict, by each side’s own clock, and carries it to the loser', () => {
    const plan = planPair({ gitlab: ['title'], spira: ['name', 'status'] }, at, 'spira');
    expect(plan.toSpira).toEqual(['title']);
    expect(plan.toGitLab).toEqual(['state']);
    expect(plan.conflicts).toEqual([
      { gitlabField: 'title', spiraField: 'name', winner: 'gitlab', gitlabAt: at.gitlab, spiraAt: at.spira },
    ]);
    const later = planPair(
      { gitlab: ['title'], spira: ['name'] },
      { ...at, spira: '2026-11-25T10:00:09Z' },
      'gitlab',
    );
    expect([later.toSpira, later.toGitLab, later.conflicts[0]?.winner]).toEqual([[], ['title'], 'spira']);
  });

  it('decides a conflict by the field’s own change times when they are known', () => {
    const changed = { gitlab: ['title'] as const, spira: ['name', 'description'] as const };
    const items = { gitlab: '2026-11-25T10:00:05Z', spira: '2026-11-25T10:00:09Z' };
    expect(
      planPair({ gitlab: [...changed.gitlab], spira: [...changed.spira] }, items, 'spira').toGitLab,
    ).toEqual(['title', 'description']);
    const perField = { gitlab: {}, spira: { name: '2026-11-25T10:00:01Z' } };
    const plan = planPair(
      { gitlab: [...changed.gitlab], spira: [...changed.spira] },
      items,
      'spira',
      perField,
    );
    expect([plan.toSpira, plan.toGitLab]).toEqual([['title'], ['description']]);
    expect(plan.conflicts[0]).toMatchObject({ winner: 'gitlab', spiraAt: '2026-11-25T10:00:01Z' });
  });

  it('gives a tie to the side whose change is being handled', () => {
    const tie = { gitlab: at.gitlab, spira: at.gitlab };
    expect(planPair({ gitlab: ['state'], spira: ['status'] }, tie, 'spira').toGitLab).toEqual(['state']);
    expect(planPair({ gitlab: ['state'], spira: ['status'] }, tie, 'gitlab').toSpira).toEqual(['state']);
  });
});

describe('hashes after a sync', () => {
  it('records current hashes only for carried fields and keeps the others visible as changes', () => {
    // c has no baseline (an adopted pair's disagreement): it stays without one until it is carried.
    expect(nextHashes({ a: '1', b: '2' }, { a: 'x', b: 'y', c: 'z' }, ['a'])).toEqual({ a: 'x', b: '2' });
    expect(nextHashes({ a: '1' }, { a: 'x', c: 'z' }, ['c'])).toEqual({ a: '1', c: 'z' });
  });
});

describe('stale events', () => {
  it('compares whole seconds (hooks carry seconds, REST milliseconds)', () => {
    expect(isOlder('2026-11-25T10:00:00Z', '2026-11-25T10:00:00.400Z')).toBe(false);
    expect(isOlder('2026-11-25T10:00:03Z', '2026-11-25T10:00:05.000Z')).toBe(true);
    expect(isOlder('2026-11-25T10:00:06Z', '2026-11-25T10:00:05.999Z')).toBe(false);
  });
});

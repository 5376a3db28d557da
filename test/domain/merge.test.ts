import { describe, expect, it } from 'vitest';
import { mergeChanges, nextHashes } from '../../lib/domain/merge.js';
import { isOlder } from '../../lib/domain/ordering.js';

const at = { gitlab: '2026-11-25T10:00:05Z', spira: '2026-11-25T10:00:03Z' };

describe('three-way merge', () => {
  it('applies fields changed on the source side only', () => {
    const result = mergeChanges('gitlab', { gitlab: ['title', 'state'], spira: ['owner'] }, at);
    expect(result).toEqual({ apply: ['title', 'state'], conflicts: [] });
  });

  it('lets the later change win a conflict, by each side’s own clock', () => {
    const fromGitLab = mergeChanges('gitlab', { gitlab: ['title'], spira: ['name'] }, at);
    const fromSpira = mergeChanges('spira', { gitlab: ['title'], spira: ['name'] }, at);

    expect(fromGitLab.apply).toEqual(['title']);
    expect(fromSpira.apply).toEqual([]);
    expect(fromGitLab.conflicts).toEqual([
      { gitlabField: 'title', spiraField: 'name', winner: 'gitlab', gitlabAt: at.gitlab, spiraAt: at.spira },
    ]);
    expect(fromSpira.conflicts.map((c) => c.winner)).toEqual(['gitlab']);
  });

  it('gives a tie to the change being applied', () => {
    const tie = { gitlab: at.gitlab, spira: at.gitlab };
    expect(mergeChanges('spira', { gitlab: ['state'], spira: ['status'] }, tie).apply).toEqual(['state']);
  });

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

import { describe, expect, it } from 'vitest';
import type { FieldTimes } from '../../lib/domain/merge.js';
import {
  baselineAfterSync,
  type PairBaseline,
  type PairReading,
  planLinkedPair,
} from '../../lib/domain/pair/plan.js';

const T = (minute: number) =>
  new Date(Date.parse('2026-12-01T10:00:00.000Z') + minute * 60_000).toISOString();

// Hashes stand for values here: what matters is whether they differ from the baseline.
const gitlab = { title: 't', description: 'd', state: 'opened', assignee: 'a', milestone: 'm', labels: 'l' };
const spira = { name: 't', description: 'd', status: 'opened', owner: 'o', release: 'r', labels: 'l' };
const baseline: PairBaseline = {
  gitlabHashes: gitlab,
  spiraHashes: spira,
  appliedEventAt: T(0),
  spiraSeenAt: T(0),
};
const reading = (
  g: Partial<typeof gitlab>,
  s: Partial<typeof spira>,
  at: { gitlab: string; spira: string },
): PairReading => ({ hashes: { gitlab: { ...gitlab, ...g }, spira: { ...spira, ...s } }, at });

describe('planning a linked pair’s sync (planLinkedPair)', () => {
  it('plans a one-sided change at once, asking for no change times', () => {
    const step = planLinkedPair(
      baseline,
      reading({ title: 't2' }, {}, { gitlab: T(2), spira: T(0) }),
      'gitlab',
    );
    expect(step).toEqual({ plan: { toSpira: ['title'], toGitLab: [], conflicts: [] } });
  });

  it('asks for the change times of a field changed on both sides', () => {
    const step = planLinkedPair(
      baseline,
      reading({ title: 't2' }, { name: 't3' }, { gitlab: T(8), spira: T(5) }),
      'gitlab',
    );
    expect(step).toEqual({ needs: [expect.objectContaining({ gitlabField: 'title', spiraField: 'name' })] });
  });

  it('decides that conflict by the field’s own change times once it has them', () => {
    const read = reading({ title: 't2' }, { name: 't3' }, { gitlab: T(8), spira: T(5) });
    const times: FieldTimes = {
      gitlab: { title: T(2) },
      spira: { name: T(5) },
      byPerson: { gitlab: ['title'], spira: ['name'] },
    };
    const { plan } = planLinkedPair(baseline, read, 'gitlab', times);
    expect(plan.toGitLab).toEqual(['title']);
    expect(plan.conflicts).toEqual([
      { gitlabField: 'title', spiraField: 'name', winner: 'spira', gitlabAt: T(2), spiraAt: T(5) },
    ]);
  });

  it('suspects a field that looks unchanged on a side updated since the last sync (away and back)', () => {
    // Spira closed the incident; the issue was updated (closed and reopened), its state hash is as before.
    const read = reading({}, { status: 'closed' }, { gitlab: T(6), spira: T(3) });
    expect(planLinkedPair(baseline, read, 'spira')).toEqual({
      needs: [{ gitlabField: 'state', spiraField: 'status' }],
    });
    const reopenedLater: FieldTimes = {
      gitlab: { state: T(6) },
      spira: { status: T(3) },
      byPerson: { gitlab: ['state'], spira: ['status'] },
    };
    const { plan } = planLinkedPair(baseline, read, 'spira', reopenedLater);
    expect(plan).toMatchObject({ toSpira: ['state'], toGitLab: [] });
    expect(plan.conflicts[0]).toMatchObject({ winner: 'gitlab' });
  });

  it('keeps the plan when the suspect side’s person changed it earlier, or only the sync did', () => {
    const read = reading({}, { status: 'closed' }, { gitlab: T(6), spira: T(3) });
    const earlier: FieldTimes = {
      gitlab: { state: T(2) },
      spira: { status: T(3) },
      byPerson: { gitlab: ['state'], spira: ['status'] },
    };
    const bySyncOnly: FieldTimes = {
      gitlab: { state: T(6) },
      spira: { status: T(3) },
      byPerson: { gitlab: [], spira: ['status'] },
    };
    for (const times of [earlier, bySyncOnly])
      expect(planLinkedPair(baseline, read, 'spira', times).plan).toEqual({
        toSpira: [],
        toGitLab: ['state'],
        conflicts: [],
      });
  });

  it('does not suspect a side that was not updated since the last sync', () => {
    const read = reading({}, { status: 'closed' }, { gitlab: T(0), spira: T(3) });
    expect(planLinkedPair(baseline, read, 'spira')).toEqual({
      plan: { toSpira: [], toGitLab: ['state'], conflicts: [] },
    });
  });
});

describe('the baseline a sync leaves (baselineAfterSync)', () => {
  const read = reading({ title: 't2' }, { status: 'closed' }, { gitlab: T(2), spira: T(3) });
  const plan = { toSpira: ['title' as const], toGitLab: ['state' as const], conflicts: [] };

  it('hashes each field as read, or as written where it was written, never another field of the answer', () => {
    // The answers show a person's concurrent edits of fields this sync did not write (description, owner).
    const written = {
      gitlab: { ...gitlab, title: 't2', state: 'closed', description: 'person' },
      spira: { ...spira, name: 't2', status: 'closed', owner: 'person' },
    };
    const next = baselineAfterSync(baseline, read, written, plan, false);
    expect(next).toEqual({
      gitlabHashes: { ...gitlab, title: 't2', state: 'closed' },
      spiraHashes: { ...spira, name: 't2', status: 'closed' },
      appliedEventAt: T(2),
      spiraSeenAt: T(3),
    });
  });

  it('keeps the old state hash (or none) when Spira refused the status, so a replay tries again', () => {
    const refusedPlan = { toSpira: ['state' as const], toGitLab: [], conflicts: [] };
    const closing = reading({ state: 'closed' }, {}, { gitlab: T(2), spira: T(0) });
    const written = { gitlab: { ...gitlab, state: 'closed' }, spira };
    expect(baselineAfterSync(baseline, closing, written, refusedPlan, true).gitlabHashes.state).toBe(
      'opened',
    );
    const { state: _, ...noState } = gitlab;
    const fresh = { ...baseline, gitlabHashes: noState };
    expect(baselineAfterSync(fresh, closing, written, refusedPlan, true).gitlabHashes).not.toHaveProperty(
      'state',
    );
  });
});

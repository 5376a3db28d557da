import { describe, expect, it } from 'vitest';
import type { LinkRecord } from '../../lib/domain/link.js';
import { adoptionWindowStart, claimStateOf } from '../../lib/domain/pair/claim.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const claim = { claimedAt: new Date(T0).toISOString(), claimant: 'message-1' };

describe('claim states', () => {
  it('is mine when this attempt made it now, or an earlier receive of the same message made it', () => {
    expect(claimStateOf(claim, { fresh: true, claimant: 'message-2', now: T0 })).toEqual({ kind: 'mine' });
    expect(claimStateOf(claim, { fresh: false, claimant: 'message-1', now: T0 + 1000 })).toEqual({
      kind: 'mine',
    });
  });

  it('makes another message wait for the rest of a live lease (90 s by default), rounded up to seconds', () => {
    expect(claimStateOf(claim, { fresh: false, claimant: 'message-2', now: T0 + 30_500 })).toEqual({
      kind: 'wait',
      retryAfterSeconds: 60,
    });
    expect(claimStateOf(claim, { fresh: false, now: T0, leaseMs: 10_000 })).toEqual({
      kind: 'wait',
      retryAfterSeconds: 10,
    });
  });

  it('lets an expired claim (a crashed attempt) be taken over', () => {
    expect(claimStateOf(claim, { fresh: false, claimant: 'message-2', now: T0 + 90_000 })).toEqual({
      kind: 'expired',
    });
  });

  it('looks for a crashed attempt’s counterpart from 5 minutes before its first claim', () => {
    const taken: LinkRecord = {
      pk: 'gl-issue#1#2',
      state: 'pending',
      version: 1,
      claimedAt: '2026-12-01T10:09:00.000Z',
      firstClaimedAt: '2026-12-01T10:00:00.000Z',
    };
    expect(adoptionWindowStart(taken)).toBe('2026-12-01T09:55:00.000Z');
    expect(adoptionWindowStart({ ...taken, firstClaimedAt: undefined })).toBe('2026-12-01T10:04:00.000Z');
  });
});

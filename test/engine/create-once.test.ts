import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CounterpartPendingError } from '../../lib/domain/errors.js';
import type { LinkRecord } from '../../lib/domain/link.js';
import { createOnce, type OnceEffect, pointerBack } from '../../lib/engine/create-once.js';
import { StaleRecordError } from '../../lib/stores/errors.js';
import { MemoryLinkStore } from '../fakes/memory-stores.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const PK = 'gl-issue#7#3';

/** A counterpart "system" in memory: what was created, and what an adoption search would find. */
function counterparts() {
  const made: { id: number; marker: string }[] = [];
  const effect = (over: Partial<OnceEffect<number>> = {}): OnceEffect<number> => ({
    adopt: async () => made.find((m) => m.marker === PK)?.id,
    create: async () => {
      made.push({ id: 100 + made.length, marker: PK });
      return 100 + made.length - 1;
    },
    idOf: (id) => String(id),
    ...over,
  });
  return { made, effect };
}

async function pendingClaim(links: MemoryLinkStore, fields: Partial<LinkRecord> = {}) {
  return (await links.claim(PK, fields)).record;
}

describe('claim before create (createOnce)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('claims, creates once and links the claim to the counterpart', async () => {
    const links = new MemoryLinkStore();
    const { made, effect } = counterparts();
    const result = await createOnce({ links }, PK, { gitlabProjectId: 7 }, effect());
    expect(result).toMatchObject({ created: true, target: 100 });
    expect(result.record).toMatchObject({ pk: PK, state: 'linked', targetId: '100', gitlabProjectId: 7 });
    expect(made).toHaveLength(1);
    expect(links.records.get(PK)?.version).toBe(1);
  });

  it('does nothing for an item already linked', async () => {
    const links = new MemoryLinkStore();
    const { made, effect } = counterparts();
    await createOnce({ links }, PK, {}, effect());
    const again = await createOnce({ links }, PK, {}, effect());
    expect(again).toEqual({ record: links.records.get(PK), created: false });
    expect(made).toHaveLength(1);
  });

  it('makes another attempt wait while a live claim (lease) protects its creator, until the lease ends', async () => {
    const links = new MemoryLinkStore();
    await pendingClaim(links, { claimant: 'message-1' });
    vi.setSystemTime(T0 + 30_000);
    const { made, effect } = counterparts();
    const waiting = createOnce({ links, claimant: 'message-2' }, PK, {}, effect());
    await expect(waiting).rejects.toBeInstanceOf(CounterpartPendingError);
    await expect(waiting).rejects.toMatchObject({ retryAfterSeconds: 60 });
    expect(made).toHaveLength(0);
    expect(links.records.get(PK)?.state).toBe('pending');
  });

  it('takes over an expired claim (a crashed attempt), keeping when it was first claimed', async () => {
    const links = new MemoryLinkStore();
    await pendingClaim(links, { claimant: 'message-1' });
    vi.setSystemTime(T0 + 91_000);
    const { made, effect } = counterparts();
    let claimSeen: LinkRecord | undefined;
    const result = await createOnce(
      { links, claimant: 'message-2' },
      PK,
      { gitlabHashes: { description: 'now' } },
      effect({
        beforeComplete: async (_id, claim) => {
          claimSeen = claim;
        },
      }),
    );
    expect(result.created).toBe(true);
    expect(made).toHaveLength(1);
    expect(claimSeen).toMatchObject({
      claimant: 'message-2',
      firstClaimedAt: new Date(T0).toISOString(),
      claimedAt: new Date(T0 + 91_000).toISOString(),
      // The retry records what it is about to create (found by the fault suite: 9b341bc).
      gitlabHashes: { description: 'now' },
    });
  });

  it('lets a retry of the message that made the claim go on at once (its own claim)', async () => {
    const links = new MemoryLinkStore();
    await pendingClaim(links, { claimant: 'message-1' });
    vi.setSystemTime(T0 + 1_000);
    const { made, effect } = counterparts();
    const result = await createOnce({ links, claimant: 'message-1' }, PK, {}, effect());
    expect(result.created).toBe(true);
    expect(made).toHaveLength(1);
  });

  it('adopts the marked counterpart of an attempt that crashed after creating it, even within the lease', async () => {
    const links = new MemoryLinkStore();
    const { made, effect } = counterparts();
    const crash = new Error('crash');
    await expect(
      createOnce(
        {
          links,
          claimant: 'message-1',
          fault: (point) => {
            if (point === 'after-create') throw crash;
          },
        },
        PK,
        {},
        effect(),
      ),
    ).rejects.toBe(crash);
    expect(links.records.get(PK)?.state).toBe('pending');
    vi.setSystemTime(T0 + 5_000);
    const adopted: boolean[] = [];
    const result = await createOnce(
      { links, claimant: 'message-2' },
      PK,
      {},
      effect({
        completeWith: async (_id, _claim, wasAdopted) => {
          adopted.push(wasAdopted);
          return { spiraHashes: { name: 'h' } };
        },
      }),
    );
    expect(result).toMatchObject({ created: false, target: 100 });
    expect(result.record).toMatchObject({ state: 'linked', targetId: '100', spiraHashes: { name: 'h' } });
    expect(adopted).toEqual([true]);
    expect(made).toHaveLength(1);
  });

  it('lets only one of two retries take an expired claim over (the save is version-checked)', async () => {
    const links = new MemoryLinkStore();
    await pendingClaim(links, { claimant: 'message-1' });
    vi.setSystemTime(T0 + 120_000);
    const { made, effect } = counterparts();
    const [a, b] = await Promise.allSettled([
      createOnce({ links, claimant: 'message-2' }, PK, {}, effect()),
      createOnce({ links, claimant: 'message-3' }, PK, {}, effect()),
    ]);
    const outcomes = [a.status, b.status].sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const failed = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(StaleRecordError);
    expect(made).toHaveLength(1);
  });

  it('writes the reverse pointer back to the claim when a retry completes it', async () => {
    const links = new MemoryLinkStore();
    const { effect } = counterparts();
    await expect(
      createOnce(
        {
          links,
          fault: (point) => {
            if (point === 'after-create') throw new Error('crash');
          },
        },
        PK,
        {},
        effect(),
      ),
    ).rejects.toThrow('crash');
    await createOnce(
      { links },
      PK,
      {},
      effect({
        beforeComplete: (id) => pointerBack(links, PK, `sp-incident#1#${id}`, { spiraProjectId: 1 }),
      }),
    );
    expect(links.records.get('sp-incident#1#100')).toMatchObject({
      state: 'linked',
      targetId: PK,
      spiraProjectId: 1,
    });
  });
});

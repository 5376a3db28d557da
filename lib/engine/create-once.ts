import { CounterpartPendingError } from '../domain/errors.js';
import { firstClaimOf, type LinkRecord } from '../domain/link.js';
import { claimStateOf } from '../domain/pair/claim.js';
import type { LinkStore } from '../ports/link-store.js';
import type { FaultHook } from '../ports/sync-ports.js';

/** How to make a counterpart, find one made by a crashed attempt, and what to record before completing. */
export interface OnceEffect<T> {
  /** Looks for a counterpart carrying our marker (made by an attempt that crashed before recording it). */
  adopt(claim: LinkRecord): Promise<T | undefined>;
  create(): Promise<T>;
  /** The id recorded as the claim's `targetId`. */
  idOf(target: T): string;
  /** Records written after the counterpart exists and before the claim completes (reverse pointers, pair). */
  beforeComplete?(target: T, claim: LinkRecord): Promise<void>;
  /**
   * Fields saved with the completion itself (the hashes of what was synced), so that a link is never linked
   * without them. `adopted` tells a counterpart found by `adopt` from one made by this call.
   */
  completeWith?(target: T, claim: LinkRecord, adopted: boolean): Promise<Partial<LinkRecord>>;
}

/** What createOnce needs: the store, the test fault hook, and how long a claim protects its creator. */
export interface OnceDeps {
  links: LinkStore;
  fault?: FaultHook;
  /**
   * A pending claim younger than this belongs to an attempt that may still be running: others wait instead of
   * adopting or creating. Longer than the worker's timeout (60 s in AWS); an older one is a crashed attempt.
   */
  claimLeaseMs?: number;
  /** The queue message being handled: a pending claim it made on an earlier, failed receive is its own. */
  claimant?: string;
}

/** The completed record, and the counterpart when this call created or adopted it. */
export type OnceResult<T> = { record: LinkRecord; created: boolean; target?: T };

/**
 * Claim-before-create: the record is claimed with a conditional put *before* the counterpart is made and
 * completed after, so a retry after a crash in between adopts the marked counterpart instead of making a
 * second one.
 *
 *   attempt 1: claim ──► create ──✗ crash
 *   attempt 2: (pending found) ──► adopt by marker ──► complete        → still one counterpart
 */
export async function createOnce<T>(
  deps: OnceDeps,
  pk: string,
  init: Partial<LinkRecord>,
  effect: OnceEffect<T>,
): Promise<OnceResult<T>> {
  const { links, fault = () => {} } = deps;
  const found = await links.get(pk);
  if (found?.state === 'linked') return { record: found, created: false };
  let record = found;
  let target: T | undefined;
  let fresh = false;
  if (!record) {
    const claim = await links.claim(pk, deps.claimant ? { ...init, claimant: deps.claimant } : init);
    record = claim.record;
    if (!claim.claimed && record.state === 'linked') return { record, created: false };
    fresh = claim.claimed;
    if (!claim.claimed) target = await effect.adopt(record);
  } else {
    target = await effect.adopt(record);
  }
  // An earlier receive of this same message made the claim and failed: it is over, so this retry goes on.
  const state = claimStateOf(record, {
    fresh,
    claimant: deps.claimant,
    leaseMs: deps.claimLeaseMs,
    now: Date.now(),
  });
  if (target === undefined && state.kind === 'wait') {
    // Another message holds a live claim (another item creating the same milestone, say): come back when its
    // lease ends, so that waiting does not use up the receives that lead to the dead-letter queue.
    const error = new CounterpartPendingError(
      `${pk} is being created by another attempt (claimed ${record.claimedAt})`,
    );
    error.retryAfterSeconds = state.retryAfterSeconds;
    throw error;
  }
  // Take an expired or own claim over (version-checked, so two retries cannot both go on), with this
  // attempt's `init` (what it is about to create, such as the hash of a note's text as it is now).
  if (target === undefined && !fresh)
    record = await links.save({
      ...record,
      ...init,
      firstClaimedAt: firstClaimOf(record),
      claimedAt: new Date().toISOString(),
      ...(deps.claimant ? { claimant: deps.claimant } : {}),
    });
  await fault('after-claim', pk);
  const created = target === undefined;
  target ??= await effect.create();
  await fault('after-create', pk);
  await effect.beforeComplete?.(target, record);
  const extra = (await effect.completeWith?.(target, record, !created)) ?? {};
  const linked = await links.save({ ...record, ...extra, state: 'linked', targetId: effect.idOf(target) });
  await fault('after-complete', pk);
  return { record: linked, created, target };
}

/** A `beforeComplete` that writes a reverse pointer from the counterpart's key back to `pk`. */
export function pointerBack(
  links: LinkStore,
  pk: string,
  reverseKey: string,
  init: Partial<LinkRecord>,
): Promise<void> {
  return links.overwrite({
    ...init,
    pk: reverseKey,
    state: 'linked',
    version: 0,
    claimedAt: new Date().toISOString(),
    targetId: pk,
  });
}

import type { LinkRecord } from '../domain/link.js';
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
  links: LinkStore,
  pk: string,
  init: Partial<LinkRecord>,
  effect: OnceEffect<T>,
  fault: FaultHook = () => {},
): Promise<OnceResult<T>> {
  const found = await links.get(pk);
  if (found?.state === 'linked') return { record: found, created: false };
  let record = found;
  let target: T | undefined;
  if (!record) {
    const claim = await links.claim(pk, init);
    record = claim.record;
    if (!claim.claimed && record.state === 'linked') return { record, created: false };
    if (!claim.claimed) target = await effect.adopt(record);
  } else {
    target = await effect.adopt(record);
  }
  await fault('after-claim', pk);
  const created = target === undefined;
  target ??= await effect.create();
  await fault('after-create', pk);
  await effect.beforeComplete?.(target, record);
  const linked = await links.save({ ...record, state: 'linked', targetId: effect.idOf(target) });
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

import type { LinkRecord } from '../domain/link.js';
import type { LinkStore } from '../ports/link-store.js';
import type { FaultHook } from '../ports/sync-ports.js';

/** How to make a counterpart, find one made by a crashed attempt, and key its reverse record. */
export interface OnceEffect {
  /** Looks for a counterpart carrying our marker (made by an attempt that crashed before recording it). */
  adopt(claim: LinkRecord): Promise<string | undefined>;
  create(): Promise<string>;
  /** Key of the reverse record of a counterpart id, if one is kept. */
  reverseKey?(targetId: string): string;
}

/**
 * Claim-before-create: the record is claimed with a conditional put *before* the counterpart is made and
 * completed after, so a retry after a crash in between adopts the marked counterpart instead of making a
 * second one.
 *
 *   attempt 1: claim ──► create ──✗ crash
 *   attempt 2: (pending found) ──► adopt by marker ──► complete        → still one counterpart
 */
export async function createOnce(
  links: LinkStore,
  pk: string,
  init: Partial<LinkRecord>,
  effect: OnceEffect,
  fault: FaultHook = () => {},
): Promise<{ record: LinkRecord; created: boolean }> {
  const found = await links.get(pk);
  if (found?.state === 'linked') return { record: found, created: false };
  let record = found;
  let targetId: string | undefined;
  if (!record) {
    const claim = await links.claim(pk, init);
    record = claim.record;
    if (!claim.claimed && record.state === 'linked') return { record, created: false };
    if (!claim.claimed) targetId = await effect.adopt(record);
  } else {
    targetId = await effect.adopt(record);
  }
  await fault('after-claim', pk);
  const created = targetId === undefined;
  targetId ??= await effect.create();
  await fault('after-create', pk);
  if (effect.reverseKey) {
    const reverse = effect.reverseKey(targetId);
    await links.overwrite({ ...init, pk: reverse, state: 'linked', version: 0, claimedAt: record.claimedAt, targetId: pk, counterpart: pk });
  }
  const linked = await links.save({ ...record, state: 'linked', targetId, ...(effect.reverseKey ? { counterpart: effect.reverseKey(targetId) } : {}) });
  await fault('after-complete', pk);
  return { record: linked, created };
}

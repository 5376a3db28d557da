import { firstClaimOf, type LinkRecord } from '../link.js';

/** How long a pending claim protects the attempt that made it (longer than the worker's 60 s timeout). */
export const CLAIM_LEASE_MS = 90_000;

/** How far before the first claim a counterpart made by a crashed attempt may have been created. */
export const ADOPTION_WINDOW_MS = 5 * 60_000;

/**
 * What a pending claim lets this attempt do when no counterpart was adopted: go on (the claim is its own —
 * made now or by an earlier receive of the same message), take over a claim whose lease ran out (a crashed
 * attempt), or wait until the live lease of another attempt ends.
 */
export type ClaimState = { kind: 'mine' } | { kind: 'expired' } | { kind: 'wait'; retryAfterSeconds: number };

export function claimStateOf(
  claim: Pick<LinkRecord, 'claimedAt' | 'claimant'>,
  by: { fresh: boolean; claimant?: string | undefined; leaseMs?: number | undefined; now: number },
): ClaimState {
  if (by.fresh || (by.claimant !== undefined && claim.claimant === by.claimant)) return { kind: 'mine' };
  const leaseLeftMs = Date.parse(claim.claimedAt) + (by.leaseMs ?? CLAIM_LEASE_MS) - by.now;
  return leaseLeftMs > 0
    ? { kind: 'wait', retryAfterSeconds: Math.ceil(leaseLeftMs / 1000) }
    : { kind: 'expired' };
}

/** Since when to look for a counterpart a crashed attempt of this claim may have made (ISO). */
export function adoptionWindowStart(claim: LinkRecord): string {
  return new Date(Date.parse(firstClaimOf(claim)) - ADOPTION_WINDOW_MS).toISOString();
}

import type { LinkRecord } from '../domain/link.js';

/** Outcome of a claim: ours, or somebody's record that already exists. */
export type ClaimResult = { claimed: true; record: LinkRecord } | { claimed: false; record: LinkRecord };

/** Durable ID mappings with conditional writes (DynamoDB in AWS and locally). */
export interface LinkStore {
  get(pk: string): Promise<LinkRecord | undefined>;
  /** Creates a `pending` record unless one exists (then returns it). */
  claim(pk: string, fields: Partial<LinkRecord>): Promise<ClaimResult>;
  /** Replaces a record if its version is still `record.version`; stores version + 1. Throws a retryable error on a race. */
  save(record: LinkRecord): Promise<LinkRecord>;
  /** Writes a record whatever is there (reverse pointers, which are derived and idempotent). */
  overwrite(record: LinkRecord): Promise<void>;
}

/** Webhook deliveries already queued, by GitLab's Idempotency-Key (or a body hash). */
export interface DeliveryStore {
  seen(key: string): Promise<boolean>;
  remember(key: string): Promise<void>;
}

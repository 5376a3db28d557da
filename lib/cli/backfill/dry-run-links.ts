import type { LinkRecord } from '../../domain/link.js';
import type { ClaimResult, LinkStore } from '../../ports/link-store.js';
import { StaleRecordError } from '../../stores/errors.js';

/**
 * The link store of a dry run: reads fall through to the real store, writes stay in memory (with the same
 * claim and version rules), so the engine decides exactly as it would while nothing is written.
 */
export class DryRunLinkStore implements LinkStore {
  private readonly written = new Map<string, LinkRecord>();

  constructor(private readonly real: LinkStore) {}

  async get(pk: string): Promise<LinkRecord | undefined> {
    return this.written.get(pk) ?? this.real.get(pk);
  }

  async claim(pk: string, fields: Partial<LinkRecord>): Promise<ClaimResult> {
    const existing = await this.get(pk);
    if (existing) return { claimed: false, record: existing };
    const record: LinkRecord = {
      ...fields,
      pk,
      state: 'pending',
      version: 0,
      claimedAt: new Date().toISOString(),
    };
    this.written.set(pk, record);
    return { claimed: true, record };
  }

  async save(record: LinkRecord): Promise<LinkRecord> {
    const current = await this.get(record.pk);
    if (current && current.version !== record.version) throw new StaleRecordError(record.pk);
    const next = { ...record, version: record.version + 1 };
    this.written.set(record.pk, next);
    return next;
  }

  async overwrite(record: LinkRecord): Promise<void> {
    this.written.set(record.pk, record);
  }
}

import type { AuditEntry, ParkedMessage } from '../../lib/domain/audit.js';
import type { WatchList } from '../../lib/domain/comment-watch.js';
import { type LinkRecord, newClaim } from '../../lib/domain/link.js';
import type { SyncCommand } from '../../lib/domain/sync-command.js';
import type { Audit } from '../../lib/ports/audit.js';
import type { CommandQueue } from '../../lib/ports/command-queue.js';
import type { CursorStore } from '../../lib/ports/cursor-store.js';
import type { ClaimResult, LinkStore } from '../../lib/ports/link-store.js';
import type { Parking } from '../../lib/ports/parking.js';
import type { WatchStore } from '../../lib/ports/watch-store.js';
import { StaleRecordError } from '../../lib/stores/errors.js';

/**
 * The link store in memory, with DynamoDB's rules: a claim is a put-if-absent, a save is a put conditioned
 * on the stored version (so a record that does not exist cannot be saved), records are copied in and out.
 */
export class MemoryLinkStore implements LinkStore {
  readonly records = new Map<string, LinkRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async get(pk: string): Promise<LinkRecord | undefined> {
    const found = this.records.get(pk);
    return found && structuredClone(found);
  }

  async claim(pk: string, fields: Partial<LinkRecord>): Promise<ClaimResult> {
    const existing = this.records.get(pk);
    if (existing) return { claimed: false, record: structuredClone(existing) };
    const record = newClaim(pk, fields, this.now());
    this.records.set(pk, structuredClone(record));
    return { claimed: true, record };
  }

  async save(record: LinkRecord): Promise<LinkRecord> {
    if (this.records.get(record.pk)?.version !== record.version) throw new StaleRecordError(record.pk);
    const next = { ...record, version: record.version + 1 };
    this.records.set(record.pk, structuredClone(next));
    return next;
  }

  async overwrite(record: LinkRecord): Promise<void> {
    this.records.set(record.pk, structuredClone(record));
  }
}

/** Item histories in memory, oldest first. */
export class MemoryAudit implements Audit {
  readonly entries = new Map<string, AuditEntry[]>();

  async record(itemKey: string, _spiraProjectId: number, entry: AuditEntry): Promise<void> {
    this.entries.set(itemKey, [...(this.entries.get(itemKey) ?? []), { ...entry }]);
  }

  async history(itemKey: string): Promise<AuditEntry[]> {
    return (this.entries.get(itemKey) ?? []).map((entry) => ({ ...entry }));
  }
}

/** The command queue in memory: what was sent (deduplicated by id, as SQS FIFO does) and what was delayed. */
export class MemoryCommandQueue implements CommandQueue {
  readonly sent: { command: SyncCommand; deduplicationId: string }[] = [];
  readonly delayed: { receiptHandle: string; seconds: number }[] = [];

  async send(command: SyncCommand, deduplicationId: string): Promise<void> {
    if (this.sent.some((m) => m.deduplicationId === deduplicationId)) return;
    this.sent.push({ command: structuredClone(command), deduplicationId });
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    this.delayed.push({ receiptHandle, seconds });
  }
}

export class MemoryCursorStore implements CursorStore {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
}

export class MemoryWatchStore implements WatchStore {
  readonly lists = new Map<number, WatchList>();
  async get(spiraProjectId: number): Promise<WatchList> {
    return structuredClone(this.lists.get(spiraProjectId) ?? {});
  }
  async put(spiraProjectId: number, list: WatchList): Promise<void> {
    this.lists.set(spiraProjectId, structuredClone(list));
  }
}

export class MemoryParking implements Parking {
  readonly parked: ParkedMessage[] = [];
  async park(message: ParkedMessage): Promise<void> {
    this.parked.push({ ...message });
  }
}

import type { AuditEntry } from '../domain/audit.js';

/** Item histories (events, decisions, writes, skip reasons, conflicts). */
export interface Audit {
  record(itemKey: string, spiraProjectId: number, entry: AuditEntry): Promise<void>;
  /** The item's entries, oldest first. */
  history(itemKey: string): Promise<AuditEntry[]>;
}

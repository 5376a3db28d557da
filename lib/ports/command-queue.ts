import type { SyncCommand } from '../domain/sync-command.js';

/** The FIFO queue of sync commands. */
export interface CommandQueue {
  /** Durably queues one command in its item's group; duplicates of `deduplicationId` within 5 minutes are dropped by SQS. */
  send(command: SyncCommand, deduplicationId: string): Promise<void>;
  /** Makes a received message visible again after `seconds` (the retry delay of a failed record). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

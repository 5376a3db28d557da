import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { messageGroupOf, type SyncCommand } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';

/**
 * The local runtime's inbox journal (README "Local runtime: durability"): fauxqs keeps its queue in memory,
 * so every command is first written to a table of the on-disk DynamoDB Local, then sent. An entry is
 * deleted once its message was handled and deleted from the queue; whatever is left when the runtime
 * starts again is sent again into the fresh queue, in the order it was first queued.
 */
export interface JournalEntry {
  /** The deduplication id (the webhook's Idempotency-Key, the poller's change id). */
  pk: string;
  /** Order of first queueing: `<ms since epoch, 15 digits>-<counter, 6 digits>`. */
  seq: string;
  body: string;
  group: string;
  /** The SQS MessageId the command was first sent with (kept as the worker's claimant across restarts). */
  messageId?: string;
  /** Receives before the latest restart (added to SQS's ApproximateReceiveCount). */
  receives?: number;
}

/** Message attributes the journal adds to what it sends, read back by the queue loop. */
export const JOURNAL_ID = 'journalId';
export const FIRST_MESSAGE_ID = 'firstMessageId';
export const EARLIER_RECEIVES = 'earlierReceives';

/** SQS FIFO's deduplication window: a send of an id handled this recently is dropped by the queue. */
const DEDUP_WINDOW_MS = 5 * 60_000;

export class InboxJournal {
  private counter = 0;
  private last = 0;
  /** Ids handled within the deduplication window (in memory, like fauxqs's own deduplication cache). */
  private readonly handled = new Map<string, number>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  private nextSeq(): string {
    const now = Math.max(Date.now(), this.last);
    this.counter = now === this.last ? this.counter + 1 : 0;
    this.last = now;
    return `${String(now).padStart(15, '0')}-${String(this.counter).padStart(6, '0')}`;
  }

  /** Whether SQS will drop a send of this id as a duplicate of one handled in the last 5 minutes. */
  handledRecently(pk: string): boolean {
    const at = this.handled.get(pk);
    return at !== undefined && Date.now() - at < DEDUP_WINDOW_MS;
  }

  /**
   * Writes the entry unless one with this id is already waiting, or was handled within the deduplication
   * window (SQS drops that send, so the entry would never be deleted).
   */
  async record(entry: Omit<JournalEntry, 'seq'>): Promise<boolean> {
    if (this.handledRecently(entry.pk)) return false;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...entry, seq: this.nextSeq() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async setMessageId(pk: string, messageId: string): Promise<void> {
    await this.updateIfPresent(pk, 'SET messageId = if_not_exists(messageId, :v)', messageId);
  }

  /** Keeps the receive count of a message that failed, so a restart does not reset it. */
  async setReceives(pk: string, receives: number): Promise<void> {
    await this.updateIfPresent(pk, 'SET receives = :v', receives);
  }

  /** One update of an entry that may be gone already (handled meanwhile): then nothing is written. */
  private async updateIfPresent(pk: string, expression: string, value: string | number): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': value },
        }),
      )
      .catch((error: { name?: string }) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async done(pk: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk } }));
    const now = Date.now();
    this.handled.set(pk, now);
    for (const [id, at] of this.handled) if (now - at >= DEDUP_WINDOW_MS) this.handled.delete(id);
  }

  /** Removes an entry whose send failed (not handled: a later send of the same id is journaled again). */
  async forget(pk: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk } }));
  }

  /** How many entries wait (the queue's backlog as the journal sees it). */
  async size(): Promise<number> {
    const page = await this.db.send(new ScanCommand({ TableName: this.table, Select: 'COUNT' }));
    return page.Count ?? 0;
  }

  /** Every waiting entry, oldest first. */
  async pending(): Promise<JournalEntry[]> {
    const entries: JournalEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: this.table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      entries.push(...((page.Items ?? []) as JournalEntry[]));
      start = page.LastEvaluatedKey;
    } while (start);
    const sorted = entries.sort((a, b) => a.seq.localeCompare(b.seq));
    const newest = sorted.at(-1);
    if (newest) this.last = Math.max(this.last, Number(newest.seq.split('-')[0]));
    return sorted;
  }
}

/** Sends one journal entry to a queue, with the attributes the queue loop reads back. */
export async function sendEntry(sqs: SQSClient, queueUrl: string, entry: Omit<JournalEntry, 'seq'>) {
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: entry.body,
      MessageGroupId: entry.group,
      MessageDeduplicationId: entry.pk,
      MessageAttributes: {
        [JOURNAL_ID]: attribute(entry.pk),
        ...(entry.messageId ? { [FIRST_MESSAGE_ID]: attribute(entry.messageId) } : {}),
        ...(entry.receives ? { [EARLIER_RECEIVES]: attribute(String(entry.receives)) } : {}),
      },
    }),
  );
  return sent.MessageId as string;
}

/**
 * The local CommandQueue: journal first (durably, in DynamoDB Local on disk), then SQS. `send` resolves
 * only when both are done, so a webhook is answered 2xx only for a command that survives a kill.
 */
export class JournaledCommandQueue implements CommandQueue {
  constructor(
    private readonly journal: InboxJournal,
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly inner: Pick<CommandQueue, 'retryLater'>,
  ) {}

  async send(command: SyncCommand, deduplicationId: string): Promise<void> {
    const entry = { pk: deduplicationId, body: JSON.stringify(command), group: messageGroupOf(command) };
    const fresh = await this.journal.record(entry);
    try {
      const messageId = await sendEntry(this.sqs, this.queueUrl, entry);
      if (fresh) await this.journal.setMessageId(deduplicationId, messageId);
    } catch (error) {
      // Not queued: the caller answers 5xx (GitLab sends it again) or polls it again.
      if (fresh) await this.journal.forget(deduplicationId).catch(() => undefined);
      throw error;
    }
  }

  retryLater(receiptHandle: string, seconds: number): Promise<void> {
    return this.inner.retryLater(receiptHandle, seconds);
  }
}

/**
 * On start: sends every waiting entry again, oldest first. Entries whose receives reached the
 * dead-letter threshold go to the dead-letter queue instead, as SQS would have moved them.
 */
export async function replayJournal(
  journal: InboxJournal,
  sqs: SQSClient,
  urls: { queueUrl: string; dlqUrl: string },
  maxReceiveCount: number,
): Promise<{ resent: number; deadLettered: number }> {
  let resent = 0;
  let deadLettered = 0;
  for (const entry of await journal.pending()) {
    const dead = (entry.receives ?? 0) >= maxReceiveCount;
    await sendEntry(sqs, dead ? urls.dlqUrl : urls.queueUrl, entry);
    if (dead) deadLettered++;
    else resent++;
  }
  return { resent, deadLettered };
}

/**
 * The journal of a running `npm start` in durable mode, for the CLI (`replay` journals what it queues
 * again, like the webhook and the poller do); undefined when there is none (demo mode, deployed).
 */
export async function openJournal(
  db: DynamoDBDocumentClient,
  dynamo: DynamoDBClient,
  table: string,
): Promise<InboxJournal | undefined> {
  const name = `${table}-inbox`;
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return new InboxJournal(db, name);
  } catch {
    return undefined;
  }
}

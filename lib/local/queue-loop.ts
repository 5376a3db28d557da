import type { Message } from '@aws-sdk/client-sqs';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EARLIER_RECEIVES, FIRST_MESSAGE_ID, type InboxJournal, JOURNAL_ID } from './inbox-journal.js';

/** A worker handler as Lambda calls it. */
export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Options of the loop beyond the queue and the handler. */
export interface QueueLoopOptions {
  concurrency?: number;
  /** The inbox journal (durable mode): entries are deleted once their message is handled and deleted. */
  journal?: InboxJournal;
  /**
   * Test-only: waits this long before handling each batch (SYNC_TEST_WORKER_DELAY_MS), so that tests can
   * have webhooks acknowledged while the worker lags behind. Never set it in real use.
   */
  delayMs?: number;
}

/** What the worker did lately, for `/health`. */
export interface WorkerProgress {
  batches: number;
  records: number;
  failures: number;
  /** When a record was last handled (succeeded or parked), ISO time. */
  lastProgressAt?: string;
  /** When a batch last ended, whatever its outcome. */
  lastBatchAt?: string;
  lastError?: string;
}

/** Runs the worker like Lambda's SQS event source: receive up to 10, call the handler, delete what succeeded. */
export class QueueLoop {
  private running = false;
  private busy = 0;
  private loops: Promise<void>[] = [];
  private readonly concurrency: number;
  readonly stats: WorkerProgress = { batches: 0, records: 0, failures: 0 };

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly handler: WorkerHandler,
    private readonly options: QueueLoopOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
  }

  /** Batches being handled now. */
  get inFlight(): number {
    return this.busy;
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Resolves once the queue is empty (nothing visible or in flight) and no batch is being handled. */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    while (Date.now() < deadline) {
      const { Attributes = {} } = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const pending =
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
      quiet = pending === 0 && this.busy === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return;
      await new Promise((ok) => setTimeout(ok, 25));
    }
    throw new Error(`queue not drained within ${timeoutMs} ms`);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const { Messages = [] } = await this.sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
        .catch(() => ({ Messages: [] as Message[] }));
      if (Messages.length === 0) continue;
      this.busy++;
      try {
        await this.handle(Messages);
      } catch (error) {
        // Not deleted: the messages come back after their visibility timeout (and the journal keeps them).
        this.stats.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      } finally {
        this.busy--;
      }
    }
  }

  private async handle(messages: Message[]): Promise<void> {
    if (this.options.delayMs) await new Promise((ok) => setTimeout(ok, this.options.delayMs));
    const records = messages.map((m) => toRecord(m, this.queueUrl));
    let failed: Set<string>;
    try {
      const response = await this.handler({ Records: records }, localContext());
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (error) {
      this.stats.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failed = new Set(records.map((r) => r.messageId));
    }
    this.stats.batches++;
    this.stats.records += records.length;
    this.stats.failures += failed.size;
    this.stats.lastBatchAt = new Date().toISOString();
    const done = messages.filter((_, i) => !failed.has(records[i]?.messageId as string));
    if (done.length > 0) this.stats.lastProgressAt = this.stats.lastBatchAt;
    const journal = this.options.journal;
    if (journal) {
      // A failed record keeps its receive count in the journal, so a restart does not reset it.
      await Promise.all(
        records.map((r, i) => {
          const id = journalIdOf(messages[i] as Message);
          if (!id || !failed.has(r.messageId)) return undefined;
          return journal.setReceives(id, Number(r.attributes.ApproximateReceiveCount)).catch(() => undefined);
        }),
      );
    }
    if (done.length === 0) return;
    await this.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
    // Only now is the command safe to forget: a kill before this line sends it again on the next start.
    if (journal)
      await Promise.all(done.map((m) => journalIdOf(m)).map((id) => (id ? journal.done(id) : undefined)));
  }
}

const attributeOf = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;
const journalIdOf = (message: Message) => attributeOf(message, JOURNAL_ID);

/**
 * A received message as Lambda would pass it. A message the journal sent again after a restart keeps its
 * first MessageId (the worker's claims name it) and its earlier receives count towards the receive count.
 */
function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const earlier = Number(attributeOf(message, EARLIER_RECEIVES) ?? 0);
  const receives = Number(attributes.ApproximateReceiveCount ?? 1) + earlier;
  return {
    messageId: attributeOf(message, FIRST_MESSAGE_ID) ?? (message.MessageId as string),
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: String(receives),
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`,
    awsRegion: 'us-east-1',
  };
}

function localContext(): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sync-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sync-worker',
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

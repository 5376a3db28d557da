import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { messageGroupOf, type SyncCommand } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';

/** CommandQueue on an SQS FIFO queue: one SendMessage per command, group = the item. */
export class SqsCommandQueue implements CommandQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(command: SyncCommand, deduplicationId: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(command),
        MessageGroupId: messageGroupOf(command),
        MessageDeduplicationId: deduplicationId,
      }),
    );
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    const VisibilityTimeout = Math.max(0, Math.min(43_200, Math.round(seconds)));
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout,
      }),
    );
  }
}

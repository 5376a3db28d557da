import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ParkedMessage } from '../domain/audit.js';

/** Parks permanently failing messages in the table (`parked#<messageId>`). */
export class DynamoParkingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async park(message: ParkedMessage): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `parked#${message.messageId}`, ...message, parkedAt: this.now().toISOString() },
      }),
    );
  }
}

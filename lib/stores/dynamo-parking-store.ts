import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

/** A message that no retry can apply, kept with its reason so it can be fixed and replayed. */
export interface ParkedMessage {
  messageId: string;
  body: string;
  reason: string;
  errorName: string;
}

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

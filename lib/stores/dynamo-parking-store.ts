import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseResponse } from '../connectors/http-errors.js';
import type { ParkedMessage } from '../domain/audit.js';
import type { Parking } from '../ports/parking.js';

/** A parked message as stored. */
export const ParkedItemSchema = z.object({
  pk: z.string(),
  messageId: z.string(),
  body: z.string(),
  reason: z.string(),
  errorName: z.string(),
  parkedAt: z.string(),
});
export type ParkedItem = z.infer<typeof ParkedItemSchema>;

/** Parks permanently failing messages in the table (`parked#<messageId>`). */
export class DynamoParkingStore implements Parking {
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

  /**
   * Every parked message, oldest first. A filtered Scan of the whole table (operator commands and the local
   * status page only; never on the sync's hot path).
   */
  async list(): Promise<ParkedItem[]> {
    const items: ParkedItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'begins_with(pk, :parked)',
          ExpressionAttributeValues: { ':parked': 'parked#' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? [])
        items.push(parseResponse(ParkedItemSchema, item, `DynamoDB item ${String(item.pk)}`));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
  }

  /** Forgets a parked message (after it was replayed); true when it was still there. */
  async remove(messageId: string): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: `parked#${messageId}` },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }
}

import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryStore } from '../ports/link-store.js';

/** How long a delivery key is remembered (GitLab keeps hook events 7 days for "Resend request"). */
const REMEMBER_SECONDS = 8 * 24 * 3600;

/** Remembers accepted webhook deliveries in the table, expiring through its TTL attribute `expiresAt`. */
export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async seen(key: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `hook#${key}` }, ConsistentRead: true }),
    );
    return Item !== undefined && Number(Item.expiresAt) > this.now().getTime() / 1000;
  }

  async remember(key: string): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + REMEMBER_SECONDS;
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `hook#${key}`, expiresAt } }));
  }
}

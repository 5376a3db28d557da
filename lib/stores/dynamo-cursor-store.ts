import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseResponse } from '../connectors/http-errors.js';
import type { CursorStore } from '../ports/cursor-store.js';

const CursorSchema = z.object({ pk: z.string(), value: z.string(), updatedAt: z.string() });

/** Poll watermarks (`cursor#<name>`), one item each. */
export class DynamoCursorStore implements CursorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(name: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `cursor#${name}` }, ConsistentRead: true }),
    );
    return Item ? parseResponse(CursorSchema, Item, `DynamoDB item cursor#${name}`).value : undefined;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `cursor#${name}`, value, updatedAt: this.now().toISOString() },
      }),
    );
  }
}

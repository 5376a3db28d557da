import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseResponse } from '../connectors/http-errors.js';
import { WatchEntrySchema, type WatchList } from '../domain/comment-watch.js';
import type { WatchStore } from '../ports/watch-store.js';

const WatchItemSchema = z.object({ pk: z.string(), entries: z.record(z.string(), WatchEntrySchema) });

/**
 * The comment watch list of one Spira product in one item (`watch#<projectId>`): one read and one write per
 * poll cycle. About 60 bytes an incident, so an item holds several thousand linked incidents.
 */
export class DynamoWatchStore implements WatchStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(spiraProjectId: number): Promise<WatchList> {
    const pk = `watch#${spiraProjectId}`;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return Item ? parseResponse(WatchItemSchema, Item, `DynamoDB item ${pk}`).entries : {};
  }

  async put(spiraProjectId: number, entries: WatchList): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { pk: `watch#${spiraProjectId}`, entries } }),
    );
  }
}

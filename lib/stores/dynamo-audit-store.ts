import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseResponse } from '../connectors/http-errors.js';
import { type AuditEntry, AuditEntrySchema } from '../domain/audit.js';

const AuditItemSchema = z.object({ pk: z.string(), entries: z.array(AuditEntrySchema) });

/** How many entries an item keeps (one DynamoDB item each: well under the 400 KB item limit). */
export const HISTORY_LIMIT = 200;
export const RECENT_LIMIT = 100;

const RecentSlotSchema = z.object({ pk: z.string(), n: z.number().int(), entry: AuditEntrySchema });

/**
 * Histories: `audit#<item key>` per synced item, one item appended with `list_append` (an item's history
 * is short, and reading it is one GetItem), and the project's latest activity (status page, `status`) as a
 * ring of `RECENT_LIMIT` small slot items `recent#<project>#<n mod limit>` numbered by a counter item, so an
 * append costs two ~1 KB writes however long the feed is (a single growing item is billed whole on every
 * append).
 */
export class DynamoAuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(itemKey: string, spiraProjectId: number, entry: AuditEntry): Promise<void> {
    await Promise.all([
      this.append(`audit#${itemKey}`, entry, HISTORY_LIMIT),
      this.pushRecent(spiraProjectId, { ...entry, detail: `${itemKey}: ${entry.detail}` }),
    ]);
  }

  private async pushRecent(spiraProjectId: number, entry: AuditEntry): Promise<void> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `recent#${spiraProjectId}#seq` },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const n = Number(Attributes?.n);
    const pk = `recent#${spiraProjectId}#${n % RECENT_LIMIT}`;
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk, n, entry } }));
  }

  /** An item's history, oldest first. */
  history(itemKey: string): Promise<AuditEntry[]> {
    return this.read(`audit#${itemKey}`, HISTORY_LIMIT);
  }

  /** A project's latest activity, newest first (one BatchGetItem of the ring's slots). */
  async recent(spiraProjectId: number): Promise<AuditEntry[]> {
    const Keys = Array.from({ length: RECENT_LIMIT }, (_, slot) => ({
      pk: `recent#${spiraProjectId}#${slot}`,
    }));
    const slots: z.infer<typeof RecentSlotSchema>[] = [];
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [this.table]: { Keys } };
    while (request && Object.keys(request).length > 0) {
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({ RequestItems: request }),
      );
      for (const item of Responses?.[this.table] ?? [])
        slots.push(parseResponse(RecentSlotSchema, item, `DynamoDB item ${item.pk}`));
      request = UnprocessedKeys as typeof request;
    }
    return slots.sort((a, b) => b.n - a.n).map((slot) => slot.entry);
  }

  private async append(pk: string, entry: AuditEntry, limit: number): Promise<void> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk },
        UpdateExpression: 'SET entries = list_append(if_not_exists(entries, :empty), :entry)',
        ExpressionAttributeValues: { ':empty': [], ':entry': [entry] },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const length = (Attributes?.entries as unknown[] | undefined)?.length ?? 0;
    // Trim now and then (not on every write): drop the oldest entries beyond the limit.
    if (length > limit * 1.5) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk },
          UpdateExpression: `REMOVE ${Array.from({ length: length - limit }, (_, i) => `entries[${i}]`).join(', ')}`,
        }),
      );
    }
  }

  private async read(pk: string, limit: number): Promise<AuditEntry[]> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return Item ? parseResponse(AuditItemSchema, Item, `DynamoDB item ${pk}`).entries.slice(-limit) : [];
  }
}

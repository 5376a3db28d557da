import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { parseResponse } from '../connectors/http-errors.js';
import { type AuditEntry, AuditEntrySchema } from '../domain/audit.js';

const AuditItemSchema = z.object({ pk: z.string(), entries: z.array(AuditEntrySchema) });

/** How many entries an item keeps (one DynamoDB item each: well under the 400 KB item limit). */
export const HISTORY_LIMIT = 200;
export const RECENT_LIMIT = 100;

/**
 * Append-only histories in single items: `audit#<item key>` per synced item and `recent#<spira project>`
 * for the project's latest activity (status page, `status`). Appends use `list_append`; trimming happens
 * on read, and an occasional rewrite keeps the stored list bounded.
 */
export class DynamoAuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(itemKey: string, spiraProjectId: number, entry: AuditEntry): Promise<void> {
    await Promise.all([
      this.append(`audit#${itemKey}`, entry, HISTORY_LIMIT),
      this.append(
        `recent#${spiraProjectId}`,
        { ...entry, detail: `${itemKey}: ${entry.detail}` },
        RECENT_LIMIT,
      ),
    ]);
  }

  /** An item's history, oldest first. */
  history(itemKey: string): Promise<AuditEntry[]> {
    return this.read(`audit#${itemKey}`, HISTORY_LIMIT);
  }

  /** A project's latest activity, newest first. */
  async recent(spiraProjectId: number): Promise<AuditEntry[]> {
    return (await this.read(`recent#${spiraProjectId}`, RECENT_LIMIT)).reverse();
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

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseResponse } from '../connectors/http-errors.js';
import { type LinkRecord, LinkRecordSchema, newClaim } from '../domain/link.js';
import type { ClaimResult, LinkStore } from '../ports/link-store.js';
import { StaleRecordError } from './errors.js';

/** LinkStore on one DynamoDB table (`pk` string key); single-item conditional writes only, so it runs on dynalite too. */
export class DynamoLinkStore implements LinkStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(pk: string): Promise<LinkRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true }),
    );
    return Item ? parseResponse(LinkRecordSchema, Item, `DynamoDB item ${pk}`) : undefined;
  }

  async claim(pk: string, fields: Partial<LinkRecord>): Promise<ClaimResult> {
    const record = newClaim(pk, fields, this.now());
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { claimed: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // dynalite ignores ReturnValuesOnConditionCheckFailure, so read the winner back.
      const existing = await this.get(pk);
      if (!existing) throw new StaleRecordError(pk);
      return { claimed: false, record: existing };
    }
  }

  async save(record: LinkRecord): Promise<LinkRecord> {
    const next = { ...record, version: record.version + 1 };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: next,
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': record.version },
        }),
      );
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new StaleRecordError(record.pk);
      throw error;
    }
  }

  async overwrite(record: LinkRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: record }));
  }
}

import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditStore, RECENT_LIMIT } from '../../lib/stores/dynamo-audit-store.js';
import { freshAws } from '../helpers/aws.js';

describe('DynamoAuditStore on DynamoDB Local', () => {
  let audit: DynamoAuditStore;
  beforeAll(async () => {
    const aws = await freshAws();
    audit = new DynamoAuditStore(aws.db, aws.table);
  });

  it('keeps an item history in order and the project feed newest first, bounded by its ring', async () => {
    const total = RECENT_LIMIT + 5;
    for (let i = 0; i < total; i++) {
      await audit.record(`gl-issue#1#${i % 2}`, 9, {
        at: `t${i}`,
        kind: 'gitlab.issue',
        action: 'updated',
        detail: `change ${i}`,
      });
    }

    const recent = await audit.recent(9);
    expect(recent).toHaveLength(RECENT_LIMIT);
    expect(recent[0]?.detail).toBe(`gl-issue#1#${(total - 1) % 2}: change ${total - 1}`);
    expect(recent.at(-1)?.detail).toBe('gl-issue#1#1: change 5');
    expect((await audit.history('gl-issue#1#0')).map((e) => e.detail).slice(0, 2)).toEqual([
      'change 0',
      'change 2',
    ]);
    expect(await audit.recent(10)).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryStore } from '../../lib/stores/dynamo-delivery-store.js';
import { DynamoLinkStore } from '../../lib/stores/dynamo-link-store.js';
import { StaleRecordError } from '../../lib/stores/errors.js';
import { freshAws } from '../helpers/aws.js';

describe('DynamoLinkStore on DynamoDB Local', () => {
  let store: DynamoLinkStore;
  let deliveries: DynamoDeliveryStore;
  beforeAll(async () => {
    const aws = await freshAws();
    store = new DynamoLinkStore(aws.db, aws.table);
    deliveries = new DynamoDeliveryStore(aws.db, aws.table);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.claim('gl-issue#1#1', { gitlabProjectId: 1 })),
    );

    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.every((r) => r.record.state === 'pending' && r.record.pk === 'gl-issue#1#1')).toBe(true);
  });

  it('saves with a version check and rejects a stale writer', async () => {
    const { record } = await store.claim('gl-issue#1#2', {});
    const saved = await store.save({ ...record, state: 'linked', targetId: '7' });

    await expect(store.save({ ...record, targetId: '8' })).rejects.toBeInstanceOf(StaleRecordError);
    expect(await store.get('gl-issue#1#2')).toMatchObject({
      state: 'linked',
      targetId: '7',
      version: saved.version,
    });
  });

  it('returns undefined for a key never written', async () => {
    expect(await store.get('gl-issue#9#9')).toBeUndefined();
  });

  it('remembers webhook deliveries', async () => {
    expect(await deliveries.seen('abc')).toBe(false);
    await deliveries.remember('abc');
    expect(await deliveries.seen('abc')).toBe(true);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { provisionTable } from '../../lib/aws/provision.js';
import { startDynamo } from '../../lib/local/dynamo-emulator.js';
import { DynamoAuditStore } from '../../lib/stores/dynamo-audit-store.js';
import { DynamoLinkStore } from '../../lib/stores/dynamo-link-store.js';

async function storesOn(endpoint: string, ttl: boolean) {
  const aws = createAwsClients({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: endpoint });
  await provisionTable(aws.dynamo, 'sync', ttl);
  return { links: new DynamoLinkStore(aws.db, 'sync'), audit: new DynamoAuditStore(aws.db, 'sync') };
}

describe('local DynamoDB engines', () => {
  it('runs every store operation on dynalite (the fallback without Java)', async () => {
    const dynamo = await startDynamo({ engine: 'dynalite' });
    try {
      const { links, audit } = await storesOn(dynamo.endpoint, dynamo.supportsTtl);
      const claims = await Promise.all([links.claim('k', {}), links.claim('k', {})]);
      const winner = claims.find((c) => c.claimed)?.record;
      if (winner) await links.save({ ...winner, state: 'linked' });
      await audit.record('k', 1, { at: 'now', kind: 'gitlab.issue', action: 'created', detail: 'd' });

      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      expect((await links.get('k'))?.state).toBe('linked');
      expect((await audit.history('k')).map((e) => e.action)).toEqual(['created']);
      expect(dynamo.engine).toBe('dynalite');
    } finally {
      await dynamo.stop();
    }
  });

  it('keeps DynamoDB Local data under SYNC_DATA_DIR across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sync-data-'));
    const first = await startDynamo({ dataDir: join(dataDir, 'dynamodb') });
    try {
      const { links } = await storesOn(first.endpoint, first.supportsTtl);
      await links.claim('survivor', { gitlabProjectId: 7 });
    } finally {
      await first.stop();
    }
    const second = await startDynamo({ dataDir: join(dataDir, 'dynamodb') });
    try {
      const { links } = await storesOn(second.endpoint, second.supportsTtl);
      expect(await links.get('survivor')).toMatchObject({ gitlabProjectId: 7, state: 'pending' });
    } finally {
      await second.stop();
    }
  }, 60_000);
});

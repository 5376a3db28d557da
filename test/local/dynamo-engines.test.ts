import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

  it('stops a DynamoDB Local orphaned on the same files (watchdog gone) before opening them again', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sync-data-')), 'dynamodb');
    const first = await startDynamo({ dataDir });
    const group = Number(readFileSync(join(dataDir, 'dynamodb-local.pid'), 'utf8'));
    const jvm = membersOf(group).find((pid) => pid !== group) as number;
    // The watchdog dies without a chance to stop its JVM: the JVM lives on, orphaned, on our files.
    process.kill(group, 'SIGKILL');
    await new Promise((ok) => setTimeout(ok, 300));
    expect(alive(jvm)).toBe(true);
    const said = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const second = await startDynamo({ dataDir });
      try {
        expect(alive(jvm)).toBe(false);
        expect(said).toHaveBeenCalledWith(
          expect.stringMatching(/^Stopping DynamoDB Local .* left by an earlier run/),
        );
        const { links } = await storesOn(second.endpoint, second.supportsTtl);
        await links.claim('after-orphan', {});
      } finally {
        await second.stop();
      }
    } finally {
      said.mockRestore();
      await first.stop();
    }
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Pids in a process group (Linux /proc). */
function membersOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

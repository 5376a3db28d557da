import { describe, expect, it } from 'vitest';
import { MappingConfigError, RemoteRetryableError } from '../../lib/domain/errors.js';
import { processSyncRecord, RetryScheduled } from '../../lib/engine/process-sync-record.js';
import type { ProjectContexts } from '../../lib/engine/project-context.js';
import { MemoryCommandQueue, MemoryParking } from '../fakes/memory-stores.js';
import { GPID, linkedPair, PID } from './pair-harness.js';

const command = (iid: number) =>
  JSON.stringify({
    v: 1,
    kind: 'gitlab.issue',
    spiraProjectId: PID,
    gitlabProjectId: GPID,
    iid,
    eventAt: '2026-12-01T10:30:00Z',
  });

function worker(contexts?: ProjectContexts['get']) {
  const pair = linkedPair();
  const parking = new MemoryParking();
  const queue = new MemoryCommandQueue();
  const deps = {
    ...pair.deps,
    ...(contexts ? { contexts: { get: contexts } as unknown as ProjectContexts } : {}),
    parking,
    queue,
  };
  return { pair, parking, queue, deps };
}

describe('one queue record (processSyncRecord over in-memory ports)', () => {
  it('records what a command did in its item’s history, with the message id', async () => {
    const { pair, deps, parking } = worker();
    const outcome = await processSyncRecord(deps, { messageId: 'm-1', body: command(404) });
    expect(outcome).toEqual({ action: 'skipped', reason: 'issue no longer exists in GitLab' });
    expect(await pair.audit.history(`gl-issue#${GPID}#404`)).toEqual([
      expect.objectContaining({ kind: 'gitlab.issue', action: 'skipped', messageId: 'm-1' }),
    ]);
    expect(parking.parked).toEqual([]);
  });

  it('parks a body that is not a command, naming the problem, and acknowledges it', async () => {
    const { deps, parking, queue } = worker();
    const outcome = await processSyncRecord(deps, {
      messageId: 'm-2',
      body: '{"v":1,"kind":"gitlab.issue"}',
    });
    expect(outcome.action).toBe('parked');
    expect(parking.parked).toEqual([
      expect.objectContaining({
        messageId: 'm-2',
        errorName: 'SchemaMismatchError',
        body: '{"v":1,"kind":"gitlab.issue"}',
      }),
    ]);
    expect(parking.parked[0]?.reason).toMatch(/spiraProjectId/);
    expect(queue.delayed).toEqual([]);
  });

  it('parks a permanent error (an unmapped status) instead of retrying it', async () => {
    const { deps, parking } = worker(() => Promise.reject(new MappingConfigError('status 9 is not mapped')));
    const outcome = await processSyncRecord(deps, {
      messageId: 'm-3',
      body: command(5),
      receiptHandle: 'r-3',
    });
    expect(outcome).toEqual({ action: 'parked', reason: 'status 9 is not mapped' });
    expect(parking.parked).toHaveLength(1);
  });

  it('retries a retryable error after the delay the remote asked for, without parking it', async () => {
    const busy = new RemoteRetryableError('spira', 'busy', 503, { retryAfterSeconds: 30 });
    const { deps, parking, queue } = worker(() => Promise.reject(busy));
    const failed = processSyncRecord(deps, {
      messageId: 'm-4',
      body: command(5),
      receiptHandle: 'r-4',
      attributes: { ApproximateReceiveCount: '3' },
    });
    await expect(failed).rejects.toBeInstanceOf(RetryScheduled);
    await expect(failed).rejects.toMatchObject({ delaySeconds: 30, cause: busy });
    expect(queue.delayed).toEqual([{ receiptHandle: 'r-4', seconds: 30 }]);
    expect(parking.parked).toEqual([]);
  });
});

import { formatPath } from '../config/sync-config.js';
import { PermanentError, RetryableError, SchemaMismatchError } from '../domain/errors.js';
import { auditKeyOf, type SyncCommand, SyncCommandSchema } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { Parking } from '../ports/parking.js';
import { applySyncCommand } from './apply-sync-command.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';

/** A record that failed and comes back after `delaySeconds` (its visibility was set to that). */
export class RetryScheduled extends Error {
  constructor(
    override readonly cause: unknown,
    readonly delaySeconds: number,
  ) {
    super(describe(cause));
    this.name = 'RetryScheduled';
  }
}

/**
 * Handles one queue record. A retryable error is rethrown (the record is reported as a batch item failure
 * and redelivered, then dead-lettered); a permanent one is parked with its reason and acknowledged, so a bad
 * message never blocks its group forever.
 */
export async function processSyncRecord(
  deps: SyncDeps & { parking: Parking; queue: Pick<CommandQueue, 'retryLater'> },
  record: {
    messageId: string;
    body: string;
    receiptHandle?: string;
    attributes?: { ApproximateReceiveCount?: string };
  },
): Promise<SyncOutcome | { action: 'parked'; reason: string }> {
  let command: SyncCommand | undefined;
  try {
    command = parseCommand(record.body);
    const outcome = await applySyncCommand({ ...deps, claimant: record.messageId }, command);
    deps.log.info('applied', { messageId: record.messageId, kind: command.kind, ...outcome });
    const detail =
      outcome.action === 'skipped'
        ? outcome.reason
        : 'fields' in outcome
          ? `${outcome.target}: ${outcome.fields.join(', ')}`
          : outcome.target;
    await deps.audit.record(auditKeyOf(command), command.spiraProjectId, {
      at: new Date().toISOString(),
      kind: command.kind,
      action: outcome.action,
      detail,
      messageId: record.messageId,
    });
    await deps.fault?.('before-ack', auditKeyOf(command));
    return outcome;
  } catch (error) {
    if (!(error instanceof PermanentError)) {
      const attempt = Number(record.attributes?.ApproximateReceiveCount ?? 1);
      const delay = retryDelaySeconds(
        attempt,
        error instanceof RetryableError ? error.retryAfterSeconds : undefined,
      );
      deps.log.warn('will retry', { messageId: record.messageId, attempt, delay, error: describe(error) });
      if (record.receiptHandle)
        await deps.queue.retryLater(record.receiptHandle, delay).catch(() => undefined);
      throw new RetryScheduled(error, delay);
    }
    deps.log.error('parked', { messageId: record.messageId, error: describe(error) });
    await deps.parking.park({
      messageId: record.messageId,
      body: record.body,
      reason: error.message,
      errorName: error.name,
    });
    return { action: 'parked', reason: error.message };
  }
}

function parseCommand(body: string) {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new SchemaMismatchError('queue message', ['(root): not JSON']);
  }
  const result = SyncCommandSchema.safeParse(json);
  if (!result.success) {
    throw new SchemaMismatchError(
      'queue message',
      result.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/**
 * Exponential backoff with full jitter (1, 2, 4 … 300 s), or what the remote asked for (Retry-After /
 * RateLimit-Reset) when it said so. Without it a failed record would wait the whole visibility timeout.
 */
export function retryDelaySeconds(
  attempt: number,
  retryAfter: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfter !== undefined) return Math.min(43_200, Math.ceil(retryAfter));
  const ceiling = Math.min(300, 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

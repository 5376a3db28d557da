import { formatPath } from '../config/sync-config.js';
import { PermanentError, SchemaMismatchError } from '../domain/errors.js';
import { SyncCommandSchema } from '../domain/sync-command.js';
import type { ParkedMessage } from '../stores/dynamo-parking-store.js';
import { applySyncCommand } from './apply-sync-command.js';
import type { SyncDeps, SyncOutcome } from './sync-deps.js';

/** Where permanently failing messages go. */
export interface Parking {
  park(message: ParkedMessage): Promise<void>;
}

/**
 * Handles one queue record. A retryable error is rethrown (the record is reported as a batch item failure
 * and redelivered, then dead-lettered); a permanent one is parked with its reason and acknowledged, so a bad
 * message never blocks its group forever.
 */
export async function processSyncRecord(
  deps: SyncDeps & { parking: Parking },
  record: { messageId: string; body: string },
): Promise<SyncOutcome | { action: 'parked'; reason: string }> {
  try {
    const command = parseCommand(record.body);
    const outcome = await applySyncCommand(deps, command);
    deps.log.info('applied', { messageId: record.messageId, kind: command.kind, ...outcome });
    return outcome;
  } catch (error) {
    if (!(error instanceof PermanentError)) {
      deps.log.warn('will retry', { messageId: record.messageId, error: describe(error) });
      throw error;
    }
    deps.log.error('parked', { messageId: record.messageId, error: describe(error) });
    await deps.parking.park({ messageId: record.messageId, body: record.body, reason: error.message, errorName: error.name });
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
    throw new SchemaMismatchError('queue message', result.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`));
  }
  return result.data;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

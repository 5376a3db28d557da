import { RetryableError } from '../domain/errors.js';

/** Someone else changed the record since we read it (a concurrent message of the same pair). */
export class StaleRecordError extends RetryableError {
  override name = 'StaleRecordError';
  constructor(readonly pk: string) {
    super(`record ${pk} changed since it was read`);
  }
}

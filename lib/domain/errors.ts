/** Base of errors worth retrying later (network, 429, 5xx, races): the queue redelivers the message. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  /** Seconds the remote asked us to wait (Retry-After / RateLimit-Reset), when known. */
  retryAfterSeconds?: number;
}

/** Base of errors that no retry will fix (validation, 4xx, unmapped status): recorded and parked. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** A remote API answered with an error status or could not be reached. */
export class RemoteRetryableError extends RetryableError {
  override name = 'RemoteRetryableError';
  constructor(
    readonly system: 'gitlab' | 'spira',
    message: string,
    readonly status?: number,
    options?: ErrorOptions & { retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A remote API refused the request for a reason a retry will not change (400, 401, 403, 422…). */
export class RemotePermanentError extends PermanentError {
  override name = 'RemotePermanentError';
  constructor(
    readonly system: 'gitlab' | 'spira',
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The item does not exist (any more) on the remote side. */
export class RemoteNotFoundError extends RemotePermanentError {
  override name = 'RemoteNotFoundError';
}

/** Spira answered 409: the ConcurrencyDate we sent is stale. */
export class ConcurrencyConflictError extends RetryableError {
  override name = 'ConcurrencyConflictError';
}

/** A response or stored item did not have the shape we rely on; `path` names the field. */
export class SchemaMismatchError extends PermanentError {
  override name = 'SchemaMismatchError';
  constructor(
    readonly what: string,
    readonly problems: readonly string[],
  ) {
    super(`${what} does not match its schema: ${problems.join('; ')}`);
  }
}

/** Spira accepted a status change with 200 but did not apply it (template "Status Bulk Edit" is off). */
export class StatusNotAppliedError extends PermanentError {
  override name = 'StatusNotAppliedError';
}

/** The configuration does not cover what the live systems hold (e.g. a Spira status with no mapping). */
export class MappingConfigError extends PermanentError {
  override name = 'MappingConfigError';
}

/** The counterpart is being created by another message; try again shortly. */
export class CounterpartPendingError extends RetryableError {
  override name = 'CounterpartPendingError';
}

/** Tells whether an error should be retried (anything unknown is retried: losing a change is worse). */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof PermanentError);
}

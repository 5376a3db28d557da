import { HTTPError, RequestError } from 'got';
import type { z } from 'zod';
import { formatPath } from '../config/sync-config.js';
import {
  ConcurrencyConflictError,
  RemoteNotFoundError,
  RemotePermanentError,
  RemoteRetryableError,
  SchemaMismatchError,
} from '../domain/errors.js';

/** Seconds to wait from `Retry-After` (seconds or HTTP date) or `RateLimit-Reset` (epoch seconds). */
export function retryAfterSeconds(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter === 'string') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const reset = headers['ratelimit-reset'];
  if (typeof reset === 'string' && Number.isFinite(Number(reset)))
    return Math.max(0, Number(reset) - Math.floor(now / 1000));
  return undefined;
}

/** Maps a got error to a domain error: 404 → not found, 409 → concurrency, 429/5xx/network → retryable, other 4xx → permanent. */
export function toDomainError(system: 'gitlab' | 'spira', what: string, error: unknown): Error {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const detail = `${system} ${what}: HTTP ${status} ${summarise(error.response.body)}`;
    if (status === 404) return new RemoteNotFoundError(system, detail, status, { cause: bare(error) });
    if (status === 409 && system === 'spira')
      return new ConcurrencyConflictError(detail, { cause: bare(error) });
    if (status === 429 || status === 408 || status >= 500) {
      // GitLab sends RateLimit-Reset on every answer: it only says when to come back on a 429.
      const { headers } = error.response;
      const wait = retryAfterSeconds(status === 429 ? headers : { 'retry-after': headers['retry-after'] });
      return new RemoteRetryableError(system, detail, status, {
        cause: bare(error),
        retryAfterSeconds: wait,
      });
    }
    return new RemotePermanentError(system, detail, status, { cause: bare(error) });
  }
  if (error instanceof RequestError) {
    return new RemoteRetryableError(system, `${system} ${what}: ${error.code ?? error.message}`, undefined, {
      cause: bare(error),
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** got's errors carry the request options, credentials included: a cause keeps only their name and message. */
function bare(error: Error): Error {
  const copy = new Error(error.message);
  copy.name = error.name;
  return copy;
}

function summarise(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 300);
}

/** Parses an API response with its schema; a mismatch is a permanent error naming the field path. */
export function parseResponse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new SchemaMismatchError(
    what,
    result.error.issues.map((issue) => `${formatPath(issue.path) || '(root)'}: ${issue.message}`),
  );
}

import { HTTPError } from 'got';
import { RemotePermanentError, RemoteRetryableError } from '../../domain/errors.js';
import { toDomainError } from '../http-errors.js';

/**
 * Exceptions Spira answers 400 (RestServiceBase.ConvertExceptions: "We always use BadRequest for these
 * ones") that a later try can get past: SQL timeouts, deadlocks, a busy database.
 */
const TRANSIENT_EXCEPTION =
  /SqlException|TimeoutException|EntityCommandExecutionException|deadlock|timeout expired|timeout period elapsed/i;

/** Concurrent-user licence seats used up (RestServiceAuthorizationManager, LicenseViolationException). */
const LICENCE = /LicenseViolationException|licen[cs]e/i;

type Parsed = { kind: 'string'; text: string } | { kind: 'json'; value: unknown } | { kind: 'other' };

function parsed(text: string): Parsed {
  if (text.trim() === '') return { kind: 'other' };
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? { kind: 'string', text: value } : { kind: 'json', value };
  } catch {
    return { kind: 'other' };
  }
}

function isValidationFault(body: Parsed): boolean {
  return (
    body.kind === 'json' &&
    typeof body.value === 'object' &&
    body.value !== null &&
    (body.value as { Summary?: unknown }).Summary === 'Validation Fault'
  );
}

/**
 * Spira's errors classified by body as well as status (docs/spira-api.md §0a.4-6), then the shared rules:
 * - 404 is "deleted" only when the body is Spira's JSON string; an HTML or other 404 (IIS, a proxy, a
 *   wrong virtual directory) is an infrastructure fault, retried;
 * - a 400 naming a transient exception, or a licence refusal (400/401/403), is retried; a Validation
 *   Fault 400 is permanent;
 * - any other 4xx but 401 whose body is not JSON (a proxy's or IIS's page) is retried.
 */
export function spiraDomainError(what: string, error: unknown): Error {
  const shared = toDomainError('spira', what, error);
  if (!(error instanceof HTTPError) || !(shared instanceof RemotePermanentError)) return shared;
  const status = error.response.statusCode;
  const raw = typeof error.response.body === 'string' ? error.response.body : '';
  const body = parsed(raw);
  const retry = (why: string) =>
    new RemoteRetryableError('spira', `${shared.message} (${why})`, status, { cause: shared.cause });
  if (status === 404)
    return body.kind === 'string'
      ? shared
      : retry('not Spira\'s own "not found" answer: an infrastructure fault');
  if (isValidationFault(body)) return shared;
  if (LICENCE.test(raw) && [400, 401, 403].includes(status)) return retry('licence seats in use');
  if (status === 400 && TRANSIENT_EXCEPTION.test(raw)) return retry('a transient server exception');
  // 401 stays permanent: wrong credentials must fail loudly, not be retried.
  if (status !== 401 && body.kind === 'other' && raw.trim() !== '')
    return retry('not a Spira answer: an infrastructure fault');
  return shared;
}

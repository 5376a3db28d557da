import { RemoteNotFoundError, RemotePermanentError, RemoteRetryableError } from '../../domain/errors.js';
import { type Mark, markLine } from '../io.js';

/** One result of `doctor`: ✓ pass, ✗ fail (exit 1), ! advice, · information; with a fix for ✗ and !. */
export interface CheckLine {
  mark: Mark;
  text: string;
  fix?: string;
}

export const pass = (text: string): CheckLine => ({ mark: 'pass', text });
export const fail = (text: string, fix: string): CheckLine => ({ mark: 'fail', text, fix });
export const warn = (text: string, fix: string): CheckLine => ({ mark: 'warn', text, fix });
export const info = (text: string): CheckLine => ({ mark: 'info', text });

/** The printed form of a check line. */
export function printLine(line: CheckLine): string {
  return markLine(line.mark, line.text, line.fix);
}

/** What went wrong with a remote call, in words: `HTTP 401`, `not found`, `unreachable (ECONNREFUSED)`. */
export function whatFailed(error: unknown): string {
  if (error instanceof RemoteNotFoundError) return 'not found (HTTP 404)';
  if (error instanceof RemotePermanentError) return `refused (HTTP ${error.status ?? '?'})`;
  if (error instanceof RemoteRetryableError)
    return error.status
      ? `failed (HTTP ${error.status})`
      : `unreachable (${error.message.split(': ').pop()})`;
  return error instanceof Error ? error.message : String(error);
}

/** Whether the remote refused our credentials. */
export function isAuthError(error: unknown): boolean {
  return error instanceof RemotePermanentError && (error.status === 401 || error.status === 403);
}

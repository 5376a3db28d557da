import type { z } from 'zod';
import { formatPath } from '../../config/sync-config.js';
import { SchemaMismatchError } from '../../domain/errors.js';
import { parseEach } from '../parse-each.js';

/** Where a skipped list element is reported. */
export interface SkipLog {
  warn(message: string, extra?: Record<string, unknown>): void;
}

const WIRE_ROWS = Symbol('spira wire rows');

/**
 * How many rows Spira sent for a parsed list, skipped elements included: a page is short (the last one)
 * only when Spira sent fewer rows than asked, not when one of them was skipped.
 */
export function wireRows(list: readonly unknown[]): number {
  return (list as { [WIRE_ROWS]?: number })[WIRE_ROWS] ?? list.length;
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path) || '(root)'}: ${issue.message}`);
}

/**
 * Parses a Spira list element by element: an element that does not fit is skipped and logged, the rest is
 * used. Only a body that is no list at all is a mismatch.
 */
export function parseList<T extends z.ZodType>(
  schema: T,
  body: unknown,
  what: string,
  log: SkipLog,
): z.output<T>[] {
  if (!Array.isArray(body)) throw new SchemaMismatchError(what, ['(root): expected an array']);
  const { items, skipped } = parseEach(schema, body);
  for (const { index, error } of skipped)
    log.warn('Spira list element skipped', { what, index, problems: problemsOf(error) });
  Object.defineProperty(items, WIRE_ROWS, { value: body.length });
  return items;
}

/** Parses one Spira object; a mismatch is a permanent error naming the field path. */
export function parseOne<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new SchemaMismatchError(what, problemsOf(result.error));
}

/** How an answer body is read: one object, or a list parsed element by element. */
export type Reader<T> = (body: unknown, what: string) => T;

/** One object, parsed with its schema. */
export function one<T extends z.ZodType>(schema: T): Reader<z.output<T>> {
  return (body, what) => parseOne(schema, body, what);
}

/** The answer of a PUT or DELETE: not read (the write already happened). */
export const ignored: Reader<void> = () => undefined;

/** A JSON line on stderr: the client's default report of skipped elements. */
export const stderrLog: SkipLog = {
  warn: (message, extra) => process.stderr.write(`${JSON.stringify({ level: 'WARN', message, ...extra })}\n`),
};

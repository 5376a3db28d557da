import { createHash } from 'node:crypto';

/** A short stable hash of a value (JSON of it), for "is this what we last saw or wrote?" checks. */
export function fingerprint(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('base64url')
    .slice(0, 22);
}

/** Hashes every field of a record. */
export function fingerprintFields<K extends string>(fields: Record<K, unknown>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const key of Object.keys(fields) as K[]) out[key] = fingerprint(fields[key]);
  return out;
}

/** The names of fields whose hash differs from the recorded one (all of them when nothing is recorded). */
export function changedFields<K extends string>(
  current: Record<K, string>,
  recorded: Partial<Record<K, string>> | undefined,
): K[] {
  return (Object.keys(current) as K[]).filter((key) => recorded?.[key] !== current[key]);
}

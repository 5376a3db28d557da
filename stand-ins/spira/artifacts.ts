import { fault } from './model.js';
import type { ArtifactRec, SpiraStore } from './store.js';

/** Entity Framework's OptimisticConcurrencyException text, which Spira returns with HTTP 409. */
export const CONCURRENCY_MESSAGE =
  'Store update, insert, or delete statement affected an unexpected number of rows (0). Entities may have been ' +
  'modified or deleted since entities were loaded. Refresh ObjectStateManager entries.';

/** Message of the 401 returned for an artifact of another product. */
export const NOT_IN_PRODUCT = 'The item being updated does not belong to the current product';

/** Copies the named keys (missing ones as null). */
export function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, source[k] ?? null]));
}

/** Custom property write rule: entries matched by PropertyNumber, entries not sent left unchanged. */
export function mergeCustomProperties(current: unknown, incoming: unknown): unknown[] {
  const merged = Array.isArray(current) ? [...current] : [];
  for (const entry of Array.isArray(incoming) ? incoming : []) {
    const num = (entry as { PropertyNumber?: unknown } | null)?.PropertyNumber;
    const at = merged.findIndex((m) => (m as { PropertyNumber?: unknown }).PropertyNumber === num);
    if (at >= 0) merged[at] = entry;
    else merged.push(entry);
  }
  return merged;
}

/** Optimistic concurrency: the body must carry the stored ConcurrencyDate (409 otherwise). */
export function checkConcurrency(rec: ArtifactRec, sent: unknown): void {
  if (typeof sent !== 'string' || Date.parse(sent) !== Date.parse(rec.data.ConcurrencyDate as string)) {
    throw fault(409, CONCURRENCY_MESSAGE);
  }
}

/** Saves an update: LastUpdateDate = ConcurrencyDate = now. */
export function commit(store: SpiraStore, rec: ArtifactRec, next: Record<string, unknown>): void {
  const now = store.stamp();
  rec.data = { ...next, LastUpdateDate: now, ConcurrencyDate: now };
}

/** A live artifact of the product: 404 when missing or soft-deleted, 401 when in another product. */
export function artifactIn(
  map: Map<number, ArtifactRec>,
  projectId: number,
  id: number,
  notFound: string,
): ArtifactRec {
  const rec = map.get(id);
  if (!rec || rec.deleted) throw fault(404, notFound);
  if (rec.data.ProjectId !== projectId) throw fault(401, NOT_IN_PRODUCT);
  return rec;
}

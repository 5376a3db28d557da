import { commit } from './artifacts.js';
import { fullName } from './model.js';
import type { ArtifactRec, LookupRec, SpiraStore } from './store.js';

/**
 * An incident's history as Spira's History service keeps it (docs/spira-api.md §0a.2): an "Added" change
 * set without field rows on create, one change set per update with the lookup fields as their text.
 */

/** Fields whose changes the history records. */
const HISTORY_FIELDS = [
  'Name',
  'Description',
  'IncidentStatusId',
  'IncidentTypeId',
  'PriorityId',
  'SeverityId',
  'OwnerId',
  'ResolvedReleaseId',
  'Tags',
];

/** Lookup fields: history records the lookup's text, never the id (HistoryManager, GetLookupValue). */
function historyValue(store: SpiraStore, projectId: number, field: string, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const t = store.templateOf(projectId);
  const named = (list: LookupRec[]) => list.find((l) => l.id === value)?.Name ?? null;
  switch (field) {
    case 'IncidentStatusId':
      return named(t.statuses);
    case 'IncidentTypeId':
      return named(t.types);
    case 'PriorityId':
      return named(t.priorities);
    case 'SeverityId':
      return named(t.severities);
    case 'OwnerId':
    case 'OpenerId': {
      const user = store.users.get(value as number);
      return user ? fullName(user) : null;
    }
    case 'ResolvedReleaseId': {
      const release = store.releases.get(value as number);
      return release ? String(release.data.VersionNumber) : null;
    }
    default:
      return String(value);
  }
}

/** Records the "Added" change set of a new incident: Spira stores it without field rows. */
export function recordAdded(store: SpiraStore, rec: ArtifactRec, userId: number): void {
  const id = rec.data.IncidentId as number;
  const at = rec.data.CreationDate as string;
  store.history.set(id, [{ id: store.nextId('changeset'), userId, at, type: 'Added', changes: [] }]);
}

/** Commits an update and records its changed fields as one change set of `userId`. */
export function commitWithHistory(
  store: SpiraStore,
  rec: ArtifactRec,
  next: Record<string, unknown>,
  userId: number,
) {
  const pid = rec.data.ProjectId as number;
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const changes = HISTORY_FIELDS.filter((f) => text(rec.data[f]) !== text(next[f])).map((field) => ({
    field,
    oldValue: historyValue(store, pid, field, rec.data[field]),
    newValue: historyValue(store, pid, field, next[field]),
  }));
  commit(store, rec, next);
  if (changes.length === 0) return;
  const id = rec.data.IncidentId as number;
  const sets = store.history.get(id) ?? [];
  const at = rec.data.LastUpdateDate as string;
  sets.push({ id: store.nextId('changeset'), userId, at, type: 'Modified', changes });
  store.history.set(id, sets);
}

import type { NewSpiraIncident, NewSpiraRelease } from '../../lib/connectors/spira/spira-client.js';
import type {
  SpiraComment,
  SpiraFilter,
  SpiraHistoryChange,
  SpiraIncident,
  SpiraIncidentStatus,
  SpiraProjectUser,
  SpiraRelease,
} from '../../lib/connectors/spira/spira-schemas.js';
import { ConcurrencyConflictError, RemoteNotFoundError } from '../../lib/domain/errors.js';
import type { SpiraPort } from '../../lib/ports/sync-ports.js';

/** History rows hold a lookup's text, never its id (docs/spira-api.md): status names by id. */
export type StatusNames = Record<number, string>;

/** What a test gives to make an incident (the dates are the creation time). */
export interface NewIncident {
  IncidentId: number;
  ProjectId: number;
  Name: string;
  Description: string | null;
  IncidentStatusId: number;
  OpenerId: number | null;
  OwnerId: number | null;
  ResolvedReleaseId?: number | null;
}

const HISTORY_FIELDS = ['Name', 'Description', 'IncidentStatusId', 'OwnerId', 'ResolvedReleaseId'] as const;

/**
 * Spira's incidents in memory, with the rules the engine depends on: a PUT must carry the stored
 * ConcurrencyDate (else 409), every write moves LastUpdateDate and writes one history row per changed field
 * (a status by its name), and `refuseStatus` keeps the status silently as a template with Status Bulk Edit
 * off does. Every call is logged in `calls`. Methods the engine tier does not use yet throw.
 */
export class MemorySpira implements SpiraPort {
  readonly incidents = new Map<number, SpiraIncident>();
  readonly history = new Map<number, SpiraHistoryChange[]>();
  readonly calls: string[] = [];
  refuseStatus = false;

  constructor(
    readonly syncUserId: number,
    private readonly statusNames: StatusNames,
    private readonly clock: () => string,
  ) {}

  /** Stores an incident as created at `at`. */
  add(incident: NewIncident, at: string): void {
    this.incidents.set(incident.IncidentId, {
      IncidentTypeId: null,
      PriorityId: null,
      SeverityId: null,
      ResolvedReleaseId: null,
      ...incident,
      CreationDate: at,
      LastUpdateDate: at,
      ConcurrencyDate: at,
    });
  }

  /** A person's edit in Spira at `at` (history rows under `userId`). */
  edit(incidentId: number, patch: Partial<SpiraIncident>, userId: number, at: string): void {
    this.apply(this.stored(incidentId), patch, userId, at);
  }

  async incident(_projectId: number, incidentId: number): Promise<SpiraIncident> {
    this.calls.push(`incident ${incidentId}`);
    return structuredClone(this.stored(incidentId));
  }

  async updateIncident(incident: SpiraIncident): Promise<void> {
    this.calls.push(`updateIncident ${incident.IncidentId}`);
    const current = this.stored(incident.IncidentId);
    if (current.ConcurrencyDate !== incident.ConcurrencyDate)
      throw new ConcurrencyConflictError(`incident ${incident.IncidentId} changed (409)`);
    const patch = this.refuseStatus ? { ...incident, IncidentStatusId: current.IncidentStatusId } : incident;
    this.apply(current, patch, this.syncUserId, this.clock());
  }

  /** Only the filter the engine sends (CreationDate from StartDate, with times), sorted by that date; rows from 1. */
  async searchIncidents(
    projectId: number,
    filters: SpiraFilter[],
    startRow: number,
    rows: number,
    sortBy: string,
  ): Promise<SpiraIncident[]> {
    this.calls.push(`searchIncidents ${startRow}`);
    const supported = filters.every(
      (f) => f.PropertyName === 'CreationDate' && f.DateRangeValue?.EndDate === null,
    );
    if (!supported || sortBy !== 'CreationDate')
      return unused(`searchIncidents(${JSON.stringify(filters)}, ${sortBy})`);
    const since = Math.max(...filters.map((f) => Date.parse(f.DateRangeValue?.StartDate ?? '')));
    return [...this.incidents.values()]
      .filter((i) => i.ProjectId === projectId && Date.parse(i.CreationDate ?? '') >= since)
      .sort((a, b) => Date.parse(a.CreationDate ?? '') - Date.parse(b.CreationDate ?? ''))
      .slice(startRow - 1, startRow - 1 + rows)
      .map((i) => structuredClone(i));
  }

  async incidentHistory(_projectId: number, incidentId: number): Promise<SpiraHistoryChange[]> {
    this.calls.push(`incidentHistory ${incidentId}`);
    return structuredClone(this.history.get(incidentId) ?? []);
  }

  private stored(incidentId: number): SpiraIncident {
    const found = this.incidents.get(incidentId);
    if (!found) throw new RemoteNotFoundError('spira', `incident ${incidentId} not found`, 404);
    return found;
  }

  private apply(current: SpiraIncident, patch: Partial<SpiraIncident>, userId: number, at: string) {
    const rows = this.history.get(current.IncidentId) ?? [];
    for (const field of HISTORY_FIELDS) {
      if (!(field in patch) || patch[field] === current[field]) continue;
      const text = (value: unknown) =>
        field === 'IncidentStatusId' ? (this.statusNames[value as number] ?? null) : String(value ?? '');
      rows.push({
        FieldName: field,
        OldValue: text(current[field]),
        NewValue: text(patch[field]),
        ChangeSet: { UserId: userId, ChangeDate: at },
      });
    }
    this.history.set(current.IncidentId, rows);
    Object.assign(current, patch, { LastUpdateDate: at, ConcurrencyDate: at });
  }

  projectTemplateId(): Promise<number> {
    return unused('projectTemplateId');
  }
  incidentStatuses(): Promise<SpiraIncidentStatus[]> {
    return unused('incidentStatuses');
  }
  incidentLookupIds(): Promise<number[]> {
    return unused('incidentLookupIds');
  }
  projectUsers(): Promise<SpiraProjectUser[]> {
    return unused('projectUsers');
  }
  createIncident(_projectId: number, _incident: NewSpiraIncident): Promise<number> {
    return unused('createIncident');
  }
  comments(): Promise<SpiraComment[]> {
    return unused('comments');
  }
  addComment(): Promise<number> {
    return unused('addComment');
  }
  releases(): Promise<SpiraRelease[]> {
    return unused('releases');
  }
  release(): Promise<SpiraRelease> {
    return unused('release');
  }
  createRelease(_projectId: number, _release: NewSpiraRelease): Promise<number> {
    return unused('createRelease');
  }
  updateRelease(): Promise<void> {
    return unused('updateRelease');
  }
  currentUser(): Promise<{ UserId: number; UserName: string }> {
    return unused('currentUser');
  }
}

/** A port method the fast tier does not model yet: fails loudly instead of answering something made up. */
export function unused(name: string): Promise<never> {
  return Promise.reject(new Error(`${name} is not modelled by this in-memory fake`));
}

import { wireRows } from '../connectors/spira/spira-parse.js';
import type { SpiraIncident } from '../connectors/spira/spira-schemas.js';
import { ConcurrencyConflictError } from '../domain/errors.js';
import type { IncidentFields } from '../domain/issue-to-incident.js';
import { markersIn } from '../domain/marker.js';
import { ADOPTION_WINDOW_MS } from '../domain/pair/claim.js';
import type { SpiraPort } from '../ports/sync-ports.js';

const MAX_ATTEMPTS = 4;

/**
 * GET then full PUT with the same ConcurrencyDate; on 409 re-read and re-apply. `patchFor` is asked again
 * on every attempt so the change is computed against what Spira holds now.
 */
export async function updateIncident(
  spira: SpiraPort,
  first: SpiraIncident,
  patchFor: (current: SpiraIncident) => Partial<IncidentFields>,
): Promise<{ incident: SpiraIncident; patch: Partial<IncidentFields>; before: SpiraIncident }> {
  let current = first;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const patch = patchFor(current);
    if (Object.keys(patch).length === 0) return { incident: current, patch, before: current };
    const next = { ...current, ...patch };
    try {
      await spira.updateIncident(next);
      return { incident: next, patch, before: current };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt === MAX_ATTEMPTS) throw error;
      current = await spira.incident(current.ProjectId, current.IncidentId);
    }
  }
  throw new ConcurrencyConflictError(`incident ${first.IncidentId} kept changing`);
}

/**
 * Finds an incident created since `since` (about when the claim was made) whose description carries `ref`:
 * the orphan of a crashed attempt. Failing that, the first unmarked one `isOrphan` accepts (its marker was
 * replaced by a person before the retry).
 */
export async function findIncidentByMarker(
  spira: SpiraPort,
  projectId: number,
  ref: string,
  since: string,
  isOrphan: (incident: SpiraIncident) => Promise<boolean> = async () => false,
): Promise<number | undefined> {
  const start = new Date(Date.parse(since) - ADOPTION_WINDOW_MS).toISOString();
  const filters = [
    {
      PropertyName: 'CreationDate',
      DateRangeValue: { StartDate: start, EndDate: null, ConsiderTimes: true },
    },
  ];
  const unmarked: SpiraIncident[] = [];
  for (let row = 1; ; row += 500) {
    const page = await spira.searchIncidents(projectId, filters, row, 500, 'CreationDate');
    const hit = page.find((incident) => markersIn(incident.Description).includes(ref));
    if (hit) return hit.IncidentId;
    unmarked.push(...page.filter((incident) => markersIn(incident.Description).length === 0));
    if (wireRows(page) < 500) break;
  }
  for (const incident of unmarked) if (await isOrphan(incident)) return incident.IncidentId;
  return undefined;
}

/**
 * The markers an incident's description carried before people edited them away (from its history): who
 * an unmarked incident was made for, when a person replaced its text before the link was recorded.
 */
export async function markersInHistory(spira: SpiraPort, projectId: number, incidentId: number) {
  const changes = await spira.incidentHistory(projectId, incidentId);
  return changes.filter((c) => c.FieldName === 'Description').flatMap((c) => markersIn(c.OldValue));
}

/** Finds a comment of an incident that carries `ref`. */
export async function findCommentByMarker(
  spira: SpiraPort,
  projectId: number,
  incidentId: number,
  ref: string,
): Promise<number | undefined> {
  const comments = await spira.comments(projectId, incidentId);
  return comments.find((comment) => markersIn(comment.Text).includes(ref))?.CommentId;
}

/** The synced fields of an incident as read. */
export function fieldsOf(incident: SpiraIncident): IncidentFields {
  return {
    Name: incident.Name,
    Description: incident.Description ?? '',
    IncidentStatusId: incident.IncidentStatusId,
    OwnerId: incident.OwnerId,
    ResolvedReleaseId: incident.ResolvedReleaseId ?? null,
    PriorityId: incident.PriorityId ?? null,
    SeverityId: incident.SeverityId ?? null,
    IncidentTypeId: incident.IncidentTypeId ?? null,
    Tags: typeof incident.Tags === 'string' ? incident.Tags : null,
  };
}

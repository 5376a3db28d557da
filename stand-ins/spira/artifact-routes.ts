import {
  addCommentsFromApi,
  commentsOf,
  incidentIn,
  insertIncident,
  softDeleteIncident,
  updateIncidentFromApi,
} from './incidents.js';
import { deserialize, fault, INCIDENT_FIELDS, RELEASE_FIELDS } from './model.js';
import { insertRelease, releaseIn, softDeleteRelease, updateReleaseFromApi } from './releases.js';
import { empty, memberProject, ok, type Route, type RouteContext, type RouteResult } from './router.js';
import {
  applyFilters,
  boolParam,
  dateParam,
  type Filter,
  intParam,
  pageRows,
  parseFilters,
  sortRows,
} from './search.js';
import { commentView, incidentView, releaseView } from './views.js';

/** IncidentStatusId filter values meaning "any open status" / "any closed status". */
const ALL_OPEN = -2;
const ALL_CLOSED = -3;

function incidentStatusGroups(f: Filter, row: Record<string, unknown>): boolean | undefined {
  if (f.PropertyName !== 'IncidentStatusId' || (f.IntValue !== ALL_OPEN && f.IntValue !== ALL_CLOSED))
    return undefined;
  return row.IncidentStatusOpenStatus === (f.IntValue === ALL_OPEN);
}

function incidentRows(ctx: RouteContext, projectId: number): Record<string, unknown>[] {
  return ctx.store.liveIn(ctx.store.incidents, projectId).map((r) => incidentView(ctx.store, r));
}

function searchIncidents(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const startRow = intParam(ctx.query.start_row, 'start_row');
  const numberRows = intParam(ctx.query.number_rows, 'number_rows');
  const sortBy = ctx.query.sort_by || 'CreationDate';
  if (!(sortBy in INCIDENT_FIELDS))
    throw fault(400, `No property or field '${sortBy}' exists in type 'IncidentView'`);
  const filters = parseFilters(ctx.body);
  const hits = applyFilters(
    incidentRows(ctx, projectId),
    filters,
    Object.keys(INCIDENT_FIELDS),
    incidentStatusGroups,
  );
  return ok(pageRows(sortRows(hits, sortBy, 'IncidentId'), startRow, numberRows));
}

function recentIncidents(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const startRow = intParam(ctx.query.start_row, 'start_row');
  const numberRows = intParam(ctx.query.number_rows, 'number_rows');
  const since = dateParam(ctx.query.creation_date, 'creation_date');
  const rows = incidentRows(ctx, projectId).filter((r) => Date.parse(r.CreationDate as string) >= since);
  return ok(pageRows(sortRows(rows, 'CreationDate', 'IncidentId'), startRow, numberRows));
}

function listIncidents(ctx: RouteContext): RouteResult {
  const rows = sortRows(incidentRows(ctx, memberProject(ctx)), 'CreationDate', 'IncidentId').reverse();
  return ok(rows.slice(0, 500));
}

function incidentsByIds(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const raw = ctx.query.ids;
  if (raw === undefined || raw === '')
    throw fault(406, "The passed in 'ids' needs to be a comma-separated list of integers");
  const ids = raw.split(',').map((s) => intParam(s, 'ids'));
  const recs = ids
    .map((id) => ctx.store.live(ctx.store.incidents, id))
    .filter((r) => r?.data.ProjectId === projectId);
  return ok(recs.map((r) => incidentView(ctx.store, r as NonNullable<typeof r>)));
}

function createIncident(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const input = deserialize(INCIDENT_FIELDS, ctx.body, 'RemoteIncident');
  const honour = ctx.store.templateOf(projectId).statusBulkEdit;
  const rec = insertIncident(ctx.store, projectId, ctx.user.UserId, input, honour);
  // SRC-6x returns the submitted object with only the new id and product set, not server defaults.
  return ok({ ...input, IncidentId: rec.data.IncidentId, ProjectId: projectId });
}

function oneIncident(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const rec = incidentIn(ctx.store, projectId, intParam(ctx.params.incident_id, 'incident_id'));
  return ok(incidentView(ctx.store, rec));
}

function updateIncident(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  // The URL id is parsed but the body's IncidentId selects the incident (SRC-6x).
  intParam(ctx.params.incident_id, 'incident_id');
  updateIncidentFromApi(ctx.store, projectId, ctx.body, ctx.user.UserId);
  return empty();
}

/**
 * `GET …/artifact-types/{type}/artifacts/{id}/history`: the field changes of an incident (type 3), newest
 * first, each a RemoteHistoryChange carrying its RemoteHistoryChangeSet.
 */
function incidentHistory(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  if (intParam(ctx.params.artifact_type_id, 'artifact_type_id') !== 3) return ok([]);
  const rec = incidentIn(ctx.store, projectId, intParam(ctx.params.artifact_id, 'artifact_id'));
  const sets = ctx.store.history.get(rec.data.IncidentId as number) ?? [];
  const rows = [...sets].reverse().flatMap((set): object[] => {
    const user = ctx.store.users.get(set.userId);
    const changeSet = {
      HistoryChangeSetId: set.id,
      ProjectId: projectId,
      UserId: set.userId,
      UserFullName: user ? `${user.FirstName} ${user.LastName}` : '',
      ArtifactId: rec.data.IncidentId,
      ArtifactName: rec.data.Name,
      ArtifactTypeId: 3,
      ArtifactTypeName: 'Incident',
      ChangeDate: set.at,
      ChangeTypeId: set.type === 'Added' ? 3 : 1,
      ChangeTypeName: set.type,
    };
    // A change set without field rows comes back as one row with the field columns null (outer join).
    if (set.changes.length === 0) {
      const row = { FieldName: null, FieldCaption: null, OldValue: null, NewValue: null };
      return [{ HistoryChangeId: 0, ChangeSetId: set.id, ...row, ChangeSet: changeSet }] as object[];
    }
    return set.changes.map((change, i) => ({
      HistoryChangeId: set.id * 100 + i,
      ChangeSetId: set.id,
      FieldName: change.field,
      FieldCaption: change.field,
      OldValue: change.oldValue,
      NewValue: change.newValue,
      ChangeSet: changeSet,
    }));
  });
  return ok(rows);
}

function deleteIncident(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  softDeleteIncident(ctx.store, projectId, intParam(ctx.params.incident_id, 'incident_id'));
  return empty();
}

function listComments(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const rec = incidentIn(ctx.store, projectId, intParam(ctx.params.incident_id, 'incident_id'));
  return ok(commentsOf(ctx.store, rec.data.IncidentId as number).map((c) => commentView(ctx.store, c)));
}

function addComments(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const incidentId = intParam(ctx.params.incident_id, 'incident_id');
  return ok(addCommentsFromApi(ctx.store, projectId, incidentId, ctx.user.UserId, ctx.body));
}

function releaseRows(ctx: RouteContext, projectId: number): Record<string, unknown>[] {
  const rows = ctx.store.liveIn(ctx.store.releases, projectId).map((r) => releaseView(ctx.store, r));
  return rows.sort((a, b) => String(a.IndentLevel).localeCompare(String(b.IndentLevel)));
}

function listReleases(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const activeOnly = boolParam(ctx.query.active_only, 'active_only') ?? false;
  return ok(releaseRows(ctx, projectId).filter((r) => !activeOnly || r.Active === true));
}

function searchReleases(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const startRow = intParam(ctx.query.start_row, 'start_row');
  const numberRows = intParam(ctx.query.number_rows, 'number_rows');
  const hits = applyFilters(releaseRows(ctx, projectId), parseFilters(ctx.body), Object.keys(RELEASE_FIELDS));
  return ok(pageRows(hits, startRow, numberRows));
}

function createRelease(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  const parentId =
    ctx.params.release_id === undefined ? undefined : intParam(ctx.params.release_id, 'release_id');
  const input = deserialize(RELEASE_FIELDS, ctx.body, 'RemoteRelease');
  const honourStatus = ctx.store.templateOf(projectId).statusBulkEdit;
  const rec = insertRelease(ctx.store, projectId, ctx.user.UserId, input, { honourStatus, parentId });
  // Like incidents: the submitted object comes back with only its new id and product set.
  return ok({ ...input, ReleaseId: rec.data.ReleaseId, ProjectId: projectId });
}

function updateRelease(ctx: RouteContext): RouteResult {
  updateReleaseFromApi(ctx.store, memberProject(ctx), ctx.body);
  return empty();
}

function oneRelease(ctx: RouteContext): RouteResult {
  const projectId = memberProject(ctx);
  return ok(
    releaseView(ctx.store, releaseIn(ctx.store, projectId, intParam(ctx.params.release_id, 'release_id'))),
  );
}

function deleteRelease(ctx: RouteContext): RouteResult {
  softDeleteRelease(ctx.store, memberProject(ctx), intParam(ctx.params.release_id, 'release_id'));
  return empty();
}

/** Incident, incident-comment and release operations. */
export const ARTIFACT_ROUTES: readonly Route[] = [
  { template: 'projects/{project_id}/incidents', methods: { GET: listIncidents, POST: createIncident } },
  {
    template: 'projects/{project_id}/incidents/search',
    methods: { GET: searchIncidents, POST: searchIncidents },
  },
  { template: 'projects/{project_id}/incidents/recent', methods: { GET: recentIncidents } },
  { template: 'projects/{project_id}/incidents/search-by-ids', methods: { GET: incidentsByIds } },
  {
    template: 'projects/{project_id}/incidents/count',
    methods: { GET: (ctx) => ok(incidentRows(ctx, memberProject(ctx)).length) },
  },
  {
    template: 'projects/{project_id}/incidents/{incident_id}',
    methods: { GET: oneIncident, PUT: updateIncident, DELETE: deleteIncident },
  },
  {
    template: 'projects/{project_id}/incidents/{incident_id}/comments',
    methods: { GET: listComments, POST: addComments },
  },
  {
    template: 'projects/{project_id}/artifact-types/{artifact_type_id}/artifacts/{artifact_id}/history',
    methods: { GET: incidentHistory },
  },
  {
    template: 'projects/{project_id}/releases',
    methods: { GET: listReleases, POST: createRelease, PUT: updateRelease },
  },
  { template: 'projects/{project_id}/releases/search', methods: { POST: searchReleases } },
  {
    template: 'projects/{project_id}/releases/{release_id}',
    methods: { GET: oneRelease, POST: createRelease, DELETE: deleteRelease },
  },
];

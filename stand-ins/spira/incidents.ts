import { randomUUID } from 'node:crypto';
import { artifactIn, checkConcurrency, commit, mergeCustomProperties, pick } from './artifacts.js';
import { commitWithHistory, recordAdded } from './history.js';
import {
  COMMENT_FIELDS,
  convertValue,
  deserialize,
  type FieldMessage,
  fault,
  fullName,
  INCIDENT_FIELDS,
  type RemoteCommentLike,
  validationFault,
} from './model.js';
import type { ArtifactRec, CommentRec, LookupRec, SpiraStore } from './store.js';

/** Incident fields that are persisted; everything else in a RemoteIncident is derived on read. */
const STORED = [
  'IncidentId',
  'ProjectId',
  'PriorityId',
  'SeverityId',
  'IncidentStatusId',
  'IncidentTypeId',
  'OpenerId',
  'OwnerId',
  'TestRunStepIds',
  'DetectedReleaseId',
  'ResolvedReleaseId',
  'VerifiedReleaseId',
  'ComponentIds',
  'Name',
  'Description',
  'CreationDate',
  'StartDate',
  'EndDate',
  'ClosedDate',
  'EstimatedEffort',
  'ActualEffort',
  'RemainingEffort',
  'LastUpdateDate',
  'FixedBuildId',
  'DetectedBuildId',
  'ConcurrencyDate',
  'CustomProperties',
  'Tags',
  'Guid',
];

/** PUT: copied from the body even when null, i.e. a null clears the field (SRC-6x UpdateIncidentData). */
const PUT_ALWAYS = [
  'PriorityId',
  'SeverityId',
  'OwnerId',
  'DetectedReleaseId',
  'ResolvedReleaseId',
  'VerifiedReleaseId',
  'Name',
  'Description',
  'StartDate',
  'ClosedDate',
  'EstimatedEffort',
  'ActualEffort',
  'RemainingEffort',
  'FixedBuildId',
  'ComponentIds',
  'Tags',
];

/** PUT: copied only when the body value is non-null. */
const PUT_IF_SET = ['IncidentTypeId', 'OpenerId', 'CreationDate'];

/** Fields a person may set through the web UI stand-ins. */
const UI_WRITABLE = STORED.filter(
  (k) => !['IncidentId', 'ProjectId', 'LastUpdateDate', 'ConcurrencyDate', 'Guid'].includes(k),
);

const DAY_MS = 86_400_000;

function releaseInProduct(store: SpiraStore, id: unknown, projectId: number): boolean {
  return typeof id === 'number' && store.live(store.releases, id)?.data.ProjectId === projectId;
}

function dateMessages(d: Record<string, unknown>): FieldMessage[] {
  const created = Date.parse(d.CreationDate as string);
  const out: FieldMessage[] = [];
  if (
    d.ClosedDate !== null &&
    Math.floor(Date.parse(d.ClosedDate as string) / DAY_MS) < Math.floor(created / DAY_MS)
  ) {
    out.push({ FieldName: 'ClosedDate', Message: 'The closed date cannot be before the creation date' });
  }
  if (d.StartDate !== null && Date.parse(d.StartDate as string) < created - DAY_MS) {
    out.push({
      FieldName: 'StartDate',
      Message: 'The start date cannot be more than one day before the creation date',
    });
  }
  return out;
}

/** Rejects (400 Validation Fault) what the database or IncidentManager.Validate would reject. */
function validateIncident(store: SpiraStore, d: Record<string, unknown>): void {
  const projectId = d.ProjectId as number;
  const t = store.templateOf(projectId);
  const msgs: FieldMessage[] = [];
  const need = (ok: boolean, FieldName: string, what: string) => {
    if (!ok) msgs.push({ FieldName, Message: `${what} is not valid for this product` });
  };
  const inList = (list: LookupRec[], v: unknown) => list.some((l) => l.id === v);
  if (typeof d.Name !== 'string' || d.Name.trim() === '')
    msgs.push({ FieldName: 'Name', Message: 'Name is required' });
  need(inList(t.statuses, d.IncidentStatusId), 'IncidentStatusId', `Incident status ${d.IncidentStatusId}`);
  need(inList(t.types, d.IncidentTypeId), 'IncidentTypeId', `Incident type ${d.IncidentTypeId}`);
  need(d.PriorityId === null || inList(t.priorities, d.PriorityId), 'PriorityId', `Priority ${d.PriorityId}`);
  need(d.SeverityId === null || inList(t.severities, d.SeverityId), 'SeverityId', `Severity ${d.SeverityId}`);
  need(store.users.has(d.OpenerId as number), 'OpenerId', `User ${d.OpenerId}`);
  need(d.OwnerId === null || store.users.has(d.OwnerId as number), 'OwnerId', `User ${d.OwnerId}`);
  for (const field of ['DetectedReleaseId', 'ResolvedReleaseId', 'VerifiedReleaseId']) {
    need(d[field] === null || releaseInProduct(store, d[field], projectId), field, `Release ${d[field]}`);
  }
  msgs.push(...dateMessages(d));
  if (msgs.length > 0) throw validationFault(msgs);
}

/**
 * Inserts an incident from a bound RemoteIncident. Status is taken only when `honourStatus`
 * (API: the template's Status Bulk Edit; UI: always); null status/type → template defaults.
 */
export function insertIncident(
  store: SpiraStore,
  projectId: number,
  callerId: number,
  input: Record<string, unknown>,
  honourStatus: boolean,
): ArtifactRec {
  const t = store.templateOf(projectId);
  const now = store.stamp();
  const data: Record<string, unknown> = {
    ...pick(input, STORED),
    ProjectId: projectId,
    IncidentStatusId:
      honourStatus && input.IncidentStatusId !== null ? input.IncidentStatusId : t.defaultStatusId,
    IncidentTypeId: input.IncidentTypeId ?? t.defaultTypeId,
    OpenerId: input.OpenerId ?? callerId,
    Name: typeof input.Name === 'string' ? input.Name.slice(0, 255) : null,
    CreationDate: input.CreationDate ?? now,
    LastUpdateDate: now,
    ConcurrencyDate: now,
    CustomProperties: mergeCustomProperties([], input.CustomProperties),
    Guid: randomUUID(),
  };
  validateIncident(store, data);
  data.IncidentId = store.nextId('incident');
  const rec: ArtifactRec = { data, deleted: false };
  store.incidents.set(data.IncidentId as number, rec);
  recordAdded(store, rec, callerId);
  return rec;
}

/** A live incident of the product: 404 when missing or soft-deleted, 401 when in another product. */
export function incidentIn(store: SpiraStore, projectId: number, incidentId: number): ArtifactRec {
  return artifactIn(store.incidents, projectId, incidentId, 'Unable to locate requested incident');
}

/** `PUT projects/{p}/incidents/{id}`: full-object update keyed by the body's IncidentId (§3.4, §3.5). */
export function updateIncidentFromApi(
  store: SpiraStore,
  projectId: number,
  body: unknown,
  callerId: number,
): void {
  const input = deserialize(INCIDENT_FIELDS, body, 'RemoteIncident');
  if (input.IncidentId === null) throw fault(400, 'Nullable object must have a value.');
  const rec = incidentIn(store, projectId, input.IncidentId as number);
  const next: Record<string, unknown> = { ...rec.data, ...pick(input, PUT_ALWAYS) };
  for (const k of PUT_IF_SET) if (input[k] !== null) next[k] = input[k];
  if (input.IncidentStatusId !== null && store.templateOf(projectId).statusBulkEdit) {
    next.IncidentStatusId = input.IncidentStatusId;
  }
  if (input.CustomProperties !== null) {
    next.CustomProperties = mergeCustomProperties(rec.data.CustomProperties, input.CustomProperties);
  }
  validateIncident(store, next);
  checkConcurrency(rec, input.ConcurrencyDate);
  commitWithHistory(store, rec, next, callerId);
}

/** A person editing the incident in the web UI: partial edit, any status, stamps bumped. */
export function updateIncidentAsPerson(
  store: SpiraStore,
  projectId: number,
  incidentId: number,
  fields: Record<string, unknown>,
  userId: number,
): ArtifactRec {
  const rec = incidentIn(store, projectId, incidentId);
  const next = { ...rec.data };
  for (const [k, v] of Object.entries(fields)) {
    const kind = INCIDENT_FIELDS[k];
    if (kind && UI_WRITABLE.includes(k)) next[k] = convertValue(kind, v, k);
  }
  validateIncident(store, next);
  commitWithHistory(store, rec, next, userId);
  return rec;
}

/** Soft delete (IsDeleted = 1); bumps LastUpdateDate/ConcurrencyDate like any update. */
export function softDeleteIncident(store: SpiraStore, projectId: number, incidentId: number): void {
  const rec = incidentIn(store, projectId, incidentId);
  commit(store, rec, rec.data);
  rec.deleted = true;
}

/** Stores one comment. Does NOT touch the incident (Spira's InsertResolution only inserts the row). */
export function insertComment(
  store: SpiraStore,
  incidentId: number,
  userId: number,
  text: string,
  creationDate: string | null,
): CommentRec {
  const rec: CommentRec = {
    CommentId: store.nextId('comment'),
    ArtifactId: incidentId,
    Guid: randomUUID(),
    UserId: userId,
    Text: text,
    CreationDate: creationDate ?? store.now(),
  };
  store.comments.set(incidentId, [...(store.comments.get(incidentId) ?? []), rec]);
  return rec;
}

function commentMessages(store: SpiraStore, c: Record<string, unknown>): FieldMessage[] {
  const out: FieldMessage[] = [];
  if (typeof c.Text !== 'string' || c.Text.trim() === '')
    out.push({ FieldName: 'Text', Message: 'Text is required' });
  if (c.UserId !== null && !store.users.has(c.UserId as number)) {
    out.push({ FieldName: 'UserId', Message: `User ${c.UserId} is not valid` });
  }
  return out;
}

/** `POST …/incidents/{id}/comments`: body is an array; returns it with ids, author and date filled. */
export function addCommentsFromApi(
  store: SpiraStore,
  projectId: number,
  incidentId: number,
  callerId: number,
  body: unknown,
): RemoteCommentLike[] {
  incidentIn(store, projectId, incidentId);
  if (!Array.isArray(body)) {
    throw fault(400, "Cannot deserialize the current JSON value into type 'List`1[RemoteComment]'.");
  }
  const inputs = body.map((b) => deserialize(COMMENT_FIELDS, b, 'RemoteComment'));
  const msgs = inputs.flatMap((c) => commentMessages(store, c));
  if (msgs.length > 0) throw validationFault(msgs);
  return inputs.map((c) => {
    const rec = insertComment(
      store,
      incidentId,
      (c.UserId as number | null) ?? callerId,
      c.Text as string,
      null,
    );
    if (c.CreationDate !== null) rec.CreationDate = c.CreationDate as string;
    const author = store.requireUser(rec.UserId);
    const filled = {
      CommentId: rec.CommentId,
      ArtifactId: incidentId,
      UserId: rec.UserId,
      UserName: fullName(author),
    };
    return { ...c, ...filled, CreationDate: rec.CreationDate } as RemoteCommentLike;
  });
}

/** Comments of an incident, oldest first (CreationDate, then CommentId). */
export function commentsOf(store: SpiraStore, incidentId: number): CommentRec[] {
  return [...(store.comments.get(incidentId) ?? [])].sort(
    (a, b) => Date.parse(a.CreationDate) - Date.parse(b.CreationDate) || a.CommentId - b.CommentId,
  );
}

import { randomUUID } from 'node:crypto';
import { artifactIn, checkConcurrency, commit, mergeCustomProperties, pick } from './artifacts.js';
import {
  deserialize,
  type FieldMessage,
  fault,
  formatDate,
  MIN_DATE,
  RELEASE_FIELDS,
  validationFault,
} from './model.js';
import type { ArtifactRec, SpiraStore } from './store.js';
import { RELEASE_STATUSES, RELEASE_TYPES } from './views.js';

/** Release fields that are persisted; the rest of a RemoteRelease is derived on read. */
const STORED = [
  'ReleaseId',
  'ProjectId',
  'CreatorId',
  'OwnerId',
  'IndentLevel',
  'Name',
  'Description',
  'VersionNumber',
  'CreationDate',
  'LastUpdateDate',
  'ReleaseStatusId',
  'ReleaseTypeId',
  'StartDate',
  'EndDate',
  'ResourceCount',
  'DaysNonWorking',
  'TaskEstimatedEffort',
  'TaskActualEffort',
  'TaskCount',
  'ConcurrencyDate',
  'CustomProperties',
  'Tags',
  'Guid',
];

/** PUT: overwritten from the body (SRC-6x UpdateReleaseData); status and creator handled apart. */
const PUT_ALWAYS = [
  'Name',
  'Description',
  'VersionNumber',
  'CreationDate',
  'OwnerId',
  'ReleaseTypeId',
  'StartDate',
  'EndDate',
  'ResourceCount',
  'DaysNonWorking',
  'TaskEstimatedEffort',
  'TaskActualEffort',
  'TaskCount',
  'Tags',
];

const PLANNED = 1;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function encodeIndent(n: number): string {
  return [676, 26, 1].map((div) => LETTERS[Math.floor(n / div) % 26]).join('');
}

/** Next free IndentLevel under a parent ('' = root): 3 letters per level (AAA, AAB, …). */
function nextIndent(store: SpiraStore, projectId: number, parent: string): string {
  const siblings = [...store.releases.values()].filter((r) => {
    const indent = r.data.IndentLevel as string;
    return r.data.ProjectId === projectId && indent.length === parent.length + 3 && indent.startsWith(parent);
  });
  return parent + encodeIndent(siblings.length);
}

function versionTaken(store: SpiraStore, d: Record<string, unknown>): boolean {
  const wanted = String(d.VersionNumber).toLowerCase();
  return store
    .liveIn(store.releases, d.ProjectId as number)
    .some((r) => r.data.ReleaseId !== d.ReleaseId && String(r.data.VersionNumber).toLowerCase() === wanted);
}

function dateMessages(d: Record<string, unknown>): FieldMessage[] {
  const out: FieldMessage[] = [];
  for (const field of ['CreationDate', 'StartDate', 'EndDate']) {
    if (d[field] === MIN_DATE) out.push({ FieldName: field, Message: `${field} is required` });
  }
  if (out.length === 0 && Date.parse(d.StartDate as string) > Date.parse(d.EndDate as string)) {
    out.push({ FieldName: 'EndDate', Message: 'The end date cannot be before the start date' });
  }
  return out;
}

/** Rejects (400 Validation Fault) what ReleaseManager or the database would reject. */
function validateRelease(store: SpiraStore, d: Record<string, unknown>): void {
  const msgs: FieldMessage[] = [];
  const add = (FieldName: string, Message: string) => msgs.push({ FieldName, Message });
  if (typeof d.Name !== 'string' || d.Name.trim() === '') add('Name', 'Name is required');
  if (typeof d.VersionNumber !== 'string') add('VersionNumber', 'VersionNumber is required');
  else if (versionTaken(store, d)) add('VersionNumber', 'The version number specified is not unique');
  const status = d.ReleaseStatusId as number;
  const type = d.ReleaseTypeId as number;
  if (!(status >= 1 && status <= RELEASE_STATUSES.length))
    add('ReleaseStatusId', `Release status ${status} is not valid`);
  if (!(type >= 1 && type <= RELEASE_TYPES.length)) add('ReleaseTypeId', `Release type ${type} is not valid`);
  if (!store.users.has(d.CreatorId as number)) add('CreatorId', `User ${d.CreatorId} is not valid`);
  if (d.OwnerId !== null && !store.users.has(d.OwnerId as number))
    add('OwnerId', `User ${d.OwnerId} is not valid`);
  msgs.push(...dateMessages(d));
  if (msgs.length > 0) throw validationFault(msgs);
}

/** A live release of the product (404 / 401 like incidents). */
export function releaseIn(store: SpiraStore, projectId: number, releaseId: number): ArtifactRec {
  return artifactIn(store.releases, projectId, releaseId, 'Unable to locate requested release');
}

/**
 * Inserts a release from a bound RemoteRelease, at root level or under `parentId`. With Status
 * Bulk Edit off (and `honourStatus` false) the status is forced to Planned.
 */
export function insertRelease(
  store: SpiraStore,
  projectId: number,
  callerId: number,
  input: Record<string, unknown>,
  opts: { honourStatus: boolean; parentId?: number },
): ArtifactRec {
  const parent =
    opts.parentId === undefined
      ? ''
      : (releaseIn(store, projectId, opts.parentId).data.IndentLevel as string);
  const now = store.stamp();
  const data: Record<string, unknown> = {
    ...pick(input, STORED),
    ProjectId: projectId,
    CreatorId: input.CreatorId ?? callerId,
    ReleaseStatusId: opts.honourStatus ? input.ReleaseStatusId : PLANNED,
    CreationDate: input.CreationDate === MIN_DATE ? now : input.CreationDate,
    LastUpdateDate: now,
    ConcurrencyDate: now,
    CustomProperties: mergeCustomProperties([], input.CustomProperties),
    Guid: randomUUID(),
  };
  data.ReleaseId = null;
  validateRelease(store, data);
  data.ReleaseId = store.nextId('release');
  data.IndentLevel = nextIndent(store, projectId, parent);
  const rec: ArtifactRec = { data, deleted: false };
  store.releases.set(data.ReleaseId as number, rec);
  return rec;
}

/** `PUT projects/{p}/releases`: ReleaseId and ConcurrencyDate come from the body. */
export function updateReleaseFromApi(store: SpiraStore, projectId: number, body: unknown): void {
  const input = deserialize(RELEASE_FIELDS, body, 'RemoteRelease');
  if (input.ReleaseId === null) throw fault(400, 'Nullable object must have a value.');
  const rec = releaseIn(store, projectId, input.ReleaseId as number);
  const next: Record<string, unknown> = { ...rec.data, ...pick(input, PUT_ALWAYS) };
  if (store.templateOf(projectId).statusBulkEdit) next.ReleaseStatusId = input.ReleaseStatusId;
  if (input.CreatorId !== null) next.CreatorId = input.CreatorId;
  if (input.CustomProperties !== null) {
    next.CustomProperties = mergeCustomProperties(rec.data.CustomProperties, input.CustomProperties);
  }
  validateRelease(store, next);
  checkConcurrency(rec, input.ConcurrencyDate);
  commit(store, rec, next);
}

/** Soft delete; bumps LastUpdateDate/ConcurrencyDate. */
export function softDeleteRelease(store: SpiraStore, projectId: number, releaseId: number): void {
  const rec = releaseIn(store, projectId, releaseId);
  commit(store, rec, rec.data);
  rec.deleted = true;
}

/** A person creating a release in the web UI: sensible defaults for anything not given. */
export function createReleaseAsPerson(
  store: SpiraStore,
  projectId: number,
  userId: number,
  fields: Record<string, unknown>,
): ArtifactRec {
  store.requireUser(userId);
  const start = store.nowMs();
  const taken = new Set(store.liveIn(store.releases, projectId).map((r) => String(r.data.VersionNumber)));
  let n = taken.size + 1;
  while (taken.has(`${n}.0`)) n += 1;
  const defaults = {
    VersionNumber: `${n}.0`,
    ReleaseStatusId: PLANNED,
    ReleaseTypeId: 1,
    StartDate: formatDate(start),
    EndDate: formatDate(start + 14 * 86_400_000),
  };
  const input = deserialize(RELEASE_FIELDS, { ...defaults, ...fields }, 'RemoteRelease');
  return insertRelease(store, projectId, userId, input, { honourStatus: true });
}

import {
  COMMENT_FIELDS,
  type FieldKind,
  fullName,
  INCIDENT_FIELDS,
  RELEASE_FIELDS,
  type RemoteCommentLike,
  type RemoteIncidentLike,
  type RemoteReleaseLike,
} from './model.js';
import type {
  ArtifactRec,
  CommentRec,
  LookupRec,
  ProjectRec,
  SpiraStore,
  TemplateRec,
  UserRec,
} from './store.js';

/** Release status names (system enum, ids 1..6). */
export const RELEASE_STATUSES = ['Planned', 'In Progress', 'Completed', 'Closed', 'Deferred', 'Cancelled'];
/** Release type names (system enum, ids 1..4). */
export const RELEASE_TYPES = ['Major Release', 'Minor Release', 'Sprint', 'Phase'];

/** Orders values by a field table, filling anything not given with null. */
function ordered(
  fields: Readonly<Record<string, FieldKind>>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(Object.keys(fields).map((k) => [k, structuredClone(values[k] ?? null)]));
}

function nameOf(list: LookupRec[], id: unknown): string | null {
  return list.find((l) => l.id === id)?.Name ?? null;
}

function releaseRef(store: SpiraStore, id: unknown): { Guid: unknown; VersionNumber: unknown } {
  const rec = typeof id === 'number' ? store.releases.get(id) : undefined;
  return { Guid: rec?.data.Guid ?? null, VersionNumber: rec?.data.VersionNumber ?? null };
}

function efforts(d: Record<string, unknown>): { ProjectedEffort: number | null; CompletionPercent: number } {
  const actual = d.ActualEffort as number | null;
  const remaining = d.RemainingEffort as number | null;
  if (actual === null && remaining === null) return { ProjectedEffort: null, CompletionPercent: 0 };
  const projected = (actual ?? 0) + (remaining ?? 0);
  const done = projected > 0 ? Math.round(((projected - (remaining ?? 0)) * 100) / projected) : 0;
  return { ProjectedEffort: projected, CompletionPercent: done };
}

/** Full `RemoteIncident` as GET returns it (display names and GUIDs resolved). */
export function incidentView(store: SpiraStore, rec: ArtifactRec): RemoteIncidentLike {
  const d = rec.data;
  const project = store.projects.get(d.ProjectId as number) as ProjectRec;
  const t = store.templates.get(project.ProjectTemplateId) as TemplateRec;
  const opener = store.users.get(d.OpenerId as number);
  const owner = typeof d.OwnerId === 'number' ? store.users.get(d.OwnerId) : undefined;
  const [detected, resolved, verified] = [d.DetectedReleaseId, d.ResolvedReleaseId, d.VerifiedReleaseId].map(
    (id) => releaseRef(store, id),
  ) as [ReturnType<typeof releaseRef>, ReturnType<typeof releaseRef>, ReturnType<typeof releaseRef>];
  return ordered(INCIDENT_FIELDS, {
    ...d,
    ...efforts(d),
    OpenerGuid: opener?.UserGuid,
    OwnerGuid: owner?.UserGuid,
    DetectedReleaseGuid: detected.Guid,
    ResolvedReleaseGuid: resolved.Guid,
    VerifiedReleaseGuid: verified.Guid,
    PriorityName: nameOf(t.priorities, d.PriorityId),
    SeverityName: nameOf(t.severities, d.SeverityId),
    IncidentStatusName: nameOf(t.statuses, d.IncidentStatusId),
    IncidentTypeName: nameOf(t.types, d.IncidentTypeId),
    OpenerName: opener && fullName(opener),
    OwnerName: owner && fullName(owner),
    ProjectName: project.Name,
    DetectedReleaseVersionNumber: detected.VersionNumber,
    ResolvedReleaseVersionNumber: resolved.VersionNumber,
    VerifiedReleaseVersionNumber: verified.VersionNumber,
    IncidentStatusOpenStatus: t.statuses.find((s) => s.id === d.IncidentStatusId)?.Open,
    ProjectGuid: project.Guid,
    ArtifactTypeId: 3,
    CustomProperties: d.CustomProperties ?? [],
    IsAttachments: false,
  }) as RemoteIncidentLike;
}

/** `RemoteComment` as GET returns it. */
export function commentView(store: SpiraStore, c: CommentRec): RemoteCommentLike {
  const author = store.users.get(c.UserId);
  return ordered(COMMENT_FIELDS, {
    ...c,
    UserGuid: author?.UserGuid,
    UserName: author && fullName(author),
    IsDeleted: false,
    IsPermanent: false,
  }) as RemoteCommentLike;
}

/** Full `RemoteRelease` as GET returns it. */
export function releaseView(store: SpiraStore, rec: ArtifactRec): RemoteReleaseLike {
  const d = rec.data;
  const project = store.projects.get(d.ProjectId as number) as ProjectRec;
  const creator = store.users.get(d.CreatorId as number);
  const owner = typeof d.OwnerId === 'number' ? store.users.get(d.OwnerId) : undefined;
  const indent = d.IndentLevel as string;
  const hasChildren = store
    .liveIn(store.releases, project.ProjectId)
    .some(
      (r) =>
        (r.data.IndentLevel as string).length > indent.length &&
        (r.data.IndentLevel as string).startsWith(indent),
    );
  const zero = {
    CountBlocked: 0,
    CountCaution: 0,
    CountFailed: 0,
    CountNotApplicable: 0,
    CountNotRun: 0,
    CountPassed: 0,
  };
  return ordered(RELEASE_FIELDS, {
    ...d,
    ...zero,
    CreatorGuid: creator?.UserGuid,
    OwnerGuid: owner?.UserGuid,
    OwnerName: owner && fullName(owner),
    Summary: hasChildren,
    Active: (d.ReleaseStatusId as number) <= 3,
    CreatorName: creator && fullName(creator),
    FullName: `${d.VersionNumber} - ${d.Name}`,
    ReleaseStatusName: RELEASE_STATUSES[(d.ReleaseStatusId as number) - 1],
    ReleaseTypeName: RELEASE_TYPES[(d.ReleaseTypeId as number) - 1],
    PercentComplete: 0,
    RequirementCount: 0,
    ProjectGuid: project.Guid,
    ArtifactTypeId: 4,
    CustomProperties: d.CustomProperties ?? [],
    IsAttachments: false,
  }) as RemoteReleaseLike;
}

/** `RemoteUser`; the API key (RssToken) is only revealed to system administrators. */
export function userView(u: UserRec, revealToken: boolean): Record<string, unknown> {
  return {
    UserId: u.UserId,
    UserGuid: u.UserGuid,
    FirstName: u.FirstName,
    LastName: u.LastName,
    MiddleInitial: null,
    UserName: u.UserName,
    LdapDn: null,
    EmailAddress: u.EmailAddress,
    Admin: u.Admin,
    Active: true,
    Department: null,
    Approved: true,
    Locked: false,
    RssToken: revealToken ? u.ApiKey : null,
    FullName: fullName(u),
    LastUpdatedDate: u.CreationDate,
    LastLockoutDate: null,
    LastActivityDate: null,
    LastLoginDate: null,
    LastPasswordChange: null,
    OrganizationName: null,
    OrganizationId: null,
    EmailsEnabled: true,
    ReportAdmin: false,
    PortfolioViewer: false,
    TimesheetManager: false,
    OAuthProvider: null,
    MutliFactorAuthentication: false,
    CustomProperties: null,
    ArtifactTypeId: 0,
    ConcurrencyGuid: u.UserGuid,
  };
}

/** `RemoteProjectUser`: a member with its product role. */
export function projectUserView(p: ProjectRec, u: UserRec): Record<string, unknown> {
  return {
    ProjectId: p.ProjectId,
    ProjectGuid: p.Guid,
    ProjectRoleId: 3,
    ProjectRoleGuid: null,
    ProjectRoleName: 'Developer',
    ...userView(u, false),
  };
}

/** `RemoteProject`. */
export function projectView(p: ProjectRec): Record<string, unknown> {
  return {
    ProjectId: p.ProjectId,
    ProjectTemplateId: p.ProjectTemplateId,
    ProjectGroupId: 1,
    Name: p.Name,
    Description: null,
    Website: null,
    CreationDate: p.CreationDate,
    Active: true,
    WorkingHours: 8,
    WorkingDays: 5,
    NonWorkingHours: 0,
    StartDate: null,
    EndDate: null,
    PercentComplete: 0,
    RequirementCount: 0,
    WorkspaceTypeId: 1,
    Guid: p.Guid,
    LastUpdatedDate: p.CreationDate,
    ArtifactTypeId: 0,
    ConcurrencyGuid: p.Guid,
    CustomProperties: null,
  };
}

type LookupKind = 'statuses' | 'types' | 'priorities' | 'severities';

/** One template lookup row in its `RemoteIncidentXxx` shape. */
export function lookupView(t: TemplateRec, kind: LookupKind, l: LookupRec): Record<string, unknown> {
  const common = { Name: l.Name, Active: true };
  const tail = { Guid: l.Guid, ConcurrencyGuid: l.Guid, LastUpdateDate: t.CreationDate };
  if (kind === 'statuses') return { IncidentStatusId: l.id, ...common, Open: l.Open, ...tail };
  if (kind === 'types') {
    const flags = {
      Issue: false,
      Risk: false,
      WorkflowId: t.ProjectTemplateId,
      Default: l.id === t.defaultTypeId,
    };
    return { IncidentTypeId: l.id, ...common, ...flags, ...tail };
  }
  const idKey = kind === 'priorities' ? 'PriorityId' : 'SeverityId';
  return { [idKey]: l.id, ...common, Color: l.Color, Score: l.Score, ...tail };
}

/** `RemoteReleaseStatus[]` / `RemoteReleaseType[]` (system enums, same ids in every template). */
export function releaseLookupViews(kind: 'statuses' | 'types', stamp: string): Record<string, unknown>[] {
  const names = kind === 'statuses' ? RELEASE_STATUSES : RELEASE_TYPES;
  return names.map((Name, i) => ({
    ...(kind === 'statuses' ? { ReleaseStatusId: i + 1 } : { ReleaseTypeId: i + 1, WorkflowId: null }),
    Name,
    Active: true,
    Position: i + 1,
    Guid: null,
    ConcurrencyGuid: null,
    LastUpdateDate: stamp,
  }));
}

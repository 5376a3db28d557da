/**
 * Field tables of the Spira v7.0 data contracts the stand-in serves, in OpenAPI declaration order,
 * with the .NET type each property binds to.
 */

/** .NET type of a bound property: `?` marks `Nullable<T>`; strings and lists are always nullable. */
export type FieldKind =
  | 'int'
  | 'int?'
  | 'num'
  | 'num?'
  | 'str'
  | 'bool'
  | 'bool?'
  | 'date'
  | 'date?'
  | 'list';

/** `DateTime.MinValue` as Newtonsoft writes it: the value of a non-nullable date nobody set. */
export const MIN_DATE = '0001-01-01T00:00:00.000Z';

/** `RemoteIncident` (v7.0 OpenAPI order). */
export const INCIDENT_FIELDS: Readonly<Record<string, FieldKind>> = {
  IncidentId: 'int?',
  PriorityId: 'int?',
  SeverityId: 'int?',
  IncidentStatusId: 'int?',
  IncidentTypeId: 'int?',
  OpenerId: 'int?',
  OwnerId: 'int?',
  OpenerGuid: 'str',
  OwnerGuid: 'str',
  TestRunStepIds: 'list',
  DetectedReleaseId: 'int?',
  ResolvedReleaseId: 'int?',
  VerifiedReleaseId: 'int?',
  DetectedReleaseGuid: 'str',
  ResolvedReleaseGuid: 'str',
  VerifiedReleaseGuid: 'str',
  ComponentIds: 'list',
  Name: 'str',
  Description: 'str',
  CreationDate: 'date?',
  StartDate: 'date?',
  EndDate: 'date?',
  ClosedDate: 'date?',
  CompletionPercent: 'int',
  EstimatedEffort: 'int?',
  ActualEffort: 'int?',
  RemainingEffort: 'int?',
  ProjectedEffort: 'int?',
  LastUpdateDate: 'date',
  PriorityName: 'str',
  SeverityName: 'str',
  IncidentStatusName: 'str',
  IncidentTypeName: 'str',
  OpenerName: 'str',
  OwnerName: 'str',
  ProjectName: 'str',
  DetectedReleaseVersionNumber: 'str',
  ResolvedReleaseVersionNumber: 'str',
  VerifiedReleaseVersionNumber: 'str',
  IncidentStatusOpenStatus: 'bool?',
  FixedBuildId: 'int?',
  FixedBuildName: 'str',
  DetectedBuildId: 'int?',
  DetectedBuildName: 'str',
  ProjectId: 'int',
  ProjectGuid: 'str',
  ArtifactTypeId: 'int',
  ConcurrencyDate: 'date',
  CustomProperties: 'list',
  IsAttachments: 'bool',
  Tags: 'str',
  Guid: 'str',
};

/** `RemoteComment` (v7.0 OpenAPI order). */
export const COMMENT_FIELDS: Readonly<Record<string, FieldKind>> = {
  CommentId: 'int?',
  ArtifactId: 'int',
  Guid: 'str',
  UserId: 'int?',
  UserGuid: 'str',
  UserName: 'str',
  Text: 'str',
  CreationDate: 'date?',
  IsDeleted: 'bool',
  IsPermanent: 'bool',
};

/** `RemoteRelease` (v7.0 OpenAPI order). */
export const RELEASE_FIELDS: Readonly<Record<string, FieldKind>> = {
  ReleaseId: 'int?',
  CreatorId: 'int?',
  OwnerId: 'int?',
  CreatorGuid: 'str',
  OwnerGuid: 'str',
  OwnerName: 'str',
  IndentLevel: 'str',
  Name: 'str',
  Description: 'str',
  VersionNumber: 'str',
  CreationDate: 'date',
  LastUpdateDate: 'date',
  Summary: 'bool',
  Active: 'bool',
  ReleaseStatusId: 'int',
  ReleaseTypeId: 'int',
  StartDate: 'date',
  EndDate: 'date',
  ResourceCount: 'num',
  DaysNonWorking: 'num',
  PlannedEffort: 'int?',
  AvailableEffort: 'int?',
  TaskEstimatedEffort: 'int?',
  TaskActualEffort: 'int?',
  TaskCount: 'int?',
  CreatorName: 'str',
  FullName: 'str',
  ReleaseStatusName: 'str',
  ReleaseTypeName: 'str',
  CountBlocked: 'int',
  CountCaution: 'int',
  CountFailed: 'int',
  CountNotApplicable: 'int',
  CountNotRun: 'int',
  CountPassed: 'int',
  PercentComplete: 'int',
  RequirementCount: 'int',
  RequirementPoints: 'num?',
  ProjectId: 'int',
  ProjectGuid: 'str',
  ArtifactTypeId: 'int',
  ConcurrencyDate: 'date',
  CustomProperties: 'list',
  IsAttachments: 'bool',
  Tags: 'str',
  Guid: 'str',
};

import { z } from 'zod';

/** Spira's JSON dates: ISO-8601 UTC with a literal `Z` (`2024-01-31T17:09:14.620Z`). */
export const SpiraDateSchema = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'not a date');

/**
 * `RemoteIncident`. Loose: fields we do not use are kept, because an update is a full PUT of the object
 * we read (omitted fields would be cleared).
 */
export const SpiraIncidentSchema = z.looseObject({
  IncidentId: z.number().int(),
  ProjectId: z.number().int(),
  Name: z.string(),
  Description: z.string().nullable(),
  IncidentStatusId: z.number().int(),
  IncidentTypeId: z.number().int().nullable().optional(),
  PriorityId: z.number().int().nullable().optional(),
  SeverityId: z.number().int().nullable().optional(),
  OpenerId: z.number().int().nullable(),
  OwnerId: z.number().int().nullable(),
  ResolvedReleaseId: z.number().int().nullable().optional(),
  CreationDate: SpiraDateSchema.nullable(),
  LastUpdateDate: SpiraDateSchema,
  ConcurrencyDate: SpiraDateSchema,
});
export type SpiraIncident = z.infer<typeof SpiraIncidentSchema>;

/** The answer to `POST projects/{p}/incidents`: the submitted object echoed with its new id. */
export const SpiraCreatedIncidentSchema = z.looseObject({ IncidentId: z.number().int() });

/** `RemoteComment`. */
export const SpiraCommentSchema = z.looseObject({
  CommentId: z.number().int(),
  ArtifactId: z.number().int(),
  UserId: z.number().int().nullable(),
  UserName: z.string().nullable().optional(),
  Text: z.string().nullable(),
  CreationDate: SpiraDateSchema.nullable(),
});
export type SpiraComment = z.infer<typeof SpiraCommentSchema>;

/** `RemoteProject` (what we use of it). */
export const SpiraProjectSchema = z.looseObject({
  ProjectId: z.number().int(),
  ProjectTemplateId: z.number().int(),
  Name: z.string(),
});

/** `RemoteIncidentStatus`. */
export const SpiraIncidentStatusSchema = z.looseObject({
  IncidentStatusId: z.number().int(),
  Name: z.string(),
  Open: z.boolean(),
  Active: z.boolean().optional(),
});
export type SpiraIncidentStatus = z.infer<typeof SpiraIncidentStatusSchema>;

/** `RemoteProjectUser`. */
export const SpiraProjectUserSchema = z.looseObject({
  UserId: z.number().int(),
  FirstName: z.string().nullable(),
  LastName: z.string().nullable(),
  UserName: z.string(),
});
export type SpiraProjectUser = z.infer<typeof SpiraProjectUserSchema>;

/** `RemoteFilter` as we send it. */
export interface SpiraFilter {
  PropertyName: string;
  IntValue?: number;
  DateRangeValue?: { StartDate: string | null; EndDate: string | null; ConsiderTimes: boolean };
}

/** `RemoteRelease` (loose: an update is a full PUT of what was read). */
export const SpiraReleaseSchema = z.looseObject({
  ReleaseId: z.number().int(),
  Name: z.string(),
  Description: z.string().nullable(),
  VersionNumber: z.string(),
  ReleaseStatusId: z.number().int(),
  ReleaseTypeId: z.number().int(),
  StartDate: SpiraDateSchema,
  EndDate: SpiraDateSchema,
  LastUpdateDate: SpiraDateSchema,
  ConcurrencyDate: SpiraDateSchema,
});
export type SpiraRelease = z.infer<typeof SpiraReleaseSchema>;

/** One field change of `GET …/artifact-types/3/artifacts/{id}/history` (RemoteHistoryChange). */
export const SpiraHistoryChangeSchema = z.object({
  FieldName: z.string(),
  OldValue: z.string().nullable(),
  NewValue: z.string().nullable(),
  ChangeSet: z.object({ UserId: z.number().int(), ChangeDate: SpiraDateSchema }),
});
export type SpiraHistoryChange = z.infer<typeof SpiraHistoryChangeSchema>;

import { z } from 'zod';

/*
 * Tolerant readers (README "Tolerant readers"): a schema requires only what the code reads. Spira's
 * OpenAPI file is generated from C#, where `string` is a reference type: every string may be null, so
 * every Spira string is `spiraString` (or `spiraText` where the code needs text). Loose objects keep the
 * fields we do not read, because an update is a full PUT of what was read.
 */

/** Any Spira string: null or missing allowed. */
export const spiraString = z.string().nullish();

/** A Spira string the code needs as text: null or missing reads as ''. */
export const spiraText = spiraString.transform((value) => value ?? '');

/** A Spira string kept as `string | null` (missing reads as null). */
export const spiraNullableString = spiraString.transform((value) => value ?? null);

/** A Spira `int?` kept as `number | null` (missing reads as null). */
export const spiraNullableInt = z
  .number()
  .int()
  .nullish()
  .transform((value) => value ?? null);

const HAS_ZONE = /(?:[zZ]|[+-]\d{2}:?\d{2})$/;
const HAS_TIME = /\d[T ]\d{2}:\d{2}/;

/**
 * The one date rule at the edge: Spira dates are UTC, and one without a zone (`2025-03-04T10:11:12.123`) is
 * read as UTC too (Spira's own IsoDateTimeConverter assumes universal). Returns ISO-8601 with `Z`, or
 * undefined when the text is no date.
 */
export function spiraDateToIso(text: string): string | undefined {
  const trimmed = text.trim();
  const zoned = HAS_TIME.test(trimmed) && !HAS_ZONE.test(trimmed) ? `${trimmed}Z` : trimmed;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A Spira date, held as ISO-Z (see {@link spiraDateToIso}). */
export const SpiraDateSchema = z.string().transform((text, ctx) => {
  const iso = spiraDateToIso(text);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: 'not a date' });
    return z.NEVER;
  }
  return iso;
});

/**
 * `ConcurrencyDate`: checked to be a date but kept exactly as Spira sent it, because a PUT must echo it and
 * Spira compares it with what it holds (normalising could drop precision and turn every PUT into a 409).
 */
export const SpiraConcurrencyDateSchema = z
  .string()
  .refine((text) => spiraDateToIso(text) !== undefined, 'not a date');

/** A Spira `DateTime?` held as ISO-Z or null. */
export const SpiraNullableDateSchema = SpiraDateSchema.nullish().transform((value) => value ?? null);

/** `RemoteIncident`: what the sync reads of it; the rest is kept for the full PUT. */
export const SpiraIncidentSchema = z.looseObject({
  IncidentId: z.number().int(),
  ProjectId: z.number().int(),
  Name: spiraText,
  Description: spiraNullableString,
  IncidentStatusId: z.number().int(),
  IncidentTypeId: z.number().int().nullish(),
  PriorityId: z.number().int().nullish(),
  SeverityId: z.number().int().nullish(),
  OpenerId: spiraNullableInt,
  OwnerId: spiraNullableInt,
  ResolvedReleaseId: z.number().int().nullish(),
  CreationDate: SpiraNullableDateSchema,
  LastUpdateDate: SpiraDateSchema,
  ConcurrencyDate: SpiraConcurrencyDateSchema,
});
export type SpiraIncident = z.output<typeof SpiraIncidentSchema>;

/** The answer to a create: only the new id is read (the write already happened). */
export const SpiraCreatedIncidentSchema = z.looseObject({ IncidentId: z.number().int() });
export const SpiraCreatedReleaseSchema = z.looseObject({ ReleaseId: z.number().int() });
export const SpiraCreatedCommentSchema = z.looseObject({ CommentId: z.number().int() });

/** `RemoteComment`. */
export const SpiraCommentSchema = z.looseObject({
  CommentId: z.number().int(),
  UserId: spiraNullableInt,
  UserName: spiraString,
  Text: spiraNullableString,
  CreationDate: SpiraNullableDateSchema,
});
export type SpiraComment = z.output<typeof SpiraCommentSchema>;

/** `RemoteProject` (what we use of it). */
export const SpiraProjectSchema = z.looseObject({
  ProjectId: z.number().int().nullish(),
  ProjectTemplateId: z.number().int(),
  Name: spiraString,
});

/** `RemoteIncidentStatus`. `Open` is a .NET bool (never null); read as open when missing. */
export const SpiraIncidentStatusSchema = z.looseObject({
  IncidentStatusId: z.number().int(),
  Name: spiraText,
  Open: z
    .boolean()
    .nullish()
    .transform((value) => value ?? true),
  Active: z.boolean().nullish(),
});
export type SpiraIncidentStatus = z.output<typeof SpiraIncidentStatusSchema>;

/** `RemoteProjectUser`. */
export const SpiraProjectUserSchema = z.looseObject({
  UserId: z.number().int(),
  FirstName: spiraNullableString,
  LastName: spiraNullableString,
  UserName: spiraText,
});
export type SpiraProjectUser = z.output<typeof SpiraProjectUserSchema>;

/** `GET users`: the authenticated user. */
export const SpiraCurrentUserSchema = z.looseObject({ UserId: z.number().int(), UserName: spiraText });

/** `RemoteFilter` as we send it. */
export interface SpiraFilter {
  PropertyName: string;
  IntValue?: number;
  DateRangeValue?: { StartDate: string | null; EndDate: string | null; ConsiderTimes: boolean };
}

/** `RemoteRelease` (loose: an update is a full PUT of what was read). */
export const SpiraReleaseSchema = z.looseObject({
  ReleaseId: z.number().int(),
  Name: spiraText,
  Description: spiraNullableString,
  VersionNumber: spiraText,
  ReleaseStatusId: z.number().int(),
  ReleaseTypeId: z.number().int(),
  StartDate: SpiraDateSchema,
  EndDate: SpiraDateSchema,
  LastUpdateDate: SpiraDateSchema,
  ConcurrencyDate: SpiraConcurrencyDateSchema,
});
export type SpiraRelease = z.output<typeof SpiraReleaseSchema>;

/**
 * One row of `GET …/artifact-types/3/artifacts/{id}/history` (RemoteHistoryChange) as Spira sends it: a change
 * set without field rows (the "Added" set of every new incident, deletions) is one row with FieldName,
 * OldValue and NewValue null. Lookup fields hold the lookup's text (`"Closed"`, a user's full name, a release's
 * version number), never the id.
 */
export const SpiraHistoryRowSchema = z.looseObject({
  FieldName: spiraNullableString,
  OldValue: spiraNullableString,
  NewValue: spiraNullableString,
  ChangeSet: z
    .looseObject({ UserId: spiraNullableInt, ChangeDate: SpiraNullableDateSchema })
    .nullish()
    .transform((value) => value ?? null),
});

/** A field change the engine uses: rows without a field name or a change date are dropped by the client. */
export interface SpiraHistoryChange {
  FieldName: string;
  OldValue: string | null;
  NewValue: string | null;
  ChangeSet: { UserId: number | null; ChangeDate: string };
}

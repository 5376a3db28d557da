/**
 * Wire shapes, errors, dates and (de)serialization rules shared by the Spira stand-in.
 *
 * The real service is WCF + Newtonsoft.Json: request bodies are bound to .NET classes, so unknown
 * properties are dropped, property names match case-insensitively, missing properties take the
 * .NET default of their type and every property is serialized back (nulls included).
 */

import { type FieldKind, MIN_DATE } from './fields.js';

export {
  COMMENT_FIELDS,
  type FieldKind,
  INCIDENT_FIELDS,
  MIN_DATE,
  RELEASE_FIELDS,
} from './fields.js';

/** A Spira `RemoteIncident` as the stand-in serializes it (every OpenAPI field present). */
export type RemoteIncidentLike = {
  IncidentId: number;
  ProjectId: number;
  Name: string;
  Description: string | null;
  IncidentStatusId: number;
  IncidentTypeId: number;
  PriorityId: number | null;
  SeverityId: number | null;
  OpenerId: number;
  OwnerId: number | null;
  ResolvedReleaseId: number | null;
  DetectedReleaseId: number | null;
  CreationDate: string;
  LastUpdateDate: string;
  ConcurrencyDate: string;
  ClosedDate: string | null;
  Tags: string | null;
  [k: string]: unknown;
};

/** A Spira `RemoteComment` (incident comment) as the stand-in serializes it. */
export type RemoteCommentLike = {
  CommentId: number;
  ArtifactId: number;
  UserId: number;
  UserName: string;
  Text: string;
  CreationDate: string;
  IsDeleted: boolean;
  IsPermanent: boolean;
  [k: string]: unknown;
};

/** A Spira `RemoteRelease` as the stand-in serializes it. */
export type RemoteReleaseLike = {
  ReleaseId: number;
  Name: string;
  VersionNumber: string;
  ReleaseStatusId: number;
  ReleaseTypeId: number;
  StartDate: string;
  EndDate: string;
  ConcurrencyDate: string;
  LastUpdateDate: string;
  CreationDate: string;
  Description: string | null;
  [k: string]: unknown;
};

/** One API request as seen by the stand-in, with the status it was finally answered with. */
export interface SpiraRecordedRequest {
  method: string;
  /** Path after `/Services/v7_0/RestService.svc/`, without the query string (full path when outside it). */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not valid JSON; undefined when empty. */
  body: unknown;
  /** Login name the caller presented (valid or not). */
  username?: string;
  /** Final HTTP status; undefined while pending or when the request was held ('timeout'). */
  status?: number;
}

/** One entry of a Validation Fault body. */
export interface FieldMessage {
  FieldName: string;
  Message: string;
}

/** An error the stand-in answers with: HTTP status plus the JSON body WCF would write. */
export class SpiraApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : `HTTP ${status}`);
    this.name = 'SpiraApiError';
  }
}

/** A `WebFaultException<string>`: the message is the body, serialized as a JSON string. */
export function fault(status: number, message: string): SpiraApiError {
  return new SpiraApiError(status, message);
}

/** A Spira `ValidationFaultMessage` (HTTP 400). */
export function validationFault(messages: FieldMessage[]): SpiraApiError {
  return new SpiraApiError(400, { Summary: 'Validation Fault', Messages: messages });
}

/** Formats epoch milliseconds the way Spira v7 writes dates: `yyyy-MM-ddTHH:mm:ss.fffZ`. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString();
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO-8601 date; a value without zone is taken as UTC (as Spira does). */
export function parseApiDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

const NET_TYPE: Record<FieldKind, string> = {
  int: 'System.Int32',
  'int?': 'System.Nullable`1[System.Int32]',
  num: 'System.Decimal',
  'num?': 'System.Nullable`1[System.Decimal]',
  str: 'System.String',
  bool: 'System.Boolean',
  'bool?': 'System.Nullable`1[System.Boolean]',
  date: 'System.DateTime',
  'date?': 'System.Nullable`1[System.DateTime]',
  list: 'System.Collections.Generic.List',
};

function defaultOf(kind: FieldKind): unknown {
  if (kind === 'int' || kind === 'num') return 0;
  if (kind === 'bool') return false;
  if (kind === 'date') return MIN_DATE;
  return null;
}

function convertError(value: unknown, kind: FieldKind, path: string): SpiraApiError {
  return fault(
    400,
    `Error converting value ${JSON.stringify(value)} to type '${NET_TYPE[kind]}'. Path '${path}'.`,
  );
}

function convertScalar(kind: FieldKind, value: unknown, path: string): unknown {
  const base = kind.replace('?', '');
  if (base === 'int' || base === 'num') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n === 'number' && Number.isFinite(n) && (base === 'num' || Number.isInteger(n))) return n;
  } else if (base === 'bool') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
  } else if (base === 'str') {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  } else if (base === 'date') {
    const ms = typeof value === 'string' ? parseApiDate(value) : undefined;
    if (ms !== undefined) return formatDate(ms);
  } else if (Array.isArray(value)) {
    return structuredClone(value);
  }
  throw convertError(value, kind, path);
}

/** Binds one JSON value to a property of the given .NET type, as Newtonsoft would. */
export function convertValue(kind: FieldKind, value: unknown, path: string): unknown {
  if (value === null) {
    if (kind === 'int' || kind === 'num' || kind === 'bool' || kind === 'date')
      throw convertError(value, kind, path);
    return null;
  }
  return convertScalar(kind, value, path);
}

/**
 * Binds a JSON object to a data contract: every field present (missing ones get their .NET default),
 * unknown properties dropped, names matched exactly first and then case-insensitively.
 */
export function deserialize(
  fields: Readonly<Record<string, FieldKind>>,
  body: unknown,
  typeName: string,
): Record<string, unknown> {
  if (body === null || body === undefined)
    throw fault(400, 'Object reference not set to an instance of an object.');
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw fault(400, `Cannot deserialize the current JSON value into type '${typeName}'.`);
  }
  const source = body as Record<string, unknown>;
  const byLower = new Map(Object.keys(source).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(fields)) {
    const key = name in source ? name : byLower.get(name.toLowerCase());
    out[name] = key === undefined ? defaultOf(kind) : convertValue(kind, source[key], name);
  }
  return out;
}

/** Full display name the way Spira composes it. */
export function fullName(u: { FirstName: string; LastName: string }): string {
  return `${u.FirstName} ${u.LastName}`;
}

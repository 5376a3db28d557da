import got, { type Got, type OptionsInit } from 'got';
import { z } from 'zod';
import { spiraDomainError } from './spira-errors.js';
import { ignored, one, parseList, type Reader, type SkipLog, stderrLog } from './spira-parse.js';
import {
  type SpiraComment,
  SpiraCommentSchema,
  SpiraCreatedCommentSchema,
  SpiraCreatedIncidentSchema,
  SpiraCreatedReleaseSchema,
  SpiraCurrentUserSchema,
  SpiraDateSchema,
  type SpiraFilter,
  type SpiraHistoryChange,
  SpiraHistoryRowSchema,
  type SpiraIncident,
  SpiraIncidentSchema,
  type SpiraIncidentStatus,
  SpiraIncidentStatusSchema,
  SpiraProjectSchema,
  type SpiraProjectUser,
  SpiraProjectUserSchema,
  type SpiraRelease,
  SpiraReleaseSchema,
} from './spira-schemas.js';

/** Connection settings of the Spira REST API v7.0. */
export interface SpiraClientOptions {
  baseUrl: string;
  username: string;
  apiKey: string;
  /** Sees every request (OpenAPI conformance test, benchmarks). */
  onRequest?: (method: string, url: string, body: unknown) => void;
  /** Where list elements that do not fit are reported (skipped, the rest is used); default stderr. */
  log?: SkipLog;
}

/** An incident body for create: fields Spira needs, the rest left to template defaults. */
export type NewSpiraIncident = Pick<SpiraIncident, 'Name' | 'Description' | 'OpenerId' | 'OwnerId'> & {
  IncidentStatusId: number | null;
  ResolvedReleaseId: number | null;
  PriorityId?: number | null;
  SeverityId?: number | null;
  IncidentTypeId?: number | null;
  Tags?: string | null;
};

/** A release body for create. */
export type NewSpiraRelease = Pick<
  SpiraRelease,
  'Name' | 'Description' | 'VersionNumber' | 'ReleaseStatusId' | 'ReleaseTypeId' | 'StartDate' | 'EndDate'
>;

/** Per-request options of a POST that only reads (Spira's searches): retried like a GET. */
const READ_ONLY_POST: Pick<OptionsInit, 'retry'> = { retry: { methods: ['POST'] } };

/** The one Spira REST client: a single got instance, `username`/`api-key` headers, zod-parsed answers. */
export class SpiraClient {
  private readonly http: Got;
  private readonly log: SkipLog;

  constructor(options: SpiraClientOptions) {
    this.log = options.log ?? stderrLog;
    this.http = got.extend({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/Services/v7_0/RestService.svc/`,
      // Content-Type on every request, GETs and DELETEs too: Spira's JSON formatter reads it whenever Accept
      // is sent, and fails the call (after running it) when it is missing (docs/spira-api.md §0a.1).
      headers: {
        username: options.username,
        'api-key': options.apiKey,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      timeout: { request: 15_000 },
      // Only reads are repeated here (GETs, and the POST searches that ask for it: see READ_ONLY_POST): a
      // repeated create could duplicate; PUTs go through the 409 loop.
      retry: { limit: 2, methods: ['GET'], statusCodes: [408, 500, 502, 503, 504], maxRetryAfter: 5_000 },
      hooks: {
        beforeRequest: [
          (request) => options.onRequest?.(request.method, request.url?.toString() ?? '', request.json),
        ],
      },
    });
  }

  /** Spira's clock (UTC): the poll watermark is taken from here, never from ours. */
  serverTime(): Promise<string> {
    return this.call(
      'GET',
      'system/settings/server-date-time',
      undefined,
      one(SpiraDateSchema),
      'server time',
    );
  }

  /** The product's template id (statuses, types and priorities belong to the template). */
  async projectTemplateId(projectId: number): Promise<number> {
    const project = await this.call(
      'GET',
      `projects/${projectId}`,
      undefined,
      one(SpiraProjectSchema),
      'project',
    );
    return project.ProjectTemplateId;
  }

  incidentStatuses(templateId: number): Promise<SpiraIncidentStatus[]> {
    const path = `project-templates/${templateId}/incidents/statuses`;
    return this.call('GET', path, undefined, this.list(SpiraIncidentStatusSchema), 'incident statuses');
  }

  /** Ids of a template's incident priorities, severities or types (to check the label maps). */
  async incidentLookupIds(
    templateId: number,
    kind: 'priorities' | 'severities' | 'types',
  ): Promise<number[]> {
    const idField = { priorities: 'PriorityId', severities: 'SeverityId', types: 'IncidentTypeId' }[kind];
    const rows = await this.call(
      'GET',
      `project-templates/${templateId}/incidents/${kind}`,
      undefined,
      this.list(z.looseObject({ [idField]: z.number().int() })),
      `incident ${kind}`,
    );
    return rows.map((row) => row[idField] as number);
  }

  projectUsers(projectId: number): Promise<SpiraProjectUser[]> {
    const path = `projects/${projectId}/users`;
    return this.call('GET', path, undefined, this.list(SpiraProjectUserSchema), 'project users');
  }

  incident(projectId: number, incidentId: number): Promise<SpiraIncident> {
    const path = `projects/${projectId}/incidents/${incidentId}`;
    return this.call('GET', path, undefined, one(SpiraIncidentSchema), `incident ${incidentId}`);
  }

  /** Creates an incident; returns its id (the echo does not hold server defaults: read it back when needed). */
  async createIncident(projectId: number, incident: NewSpiraIncident): Promise<number> {
    const body = { ...incident, ProjectId: projectId };
    const path = `projects/${projectId}/incidents`;
    const created = await this.call('POST', path, body, one(SpiraCreatedIncidentSchema), 'new incident');
    return created.IncidentId;
  }

  /** Full PUT of an incident read before, with its unchanged ConcurrencyDate (409 when stale). */
  async updateIncident(incident: SpiraIncident): Promise<void> {
    const path = `projects/${incident.ProjectId}/incidents/${incident.IncidentId}`;
    await this.call('PUT', path, incident, ignored, `incident ${incident.IncidentId} update`);
  }

  /**
   * `POST incidents/search`, one page (1-based `startRow`), ascending by `sortBy`. An element that does not
   * fit is skipped; `wireRows(page)` still counts it, to tell a short (last) page.
   */
  searchIncidents(
    projectId: number,
    filters: SpiraFilter[],
    startRow: number,
    rows: number,
    sortBy: string,
  ): Promise<SpiraIncident[]> {
    const path = `projects/${projectId}/incidents/search?start_row=${startRow}&number_rows=${rows}&sort_by=${sortBy}`;
    return this.call(
      'POST',
      path,
      filters,
      this.list(SpiraIncidentSchema),
      'incident search',
      READ_ONLY_POST,
    );
  }

  /**
   * The field changes of an incident, with who made each and when (at most the first 500 rows). Rows without
   * a field name (the "Added" change set of every incident, deletions) are not field changes: dropped.
   * Lookup fields hold their lookup's text, not the id.
   */
  async incidentHistory(projectId: number, incidentId: number): Promise<SpiraHistoryChange[]> {
    const path = `projects/${projectId}/artifact-types/3/artifacts/${incidentId}/history?start_row=1&number_rows=500&sort_property=ChangeDate&sort_direction=DESC`;
    const rows = await this.call(
      'GET',
      path,
      undefined,
      this.list(SpiraHistoryRowSchema),
      'incident history',
    );
    return rows.flatMap((row) =>
      row.FieldName && row.ChangeSet?.ChangeDate
        ? [
            {
              FieldName: row.FieldName,
              OldValue: row.OldValue,
              NewValue: row.NewValue,
              ChangeSet: { UserId: row.ChangeSet.UserId, ChangeDate: row.ChangeSet.ChangeDate },
            },
          ]
        : [],
    );
  }

  comments(projectId: number, incidentId: number): Promise<SpiraComment[]> {
    const path = `projects/${projectId}/incidents/${incidentId}/comments`;
    return this.call(
      'GET',
      path,
      undefined,
      this.list(SpiraCommentSchema),
      `comments of incident ${incidentId}`,
    );
  }

  /** Adds one comment (the API takes an array) and returns its id (all that is read of the answer). */
  async addComment(
    projectId: number,
    incidentId: number,
    text: string,
    userId: number | null,
  ): Promise<number> {
    const path = `projects/${projectId}/incidents/${incidentId}/comments`;
    const body = [{ ArtifactId: incidentId, UserId: userId, Text: text }];
    const [created] = await this.call(
      'POST',
      path,
      body,
      one(z.tuple([SpiraCreatedCommentSchema], z.unknown())),
      'new comment',
    );
    return created.CommentId;
  }

  /**
   * Every release and iteration of a product. Spira's doc comment on this operation says "does not include
   * iterations"; its code includes them (README "Tolerant readers", finding 11).
   */
  releases(projectId: number): Promise<SpiraRelease[]> {
    return this.call(
      'GET',
      `projects/${projectId}/releases`,
      undefined,
      this.list(SpiraReleaseSchema),
      'releases',
    );
  }

  release(projectId: number, releaseId: number): Promise<SpiraRelease> {
    const path = `projects/${projectId}/releases/${releaseId}`;
    return this.call('GET', path, undefined, one(SpiraReleaseSchema), `release ${releaseId}`);
  }

  /** Releases changed since a time (one page of up to 500). */
  releasesChangedSince(projectId: number, since: string): Promise<SpiraRelease[]> {
    const filters = [
      {
        PropertyName: 'LastUpdateDate',
        DateRangeValue: { StartDate: since, EndDate: null, ConsiderTimes: true },
      },
    ];
    const path = `projects/${projectId}/releases/search?start_row=1&number_rows=500`;
    return this.call('POST', path, filters, this.list(SpiraReleaseSchema), 'release search', READ_ONLY_POST);
  }

  async createRelease(projectId: number, release: NewSpiraRelease): Promise<number> {
    const path = `projects/${projectId}/releases`;
    const created = await this.call('POST', path, release, one(SpiraCreatedReleaseSchema), 'new release');
    return created.ReleaseId;
  }

  /** Full PUT (no id in the URL; `ReleaseId` and `ConcurrencyDate` in the body; 409 when stale). */
  async updateRelease(projectId: number, release: SpiraRelease): Promise<void> {
    const path = `projects/${projectId}/releases`;
    await this.call('PUT', path, release, ignored, `release ${release.ReleaseId} update`);
  }

  /** The authenticated user (`GET users`): checks the username and API key. */
  currentUser(): Promise<{ UserId: number; UserName: string }> {
    return this.call('GET', 'users', undefined, one(SpiraCurrentUserSchema), 'current user');
  }

  /** Soft-deletes an incident (only `doctor --probe-status` deletes, and only its own probe). */
  async deleteIncident(projectId: number, incidentId: number): Promise<void> {
    const path = `projects/${projectId}/incidents/${incidentId}`;
    await this.call('DELETE', path, undefined, ignored, `incident ${incidentId} delete`);
  }

  /** A list read element by element (bad elements skipped and logged). */
  private list<T extends z.ZodType>(schema: T): Reader<z.output<T>[]> {
    return (body, what) => parseList(schema, body, what, this.log);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    read: Reader<T>,
    what: string,
    options: Pick<OptionsInit, 'retry'> = {},
  ): Promise<T> {
    try {
      const response = await this.http(path, {
        method,
        ...(body === undefined ? {} : { json: body }),
        ...options,
      });
      const text = response.body;
      return read(text === '' ? undefined : JSON.parse(text), `Spira ${what}`);
    } catch (error) {
      throw spiraDomainError(`${method} ${what}`, error);
    }
  }
}

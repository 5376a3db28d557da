import got, { type Got, type OptionsInit } from 'got';
import { z } from 'zod';
import { parseResponse, toDomainError } from '../http-errors.js';
import {
  type SpiraComment,
  SpiraCommentSchema,
  SpiraCreatedIncidentSchema,
  SpiraDateSchema,
  type SpiraFilter,
  type SpiraHistoryChange,
  SpiraHistoryChangeSchema,
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

  constructor(options: SpiraClientOptions) {
    this.http = got.extend({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/Services/v7_0/RestService.svc/`,
      headers: { username: options.username, 'api-key': options.apiKey, accept: 'application/json' },
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
    return this.call('GET', 'system/settings/server-date-time', undefined, SpiraDateSchema, 'server time');
  }

  /** The product's template id (statuses, types and priorities belong to the template). */
  async projectTemplateId(projectId: number): Promise<number> {
    const project = await this.call('GET', `projects/${projectId}`, undefined, SpiraProjectSchema, 'project');
    return project.ProjectTemplateId;
  }

  incidentStatuses(templateId: number): Promise<SpiraIncidentStatus[]> {
    const path = `project-templates/${templateId}/incidents/statuses`;
    return this.call('GET', path, undefined, z.array(SpiraIncidentStatusSchema), 'incident statuses');
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
      z.array(z.looseObject({ [idField]: z.number().int() })),
      `incident ${kind}`,
    );
    return rows.map((row) => row[idField] as number);
  }

  projectUsers(projectId: number): Promise<SpiraProjectUser[]> {
    return this.call(
      'GET',
      `projects/${projectId}/users`,
      undefined,
      z.array(SpiraProjectUserSchema),
      'project users',
    );
  }

  incident(projectId: number, incidentId: number): Promise<SpiraIncident> {
    const path = `projects/${projectId}/incidents/${incidentId}`;
    return this.call('GET', path, undefined, SpiraIncidentSchema, `incident ${incidentId}`);
  }

  /** Creates an incident; returns its id (the echo does not hold server defaults: read it back when needed). */
  async createIncident(projectId: number, incident: NewSpiraIncident): Promise<number> {
    const body = { ...incident, ProjectId: projectId };
    const created = await this.call(
      'POST',
      `projects/${projectId}/incidents`,
      body,
      SpiraCreatedIncidentSchema,
      'new incident',
    );
    return created.IncidentId;
  }

  /** Full PUT of an incident read before, with its unchanged ConcurrencyDate (409 when stale). */
  async updateIncident(incident: SpiraIncident): Promise<void> {
    const path = `projects/${incident.ProjectId}/incidents/${incident.IncidentId}`;
    await this.call('PUT', path, incident, z.unknown(), `incident ${incident.IncidentId} update`);
  }

  /** `POST incidents/search`, one page (1-based `startRow`), ascending by `sortBy`. */
  searchIncidents(
    projectId: number,
    filters: SpiraFilter[],
    startRow: number,
    rows: number,
    sortBy: string,
  ): Promise<SpiraIncident[]> {
    const path = `projects/${projectId}/incidents/search?start_row=${startRow}&number_rows=${rows}&sort_by=${sortBy}`;
    return this.call('POST', path, filters, z.array(SpiraIncidentSchema), 'incident search', READ_ONLY_POST);
  }

  /** The field changes of an incident, with who made each and when (at most the first 500 rows). */
  incidentHistory(projectId: number, incidentId: number): Promise<SpiraHistoryChange[]> {
    const path = `projects/${projectId}/artifact-types/3/artifacts/${incidentId}/history?start_row=1&number_rows=500&sort_property=ChangeDate&sort_direction=DESC`;
    return this.call('GET', path, undefined, z.array(SpiraHistoryChangeSchema), 'incident history');
  }

  comments(projectId: number, incidentId: number): Promise<SpiraComment[]> {
    const path = `projects/${projectId}/incidents/${incidentId}/comments`;
    return this.call(
      'GET',
      path,
      undefined,
      z.array(SpiraCommentSchema),
      `comments of incident ${incidentId}`,
    );
  }

  /** Adds one comment (the API takes an array) and returns its id. */
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
      z.array(SpiraCommentSchema).length(1),
      'new comment',
    );
    return (created as SpiraComment).CommentId;
  }

  /** Every release and iteration of a product. */
  releases(projectId: number): Promise<SpiraRelease[]> {
    return this.call(
      'GET',
      `projects/${projectId}/releases`,
      undefined,
      z.array(SpiraReleaseSchema),
      'releases',
    );
  }

  release(projectId: number, releaseId: number): Promise<SpiraRelease> {
    return this.call(
      'GET',
      `projects/${projectId}/releases/${releaseId}`,
      undefined,
      SpiraReleaseSchema,
      `release ${releaseId}`,
    );
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
    return this.call('POST', path, filters, z.array(SpiraReleaseSchema), 'release search', READ_ONLY_POST);
  }

  async createRelease(projectId: number, release: NewSpiraRelease): Promise<number> {
    const created = await this.call(
      'POST',
      `projects/${projectId}/releases`,
      release,
      z.looseObject({ ReleaseId: z.number().int() }),
      'new release',
    );
    return created.ReleaseId;
  }

  /** Full PUT (no id in the URL; `ReleaseId` and `ConcurrencyDate` in the body; 409 when stale). */
  async updateRelease(projectId: number, release: SpiraRelease): Promise<void> {
    await this.call(
      'PUT',
      `projects/${projectId}/releases`,
      release,
      z.unknown(),
      `release ${release.ReleaseId} update`,
    );
  }

  /** The authenticated user (`GET users`): checks the username and API key. */
  currentUser(): Promise<{ UserId: number; UserName: string }> {
    const schema = z.looseObject({ UserId: z.number().int(), UserName: z.string() });
    return this.call('GET', 'users', undefined, schema, 'current user');
  }

  /** Soft-deletes an incident (only `doctor --probe-status` deletes, and only its own probe). */
  async deleteIncident(projectId: number, incidentId: number): Promise<void> {
    const path = `projects/${projectId}/incidents/${incidentId}`;
    await this.call('DELETE', path, undefined, z.unknown(), `incident ${incidentId} delete`);
  }

  private async call<T extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    schema: T,
    what: string,
    options: Pick<OptionsInit, 'retry'> = {},
  ): Promise<z.infer<T>> {
    try {
      const response = await this.http(path, {
        method,
        ...(body === undefined ? {} : { json: body }),
        ...options,
      });
      const text = response.body;
      return parseResponse(schema, text === '' ? undefined : JSON.parse(text), `Spira ${what}`);
    } catch (error) {
      throw toDomainError('spira', `${method} ${what}`, error);
    }
  }
}

/**
 * HTTP stand-in for the Spira REST API v7.0 (`/Services/v7_0/RestService.svc/`), used by the
 * integration tests, the local demo mode and the benchmarks. It reproduces the behaviour described
 * in the project's Spira fact sheet (full-object PUTs with ConcurrencyDate → 409, PUT nulls clear
 * fields, Status Bulk Edit, create echoes, comments that do not bump LastUpdateDate, 1-based
 * paging, calendar-date filters unless ConsiderTimes…), not what would be convenient for a client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { type FaultMatch, FaultQueue, SPIRA_FAULTS, type SpiraFaultName } from './faults.js';
import {
  type Answer,
  BASE_PATH,
  type Credentials,
  FORMATTER_FAILURE,
  formatterFails,
  type ParsedBody,
  parseBody,
  readBody,
  readCredentials,
  writeAnswer,
} from './http.js';
import {
  commentsOf,
  incidentIn,
  insertComment,
  insertIncident,
  softDeleteIncident,
  updateIncidentAsPerson,
} from './incidents.js';
import {
  deserialize,
  INCIDENT_FIELDS,
  type RemoteCommentLike,
  type RemoteIncidentLike,
  type RemoteReleaseLike,
  SpiraApiError,
  type SpiraRecordedRequest,
} from './model.js';
import { createReleaseAsPerson } from './releases.js';
import { type Handler, matchRoute } from './router.js';
import { ROUTES } from './routes.js';
import { SpiraStore } from './store.js';
import { commentView, incidentView, releaseView } from './views.js';

export type { RemoteCommentLike, RemoteIncidentLike, RemoteReleaseLike, SpiraRecordedRequest };

/** Options of {@link SpiraStandIn.start}. */
export interface SpiraStandInOptions {
  /** Port to bind on 127.0.0.1; default 0 (random). */
  port?: number;
  /** Delay added to every request (benchmarks use 20). */
  latencyMs?: number;
  /** Status Bulk Edit of newly created templates; default true (Spira's default). */
  statusBulkEdit?: boolean;
  /**
   * Called before routing each request; return a response to inject a fault (500, 429 + Retry-After),
   * or 'timeout' to never answer (the socket is held until stop()).
   */
  intercept?: (
    req: SpiraRecordedRequest,
  ) => { status: number; headers?: Record<string, string>; body?: unknown } | 'timeout' | undefined;
}

const NO_BODY_METHODS = new Set(['GET', 'DELETE', 'HEAD']);

/** A running Spira stand-in: HTTP server plus synchronous seeding, "web UI" and inspection helpers. */
export class SpiraStandIn {
  /** Every API request in arrival order, with its final status. */
  readonly requests: SpiraRecordedRequest[] = [];
  private readonly held = new Set<ServerResponse>();
  private readonly faults = new FaultQueue();

  private constructor(
    private readonly server: Server,
    /** Root URL, e.g. `http://127.0.0.1:43123`; clients append `/Services/v7_0/RestService.svc/`. */
    readonly baseUrl: string,
    private readonly options: SpiraStandInOptions,
    private readonly store: SpiraStore,
  ) {}

  /** Starts a stand-in on 127.0.0.1. */
  static async start(options: SpiraStandInOptions = {}): Promise<SpiraStandIn> {
    const store = new SpiraStore(options.statusBulkEdit ?? true);
    let instance: SpiraStandIn | undefined;
    const server = createServer((req, res) => {
      void instance?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    instance = new SpiraStandIn(server, `http://127.0.0.1:${port}`, options, store);
    return instance;
  }

  /** Stops the server, dropping held ('timeout') and keep-alive connections. */
  async stop(): Promise<void> {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /**
   * Answers the next `times` requests that match with a fault Spira (or IIS, or a proxy) gives: an
   * exception 400 (`sqlTimeout`, `deadlock`), a licence refusal, a Validation Fault 400, Spira's JSON
   * "not found", an HTML 404, or any answer given.
   */
  injectFault(fault: SpiraFaultName | Answer, match: FaultMatch = {}, times = 1): void {
    this.faults.add(fault, match, times);
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams);
      const parsed = parseBody(await readBody(req));
      const creds = readCredentials(req.headers, query);
      const onBase = url.pathname.toLowerCase().startsWith(BASE_PATH.toLowerCase());
      const path = onBase ? url.pathname.slice(BASE_PATH.length) : url.pathname;
      const record: SpiraRecordedRequest = { method: req.method ?? 'GET', path, query, body: parsed.value };
      if (creds) record.username = creds.userName;
      this.requests.push(record);
      if (this.options.latencyMs) await delay(this.options.latencyMs);
      const injected = this.faults.take(record.method, path) ?? this.options.intercept?.(record);
      if (injected === 'timeout') {
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      }
      // Outside the REST service it is IIS that answers (a wrong root or virtual directory): an HTML 404.
      let answer = injected ?? (onBase ? this.dispatch(record, creds, parsed) : SPIRA_FAULTS.html404);
      // The operation ran (a DELETE deleted); then the formatter fails on the missing Content-Type.
      if (!injected && onBase && answer.status < 300 && formatterFails(req.headers))
        answer = FORMATTER_FAILURE;
      record.status = answer.status;
      writeAnswer(res, answer);
    } catch (error) {
      writeAnswer(res, { status: 500, body: error instanceof Error ? error.message : String(error) });
    }
  }

  private dispatch(record: SpiraRecordedRequest, creds: Credentials | undefined, parsed: ParsedBody): Answer {
    const match = matchRoute(ROUTES, record.path.replace(/\/$/, ''));
    if (!match) return notFound();
    const handler = (match.route.methods as Record<string, Handler | undefined>)[record.method];
    if (!handler) return { status: 405, body: 'Method not allowed.' };
    const user = creds && this.store.authenticate(creds.userName, creds.apiKey);
    if (!user) return { status: 401, body: 'Access is denied. The username or API key is not valid.' };
    const takesBody = !NO_BODY_METHODS.has(record.method);
    if (takesBody && parsed.malformed) {
      return {
        status: 400,
        body: 'The server encountered an error processing the request: the body is not valid JSON.',
      };
    }
    const body = takesBody ? parsed.value : undefined;
    try {
      return handler({ store: this.store, user, params: match.params, query: record.query, body });
    } catch (error) {
      if (error instanceof SpiraApiError) return { status: error.status, body: error.body };
      throw error;
    }
  }

  /** Creates a user; returns its UserId. The API key defaults to `{UUID}` (braces kept, like Spira). */
  addUser(u: {
    firstName: string;
    lastName: string;
    userName: string;
    apiKey?: string;
    email?: string;
    admin?: boolean;
  }): number {
    return this.store.addUser(u).UserId;
  }

  /**
   * Creates a product with its own template (default statuses/types/priorities/severities) unless
   * `projectTemplateId` names an existing template to share; returns the ProjectId.
   */
  addProject(p: {
    name: string;
    projectId?: number;
    memberUserIds?: number[];
    projectTemplateId?: number;
  }): number {
    return this.store.addProject(p).ProjectId;
  }

  /** Makes a user a member of a product. */
  addMember(projectId: number, userId: number): void {
    this.store.addMember(projectId, userId);
  }

  /** Turns the template's "Status Bulk Edit" setting on or off. */
  setStatusBulkEdit(projectTemplateId: number, on: boolean): void {
    this.store.requireTemplate(projectTemplateId).statusBulkEdit = on;
  }

  /** The ProjectTemplateId of a product. */
  templateIdOf(projectId: number): number {
    return this.store.requireProject(projectId).ProjectTemplateId;
  }

  private person(projectId: number, userId: number): void {
    this.store.requireUser(userId);
    if (!this.store.isMember(projectId, userId)) {
      throw new Error(`User ${userId} is not a member of product ${projectId}`);
    }
  }

  /** A person logs an incident in the web UI (any status allowed; stamps set to now). */
  createIncident(
    projectId: number,
    asUserId: number,
    fields: Partial<RemoteIncidentLike>,
  ): RemoteIncidentLike {
    this.person(projectId, asUserId);
    const input = deserialize(INCIDENT_FIELDS, fields, 'RemoteIncident');
    return incidentView(this.store, insertIncident(this.store, projectId, asUserId, input, true));
  }

  /** A person edits an incident in the web UI: only the given fields change; stamps bumped. */
  updateIncident(
    projectId: number,
    incidentId: number,
    asUserId: number,
    fields: Partial<RemoteIncidentLike>,
  ): RemoteIncidentLike {
    this.person(projectId, asUserId);
    return incidentView(
      this.store,
      updateIncidentAsPerson(this.store, projectId, incidentId, fields, asUserId),
    );
  }

  /** A person comments in the web UI; like Spira, the incident's LastUpdateDate is NOT bumped. */
  addComment(projectId: number, incidentId: number, asUserId: number, html: string): RemoteCommentLike {
    this.person(projectId, asUserId);
    incidentIn(this.store, projectId, incidentId);
    return commentView(this.store, insertComment(this.store, incidentId, asUserId, html, null));
  }

  /** A person deletes an incident (soft delete: it disappears from GET/search). */
  deleteIncident(projectId: number, incidentId: number): void {
    softDeleteIncident(this.store, projectId, incidentId);
  }

  /** A person creates a release (defaults: next free `N.0`, Planned, Major Release, two weeks from now). */
  createRelease(projectId: number, asUserId: number, fields: Partial<RemoteReleaseLike>): RemoteReleaseLike {
    this.person(projectId, asUserId);
    return releaseView(this.store, createReleaseAsPerson(this.store, projectId, asUserId, fields));
  }

  /** Non-deleted incidents of a product, by IncidentId. */
  incidents(projectId: number): RemoteIncidentLike[] {
    const recs = this.store.liveIn(this.store.incidents, projectId);
    return recs.map((r) => incidentView(this.store, r)).sort((a, b) => a.IncidentId - b.IncidentId);
  }

  /** One non-deleted incident of a product. */
  incident(projectId: number, incidentId: number): RemoteIncidentLike | undefined {
    const rec = this.store.live(this.store.incidents, incidentId);
    return rec && rec.data.ProjectId === projectId ? incidentView(this.store, rec) : undefined;
  }

  /** Comments of an incident of the product, oldest first. */
  comments(projectId: number, incidentId: number): RemoteCommentLike[] {
    if (this.store.incidents.get(incidentId)?.data.ProjectId !== projectId) return [];
    return commentsOf(this.store, incidentId).map((c) => commentView(this.store, c));
  }

  /** Non-deleted releases of a product, in hierarchy (IndentLevel) order. */
  releases(projectId: number): RemoteReleaseLike[] {
    const views = this.store.liveIn(this.store.releases, projectId).map((r) => releaseView(this.store, r));
    return views.sort((a, b) => String(a.IndentLevel).localeCompare(String(b.IndentLevel)));
  }

  /** Incident statuses of the product's template. */
  statuses(projectId: number): { IncidentStatusId: number; Name: string; Open: boolean }[] {
    return this.store
      .templateOf(projectId)
      .statuses.map((s) => ({ IncidentStatusId: s.id, Name: s.Name, Open: s.Open === true }));
  }

  /** Moves the fake clock (server-date-time and every stamp) forward by `ms`. */
  advanceClock(ms: number): void {
    this.store.advance(ms);
  }
}

function notFound(): Answer {
  return { status: 404, body: 'Endpoint not found.' };
}

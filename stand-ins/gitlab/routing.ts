import type { Activity } from './activity.js';
import type { Actor } from './hook-data.js';
import { notFound, type Params } from './http.js';
import type { IssueService } from './issues.js';
import type { NoteService } from './notes.js';
import type { GitLabStore, IssueRecord, ProjectRecord } from './store.js';

/** Everything a route handler may use. */
export interface Services {
  store: GitLabStore;
  activity: Activity;
  issues: IssueService;
  notes: NoteService;
}

/** One authenticated REST request. */
export interface RouteContext {
  services: Services;
  actor: Actor;
  params: Params;
  /** The request URL as received (used for `Link` headers). */
  url: URL;
}

/** A route's answer; `body` is sent as JSON (nothing for 204). */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A REST route: `pattern` is matched against the still-encoded path after `/api/v4/`. */
export interface Route {
  method: string;
  pattern: RegExp;
  handle: (ctx: RouteContext, match: string[]) => RouteResult;
}

/** Builds a {@link Route}. */
export function route(method: string, pattern: RegExp, handle: Route['handle']): Route {
  return { method, pattern, handle };
}

/** `:id` as numeric id or URL-encoded `namespace%2Fpath`; a project the user is no member of is "not found". */
export function requireProject(ctx: RouteContext, rawRef: string | undefined): ProjectRecord {
  let ref = rawRef ?? '';
  try {
    ref = decodeURIComponent(ref);
  } catch {
    throw notFound('Project');
  }
  const project = ctx.services.store.findProject(ref);
  if (!project || !ctx.services.store.isMember(ctx.actor.user.id, project)) throw notFound('Project');
  return project;
}

/** An issue of `project` by its iid. */
export function requireIssue(
  ctx: RouteContext,
  project: ProjectRecord,
  rawIid: string | undefined,
): IssueRecord {
  const issue = ctx.services.store.findIssue(project.id, Number(rawIid));
  if (!issue) throw notFound('Issue');
  return issue;
}

/** Compares two sort keys (numbers or strings; `null` sorts last). */
export function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

import { fault } from './model.js';
import { intParam } from './search.js';
import type { SpiraStore, TemplateRec, UserRec } from './store.js';

/** What a handler sees: the store, the authenticated caller and the bound request. */
export interface RouteContext {
  store: SpiraStore;
  user: UserRec;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

/** A handler's answer; `body` undefined means "200 with an empty body" (PUT/DELETE). */
export interface RouteResult {
  status: number;
  body?: unknown;
}

/** One operation. */
export type Handler = (ctx: RouteContext) => RouteResult;

/** A URI template (segments, `{name}` = parameter) with its operations by HTTP verb. */
export interface Route {
  template: string;
  methods: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>;
}

/** Outcome of matching a path: the route and its bound parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function bind(template: string, segments: string[]): Record<string, string> | undefined {
  const parts = template.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const seg = segments[i] as string;
    if (part.startsWith('{')) params[part.slice(1, -1)] = seg;
    else if (part.toLowerCase() !== seg.toLowerCase()) return undefined;
  }
  return params;
}

/**
 * Finds the route of a path. Like WCF's UriTemplateTable, a literal segment beats a parameter
 * (`incidents/search` before `incidents/{incident_id}`); the verb is checked afterwards (405).
 */
export function matchRoute(routes: readonly Route[], path: string): RouteMatch | undefined {
  const segments = path.split('/').map(decodeSegment);
  const candidates = routes
    .map((route) => ({ route, params: bind(route.template, segments) }))
    .filter((m): m is RouteMatch => m.params !== undefined);
  const literalCount = (t: string) => t.split('/').filter((p) => !p.startsWith('{')).length;
  return candidates.sort((a, b) => literalCount(b.route.template) - literalCount(a.route.template))[0];
}

/** 200 with a JSON body. */
export function ok(body: unknown): RouteResult {
  return { status: 200, body };
}

/** 200 with an empty body. */
export function empty(): RouteResult {
  return { status: 200 };
}

/** Binds `{project_id}` and checks the caller is a member of that product (401 otherwise). */
export function memberProject(ctx: RouteContext): number {
  const projectId = intParam(ctx.params.project_id, 'project_id');
  if (!ctx.store.isMember(projectId, ctx.user.UserId)) {
    throw fault(
      401,
      `You are not a member of product '${projectId}'. Please contact your system administrator to be added.`,
    );
  }
  return projectId;
}

/** Binds `{project_template_id}`; the caller must belong to a product using the template (401). */
export function memberTemplate(ctx: RouteContext): TemplateRec {
  const templateId = intParam(ctx.params.project_template_id, 'project_template_id');
  const template = ctx.store.templates.get(templateId);
  const allowed = [...ctx.store.projects.values()].some(
    (p) => p.ProjectTemplateId === templateId && p.members.has(ctx.user.UserId),
  );
  if (!template || !allowed)
    throw fault(401, `You are not authorized to access project template '${templateId}'.`);
  return template;
}

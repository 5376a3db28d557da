import { ApiError, notFound, type Params, paginate, paramError } from './http.js';
import { presentHook, presentMember, presentProject, presentUser, presentUserBasic } from './present.js';
import { type Route, type RouteContext, type RouteResult, requireProject, route } from './routing.js';
import { type GitLabStore, HOOK_FLAGS, type HookFlag, type HookRecord, type UserRecord } from './store.js';

const HOOKS = /^projects\/([^/]+)\/hooks$/;
const HOOK = /^projects\/([^/]+)\/hooks\/(\d+)$/;

/** Hook fields as `POST`/`PUT /projects/:id/hooks` take them. */
export interface HookFields {
  url?: string;
  token?: string | null;
  name?: string | null;
  description?: string | null;
  enable_ssl_verification?: boolean;
  push_events_branch_filter?: string | null;
  flags: Partial<Record<HookFlag, boolean>>;
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ApiError(422, { message: { url: ['is blocked: Only allowed schemes are http, https'] } });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ApiError(422, { message: { url: ['is blocked: Only allowed schemes are http, https'] } });
  }
}

/** Creates a project hook; only `push_events` is on unless asked otherwise (column defaults). */
export function createHook(
  store: GitLabStore,
  projectId: number,
  fields: HookFields & { url: string },
): HookRecord {
  checkUrl(fields.url);
  const flags = Object.fromEntries(HOOK_FLAGS.map((f) => [f, f === 'push_events'])) as Record<
    HookFlag,
    boolean
  >;
  const hook: HookRecord = {
    id: store.nextId('hook'),
    projectId,
    url: fields.url,
    token: null,
    name: null,
    description: null,
    flags,
    enableSslVerification: true,
    pushEventsBranchFilter: null,
    createdAt: store.now(),
    recentFailures: 0,
    backoffCount: 0,
    disabledUntil: null,
    manuallyDisabled: false,
  };
  updateHook(hook, fields);
  store.hooks.set(hook.id, hook);
  return hook;
}

/** Applies the fields that were sent. */
export function updateHook(hook: HookRecord, fields: HookFields): void {
  if (fields.url !== undefined) {
    checkUrl(fields.url);
    hook.url = fields.url;
  }
  if (fields.token !== undefined) hook.token = fields.token || null;
  if (fields.name !== undefined) hook.name = fields.name;
  if (fields.description !== undefined) hook.description = fields.description;
  if (fields.enable_ssl_verification !== undefined)
    hook.enableSslVerification = fields.enable_ssl_verification;
  if (fields.push_events_branch_filter !== undefined)
    hook.pushEventsBranchFilter = fields.push_events_branch_filter;
  for (const [flag, on] of Object.entries(fields.flags))
    if (on !== undefined) hook.flags[flag as HookFlag] = on;
}

function readHookFields(p: Params): HookFields {
  const flags: Partial<Record<HookFlag, boolean>> = {};
  for (const flag of HOOK_FLAGS) if (p.has(flag)) flags[flag] = p.bool(flag);
  const fields: HookFields = { flags };
  if (p.has('url')) fields.url = p.string('url') ?? '';
  if (p.has('token')) fields.token = p.nullableString('token') ?? null;
  if (p.has('name')) fields.name = p.nullableString('name') ?? null;
  if (p.has('description')) fields.description = p.nullableString('description') ?? null;
  if (p.has('enable_ssl_verification')) fields.enable_ssl_verification = p.bool('enable_ssl_verification');
  if (p.has('push_events_branch_filter')) {
    fields.push_events_branch_filter = p.nullableString('push_events_branch_filter') ?? null;
  }
  return fields;
}

function hookOf(ctx: RouteContext, m: string[]): HookRecord {
  const project = requireProject(ctx, m[1]);
  const hook = ctx.services.store.hooks.get(Number(m[2]));
  if (!hook || hook.projectId !== project.id) throw new ApiError(404, { message: '404 Not found' });
  return hook;
}

/** `GET /users`: `username` is exact and case-insensitive; `search` matches name, username or an exact email. */
function listUsers(ctx: RouteContext): RouteResult {
  const { store } = ctx.services;
  const username = ctx.params.string('username')?.toLowerCase();
  const search = ctx.params.string('search')?.toLowerCase();
  const matches = (u: UserRecord) =>
    (username === undefined || u.username.toLowerCase() === username) &&
    (search === undefined ||
      u.username.toLowerCase().includes(search) ||
      u.name.toLowerCase().includes(search) ||
      u.email?.toLowerCase() === search);
  const users = [...store.users.values()].filter(matches).sort((a, b) => b.id - a.id);
  const page = paginate(users, ctx.params, ctx.url);
  return { status: 200, body: page.items.map((u) => presentUserBasic(store, u)), headers: page.headers };
}

function listMembers(ctx: RouteContext, m: string[], full: boolean): RouteResult {
  const { store } = ctx.services;
  const search = ctx.params.string('search')?.toLowerCase();
  const members = store
    .members(requireProject(ctx, m[1]))
    .filter((u) => search === undefined || `${u.username}\n${u.name}`.toLowerCase().includes(search));
  const page = paginate(members, ctx.params, ctx.url);
  const present = full ? presentMember : presentUserBasic;
  return { status: 200, body: page.items.map((u) => present(store, u)), headers: page.headers };
}

function postHook(ctx: RouteContext, m: string[]): RouteResult {
  const project = requireProject(ctx, m[1]);
  const fields = readHookFields(ctx.params);
  if (!fields.url) throw paramError('url is missing');
  const hook = createHook(ctx.services.store, project.id, { ...fields, url: fields.url });
  return { status: 201, body: presentHook(hook, Date.now()) };
}

/** Users, projects, members and project hooks. */
export const projectRoutes: Route[] = [
  route('GET', /^user$/, (ctx) => ({
    status: 200,
    body: presentUser(ctx.services.store, ctx.actor.user, true),
  })),
  route('GET', /^users$/, listUsers),
  route('GET', /^users\/(\d+)$/, (ctx, m) => {
    const user = ctx.services.store.users.get(Number(m[1]));
    if (!user) throw notFound('User');
    return { status: 200, body: presentUser(ctx.services.store, user, user.id === ctx.actor.user.id) };
  }),
  route('GET', /^projects\/([^/]+)$/, (ctx, m) => ({
    status: 200,
    body: presentProject(ctx.services.store, requireProject(ctx, m[1])),
  })),
  route('GET', /^projects\/([^/]+)\/users$/, (ctx, m) => listMembers(ctx, m, false)),
  route('GET', /^projects\/([^/]+)\/members\/all$/, (ctx, m) => listMembers(ctx, m, true)),
  route('GET', HOOKS, (ctx, m) => {
    // Paginated like every GitLab list (default 20, at most 100 per page).
    const page = paginate(ctx.services.store.projectHooks(requireProject(ctx, m[1]).id), ctx.params, ctx.url);
    return { status: 200, body: page.items.map((h) => presentHook(h, Date.now())), headers: page.headers };
  }),
  route('POST', HOOKS, postHook),
  route('GET', HOOK, (ctx, m) => ({ status: 200, body: presentHook(hookOf(ctx, m), Date.now()) })),
  route('PUT', HOOK, (ctx, m) => {
    const hook = hookOf(ctx, m);
    updateHook(hook, readHookFields(ctx.params));
    return { status: 200, body: presentHook(hook, Date.now()) };
  }),
  route('DELETE', HOOK, (ctx, m) => {
    ctx.services.store.hooks.delete(hookOf(ctx, m).id);
    return { status: 204 };
  }),
];

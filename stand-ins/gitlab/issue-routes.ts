import { ApiError, type Page, type Params, paginate, paramError } from './http.js';
import type { IssueParams } from './issues.js';
import { presentIssue } from './present.js';
import {
  compareKeys,
  type Route,
  type RouteContext,
  type RouteResult,
  requireIssue,
  requireProject,
  route,
} from './routing.js';
import type { GitLabStore, IssueRecord } from './store.js';

const UPDATE_KEYS = [
  'assignee_id',
  'assignee_ids',
  'confidential',
  'created_at',
  'description',
  'discussion_locked',
  'due_date',
  'issue_type',
  'labels',
  'add_labels',
  'remove_labels',
  'milestone_id',
  'severity',
  'start_date',
  'state_event',
  'title',
  'updated_at',
];

const ORDER_BY = ['created_at', 'updated_at', 'title', 'due_date', 'relative_position', 'id'] as const;
type OrderBy = (typeof ORDER_BY)[number];

/** Reads the issue fields GitLab's create/update endpoints accept; absent keys stay absent. */
function readIssueParams(p: Params, updating: boolean): IssueParams {
  const out: IssueParams = {};
  if (p.has('title')) out.title = p.string('title') ?? '';
  if (p.has('description'))
    out.description = p.raw('description') === null ? null : (p.string('description') ?? '');
  if (p.has('labels')) out.labels = p.list('labels');
  if (p.has('add_labels')) out.add_labels = p.list('add_labels');
  if (p.has('remove_labels')) out.remove_labels = p.list('remove_labels');
  if (p.has('assignee_ids')) out.assignee_ids = p.intList('assignee_ids');
  else if (p.has('assignee_id')) out.assignee_ids = [p.nullableInt('assignee_id') ?? 0];
  if (p.has('milestone_id')) out.milestone_id = p.nullableInt('milestone_id') ?? null;
  // Create does not declare `state_event`: it is neither validated nor used there.
  if (updating && p.has('state_event'))
    out.state_event = p.oneOf('state_event', ['close', 'reopen'], 'close');
  if (p.has('confidential')) out.confidential = p.bool('confidential');
  if (p.has('discussion_locked')) out.discussion_locked = p.bool('discussion_locked');
  if (p.has('due_date')) out.due_date = p.date('due_date');
  return out;
}

function textFilter(p: Params): (i: IssueRecord) => boolean {
  const search = p.string('search')?.toLowerCase();
  const authorId = p.int('author_id');
  const confidential = p.bool('confidential');
  const iids = p.intList('iids');
  return (i) =>
    (search === undefined || `${i.title}\n${i.description ?? ''}`.toLowerCase().includes(search)) &&
    (authorId === undefined || i.authorId === authorId) &&
    (confidential === undefined || i.confidential === confidential) &&
    (iids === undefined || iids.includes(i.iid));
}

function timeFilter(p: Params): (i: IssueRecord) => boolean {
  const [ca, cb, ua, ub] = ['created_after', 'created_before', 'updated_after', 'updated_before'].map((k) =>
    p.time(k),
  );
  // GitLab documents these bounds as inclusive ("on or after", "on or before").
  return (i) =>
    (ca === undefined || i.createdAt >= ca) &&
    (cb === undefined || i.createdAt <= cb) &&
    (ua === undefined || i.updatedAt >= ua) &&
    (ub === undefined || i.updatedAt <= ub);
}

function relationFilter(store: GitLabStore, p: Params): (i: IssueRecord) => boolean {
  const labels = p.list('labels');
  const milestone = p.string('milestone');
  const assignee = p.string('assignee_id');
  const hasLabels = (i: IssueRecord) => {
    const titles = store.labelsOf(i.labelIds).map((l) => l.title);
    if (labels === undefined) return true;
    if (labels.length === 1 && /^none$/i.test(labels[0] ?? '')) return titles.length === 0;
    if (labels.length === 1 && /^any$/i.test(labels[0] ?? '')) return titles.length > 0;
    return labels.every((l) => titles.includes(l));
  };
  const inMilestone = (i: IssueRecord) => {
    if (milestone === undefined) return true;
    if (/^none$/i.test(milestone)) return i.milestoneId === null;
    if (/^any$/i.test(milestone)) return i.milestoneId !== null;
    return i.milestoneId !== null && store.milestones.get(i.milestoneId)?.title === milestone;
  };
  const assigned = (i: IssueRecord) => {
    if (assignee === undefined) return true;
    if (/^none$/i.test(assignee)) return i.assigneeIds.length === 0;
    if (/^any$/i.test(assignee)) return i.assigneeIds.length > 0;
    return i.assigneeIds.includes(Number(assignee));
  };
  return (i) => hasLabels(i) && inMilestone(i) && assigned(i);
}

function sortKey(i: IssueRecord, orderBy: OrderBy): number | string | null {
  if (orderBy === 'updated_at') return i.updatedAt;
  if (orderBy === 'title') return i.title.toLowerCase();
  if (orderBy === 'due_date') return i.dueDate;
  if (orderBy === 'id') return i.id;
  return i.createdAt;
}

/** Keyset pagination (`pagination=keyset`): the cursor is the last row's sort key and id. */
function keysetPage(
  sorted: IssueRecord[],
  orderBy: OrderBy,
  desc: boolean,
  p: Params,
  url: URL,
): Page<IssueRecord> {
  const perPage = Math.min(Math.max(p.int('per_page') ?? 20, 1), 100);
  const cursor = p.string('cursor');
  let rest = sorted;
  if (cursor) {
    let last: { k: number | string | null; id: number };
    try {
      last = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw paramError('cursor is invalid');
    }
    const dir = desc ? -1 : 1;
    rest = sorted.filter((i) => (compareKeys(sortKey(i, orderBy), last.k) || i.id - last.id) * dir > 0);
  }
  const items = rest.slice(0, perPage);
  const tail = items.at(-1);
  if (!tail || rest.length <= perPage) return { items, headers: {} };
  const next = new URL(url);
  const nextCursor = Buffer.from(JSON.stringify({ k: sortKey(tail, orderBy), id: tail.id })).toString(
    'base64url',
  );
  next.searchParams.set('cursor', nextCursor);
  return { items, headers: { link: `<${next.toString()}>; rel="next"`, 'x-next-cursor': nextCursor } };
}

function listIssues(ctx: RouteContext, m: string[]): RouteResult {
  const { store } = ctx.services;
  const project = requireProject(ctx, m[1]);
  const p = ctx.params;
  const state = p.oneOf('state', ['opened', 'closed', 'all'], 'all');
  const orderBy = p.oneOf('order_by', ORDER_BY, 'created_at');
  const desc = p.oneOf('sort', ['asc', 'desc'], 'desc') === 'desc';
  const filters = [textFilter(p), timeFilter(p), relationFilter(store, p)];
  const matching = store
    .projectIssues(project.id)
    .filter((i) => state === 'all' || (state === 'opened') === (i.stateId === 1))
    .filter((i) => filters.every((f) => f(i)))
    .sort((a, b) => (compareKeys(sortKey(a, orderBy), sortKey(b, orderBy)) || a.id - b.id) * (desc ? -1 : 1));
  const page =
    p.string('pagination') === 'keyset'
      ? keysetPage(matching, orderBy, desc, p, ctx.url)
      : paginate(matching, p, ctx.url);
  const body = page.items.map((i) => presentIssue(store, i, ctx.actor.user.id));
  return { status: 200, body, headers: page.headers };
}

function createIssue(ctx: RouteContext, m: string[]): RouteResult {
  const project = requireProject(ctx, m[1]);
  const title = ctx.params.string('title');
  if (title === undefined) throw new ApiError(400, { message: '400 (Bad request) "title" not given' });
  const issue = ctx.services.issues.create(ctx.actor, project, {
    ...readIssueParams(ctx.params, false),
    title,
  });
  return { status: 201, body: presentIssue(ctx.services.store, issue, ctx.actor.user.id) };
}

function updateIssue(ctx: RouteContext, m: string[]): RouteResult {
  const project = requireProject(ctx, m[1]);
  const issue = requireIssue(ctx, project, m[2]);
  if (!UPDATE_KEYS.some((k) => ctx.params.has(k))) {
    throw paramError(`${UPDATE_KEYS.join(', ')} are missing, at least one parameter must be provided`);
  }
  ctx.services.issues.update(ctx.actor, issue, readIssueParams(ctx.params, true));
  return { status: 200, body: presentIssue(ctx.services.store, issue, ctx.actor.user.id) };
}

/** Issue routes: list, get, create, update, delete. */
export const issueRoutes: Route[] = [
  route('GET', /^projects\/([^/]+)\/issues$/, listIssues),
  route('POST', /^projects\/([^/]+)\/issues$/, createIssue),
  route('GET', /^projects\/([^/]+)\/issues\/(\d+)$/, (ctx, m) => {
    const issue = requireIssue(ctx, requireProject(ctx, m[1]), m[2]);
    return { status: 200, body: presentIssue(ctx.services.store, issue, ctx.actor.user.id) };
  }),
  route('PUT', /^projects\/([^/]+)\/issues\/(\d+)$/, updateIssue),
  route('DELETE', /^projects\/([^/]+)\/issues\/(\d+)$/, (ctx, m) => {
    ctx.services.issues.delete(requireIssue(ctx, requireProject(ctx, m[1]), m[2]));
    return { status: 204 };
  }),
];

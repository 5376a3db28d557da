import { ApiError, notFound, type Params, paginate, paramError } from './http.js';
import { presentMilestone } from './present.js';
import {
  compareKeys,
  type Route,
  type RouteContext,
  type RouteResult,
  requireProject,
  route,
} from './routing.js';
import type { MilestoneRecord, ProjectRecord } from './store.js';

const MILESTONES = /^projects\/([^/]+)\/milestones$/;
const MILESTONE = /^projects\/([^/]+)\/milestones\/(\d+)$/;
const UPDATE_KEYS = ['title', 'description', 'due_date', 'start_date', 'state_event'];

function milestoneOf(ctx: RouteContext, m: string[]): MilestoneRecord {
  const project = requireProject(ctx, m[1]);
  const milestone = ctx.services.store.milestones.get(Number(m[2]));
  if (!milestone || milestone.projectId !== project.id) throw notFound('Milestone');
  return milestone;
}

/** `render_api_error!("Failed to create milestone #{errors.messages}", 400)`, in Ruby's hash notation. */
function check(ctx: RouteContext, project: ProjectRecord, m: MilestoneRecord, verb: string): void {
  const fail = (field: string, text: string) =>
    new ApiError(400, { message: `Failed to ${verb} milestone {:${field}=>["${text}"]}` });
  if (m.title.trim() === '') throw fail('title', "can't be blank");
  const clash = ctx.services.store
    .projectMilestones(project.id)
    .find((o) => o.id !== m.id && o.title === m.title);
  if (clash) throw fail('title', 'already being used for another group or project milestone.');
  if (m.startDate && m.dueDate && m.dueDate < m.startDate)
    throw fail('due_date', 'must be greater than start date');
}

function listMilestones(ctx: RouteContext, m: string[]): RouteResult {
  const project = requireProject(ctx, m[1]);
  const p: Params = ctx.params;
  const state = p.has('state') ? p.oneOf('state', ['active', 'closed'], 'active') : undefined;
  const title = p.string('title');
  const search = p.string('search')?.toLowerCase();
  const iids = p.intList('iids');
  const after = p.time('updated_after');
  const before = p.time('updated_before');
  const items = ctx.services.store
    .projectMilestones(project.id)
    .filter((ms) => state === undefined || ms.state === state)
    .filter((ms) => title === undefined || ms.title === title)
    .filter(
      (ms) => search === undefined || `${ms.title}\n${ms.description ?? ''}`.toLowerCase().includes(search),
    )
    .filter((ms) => iids === undefined || iids.includes(ms.iid))
    .filter(
      (ms) =>
        (after === undefined || ms.updatedAt >= after) && (before === undefined || ms.updatedAt <= before),
    )
    // `MilestonesFinder` sorts by due date (nulls last), then title.
    .sort((a, b) => compareKeys(a.dueDate, b.dueDate) || compareKeys(a.title, b.title) || a.id - b.id);
  const page = paginate(items, p, ctx.url);
  return {
    status: 200,
    body: page.items.map((ms) => presentMilestone(ctx.services.store, ms)),
    headers: page.headers,
  };
}

function createMilestone(ctx: RouteContext, m: string[]): RouteResult {
  const { store, activity } = ctx.services;
  const project = requireProject(ctx, m[1]);
  const title = ctx.params.string('title');
  if (title === undefined) throw paramError('title is missing');
  const now = store.now();
  const milestone: MilestoneRecord = {
    id: store.nextId('milestone'),
    iid: project.nextMilestoneIid,
    projectId: project.id,
    title,
    description: ctx.params.nullableString('description') ?? null,
    state: 'active',
    dueDate: ctx.params.date('due_date') ?? null,
    startDate: ctx.params.date('start_date') ?? null,
    createdAt: now,
    updatedAt: now,
  };
  check(ctx, project, milestone, 'create');
  project.nextMilestoneIid += 1;
  store.milestones.set(milestone.id, milestone);
  activity.milestoneHook(milestone, 'create', ctx.actor.eventUuid);
  return { status: 201, body: presentMilestone(store, milestone) };
}

/** `Milestones::UpdateService`: Close/ReopenService fire hooks; edits of title, text or dates fire none. */
function updateMilestone(ctx: RouteContext, m: string[]): RouteResult {
  const { store, activity } = ctx.services;
  const milestone = milestoneOf(ctx, m);
  const p = ctx.params;
  if (!UPDATE_KEYS.some((k) => p.has(k))) {
    throw paramError(`${UPDATE_KEYS.join(', ')} are missing, at least one parameter must be provided`);
  }
  const event = p.has('state_event') ? p.oneOf('state_event', ['close', 'activate'], 'close') : undefined;
  const next = { ...milestone };
  if (p.has('title')) next.title = p.string('title') ?? '';
  if (p.has('description')) next.description = p.nullableString('description') ?? null;
  if (p.has('due_date')) next.dueDate = p.date('due_date') ?? null;
  if (p.has('start_date')) next.startDate = p.date('start_date') ?? null;
  check(ctx, store.projectOf(milestone), next, 'update');
  const wanted = event === 'close' ? 'closed' : event === 'activate' ? 'active' : milestone.state;
  if (wanted !== milestone.state) {
    milestone.state = wanted;
    milestone.updatedAt = store.now();
    activity.milestoneHook(milestone, wanted === 'closed' ? 'close' : 'reopen', ctx.actor.eventUuid);
  }
  const edited = (['title', 'description', 'dueDate', 'startDate'] as const).some(
    (k) => next[k] !== milestone[k],
  );
  if (edited) Object.assign(milestone, { ...next, state: milestone.state, updatedAt: store.now() });
  return { status: 200, body: presentMilestone(store, milestone) };
}

/** Deleting fires no Milestone Hook; each issue it held is un-assigned through an issue update. */
function deleteMilestone(ctx: RouteContext, m: string[]): RouteResult {
  const { store, issues } = ctx.services;
  const milestone = milestoneOf(ctx, m);
  for (const issue of store.projectIssues(milestone.projectId)) {
    if (issue.milestoneId === milestone.id) issues.update(ctx.actor, issue, { milestone_id: null });
  }
  store.milestones.delete(milestone.id);
  return { status: 204 };
}

/** Project milestone routes. */
export const milestoneRoutes: Route[] = [
  route('GET', MILESTONES, listMilestones),
  route('POST', MILESTONES, createMilestone),
  route('GET', MILESTONE, (ctx, m) => ({
    status: 200,
    body: presentMilestone(ctx.services.store, milestoneOf(ctx, m)),
  })),
  route('PUT', MILESTONE, updateMilestone),
  route('DELETE', MILESTONE, deleteMilestone),
];

import { ARTIFACT_ROUTES } from './artifact-routes.js';
import { fault } from './model.js';
import {
  memberProject,
  memberTemplate,
  ok,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import { boolParam, intParam } from './search.js';
import type { LookupRec, ProjectRec, UserRec } from './store.js';
import { lookupView, projectUserView, projectView, releaseLookupViews, userView } from './views.js';

function oneUser(ctx: RouteContext): RouteResult {
  const user = ctx.store.users.get(intParam(ctx.params.user_id, 'user_id'));
  if (!user) throw fault(404, 'Unable to locate requested user');
  return ok(userView(user, ctx.user.Admin));
}

function userByName(ctx: RouteContext): RouteResult {
  boolParam(ctx.query.include_inactive, 'include_inactive');
  const name = ctx.params.user_name as string;
  const user = ctx.store.findUserByName(name);
  if (!user) throw fault(404, `Unable to locate user with user name '${name}'`);
  return ok(userView(user, ctx.user.Admin));
}

function myProjects(ctx: RouteContext): RouteResult {
  const mine = [...ctx.store.projects.values()].filter((p) => p.members.has(ctx.user.UserId));
  return ok(mine.sort((a, b) => a.Name.localeCompare(b.Name)).map(projectView));
}

function oneProject(ctx: RouteContext): RouteResult {
  return ok(projectView(ctx.store.projects.get(memberProject(ctx)) as ProjectRec));
}

function projectUsers(ctx: RouteContext): RouteResult {
  const project = ctx.store.projects.get(memberProject(ctx)) as ProjectRec;
  const members = [...project.members].map((id) => ctx.store.users.get(id) as UserRec);
  return ok(members.map((u) => projectUserView(project, u)));
}

type LookupKind = 'statuses' | 'types' | 'priorities' | 'severities';

function lookups(kind: LookupKind) {
  return (ctx: RouteContext): RouteResult => {
    const t = memberTemplate(ctx);
    return ok(t[kind].map((l) => lookupView(t, kind, l)));
  };
}

function lookupDefault(kind: 'statuses' | 'types') {
  return (ctx: RouteContext): RouteResult => {
    const t = memberTemplate(ctx);
    const id = kind === 'statuses' ? t.defaultStatusId : t.defaultTypeId;
    return ok(lookupView(t, kind, t[kind].find((l) => l.id === id) as LookupRec));
  };
}

function releaseLookups(kind: 'statuses' | 'types') {
  return (ctx: RouteContext): RouteResult => {
    return ok(releaseLookupViews(kind, memberTemplate(ctx).CreationDate));
  };
}

const TEMPLATE = 'project-templates/{project_template_id}';

/** Every operation the stand-in serves (paths relative to `/Services/v7_0/RestService.svc/`). */
export const ROUTES: readonly Route[] = [
  { template: 'system/settings/server-date-time', methods: { GET: (ctx) => ok(ctx.store.now()) } },
  { template: 'users', methods: { GET: (ctx) => ok(userView(ctx.user, ctx.user.Admin)) } },
  { template: 'users/{user_id}', methods: { GET: oneUser } },
  { template: 'users/usernames/{user_name}', methods: { GET: userByName } },
  { template: 'projects', methods: { GET: myProjects } },
  { template: 'projects/{project_id}', methods: { GET: oneProject } },
  { template: 'projects/{project_id}/users', methods: { GET: projectUsers } },
  { template: `${TEMPLATE}/incidents/statuses`, methods: { GET: lookups('statuses') } },
  { template: `${TEMPLATE}/incidents/statuses/default`, methods: { GET: lookupDefault('statuses') } },
  { template: `${TEMPLATE}/incidents/types`, methods: { GET: lookups('types') } },
  { template: `${TEMPLATE}/incidents/types/default`, methods: { GET: lookupDefault('types') } },
  { template: `${TEMPLATE}/incidents/priorities`, methods: { GET: lookups('priorities') } },
  { template: `${TEMPLATE}/incidents/severities`, methods: { GET: lookups('severities') } },
  { template: `${TEMPLATE}/releases/statuses`, methods: { GET: releaseLookups('statuses') } },
  { template: `${TEMPLATE}/releases/types`, methods: { GET: releaseLookups('types') } },
  ...ARTIFACT_ROUTES,
];

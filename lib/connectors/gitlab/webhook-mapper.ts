import type { z } from 'zod';
import type { ProjectConfig } from '../../config/sync-config.js';
import { formatPath } from '../../config/sync-config.js';
import { keys } from '../../domain/link.js';
import type { HookReading } from '../../ports/hook-reader.js';
import { IssueHookSchema, IssueNoteHookSchema, MilestoneHookSchema } from './webhook-schemas.js';

type Body = Record<string, unknown>;
type Kind = 'issue' | 'note' | 'milestone';
/** A routing decision: the kind to read, a reason it is not for us, or the field that cannot be routed on. */
type Route = { kind: Kind } | { ignored: string } | { problem: string };

/**
 * Reads a GitLab webhook body into a queue command, a reason to ignore it, or (for a configured project) the
 * fields that make it unusable. The order matters (CONTRACT §3): is it our project, is it an item we sync,
 * and only then the few fields the sync reads. Unknown values of a field we branch on mean "not for us".
 */
export function readGitLabHook(
  event: string,
  json: unknown,
  project: (path: string) => ProjectConfig | undefined,
): HookReading {
  if (!isBody(json)) return { ignored: 'the body is not a JSON object' };
  const where = json.project;
  if (where === null) return { ignored: 'project: null (a group-level event, e.g. a group milestone)' };
  const path = isBody(where) ? where.path_with_namespace : undefined;
  if (typeof path !== 'string')
    return { ignored: 'no project.path_with_namespace: cannot tell whether the project is synced' };
  const target = project(path);
  if (!target) return { ignored: `project ${path} is not configured or not active` };
  const gpid = positiveInt((where as Body).id);
  const route = routeOf(event, json);
  if ('ignored' in route) return route;
  if ('problem' in route) return unusable(event, path, target, gpid, json, [route.problem]);
  const fields = <T extends z.ZodType>(schema: T): z.infer<T> | HookReading => {
    const parsed = schema.safeParse(json);
    return parsed.success ? parsed.data : unusable(event, path, target, gpid, json, problemsOf(parsed.error));
  };
  const base = (gitlabProjectId: number) => ({
    v: 1 as const,
    spiraProjectId: target.spiraProjectId,
    gitlabProjectId,
  });
  if (route.kind === 'issue') {
    const hook = fields(IssueHookSchema);
    if (!('object_attributes' in hook)) return hook;
    const { iid, updated_at: eventAt } = hook.object_attributes;
    return { command: { ...base(hook.project.id), kind: 'gitlab.issue', iid, eventAt } };
  }
  if (route.kind === 'note') {
    const hook = fields(IssueNoteHookSchema);
    if (!('object_attributes' in hook)) return hook;
    if (hook.object_attributes.system) return { ignored: 'system notes are not synced' };
    const { id: noteId, updated_at: eventAt } = hook.object_attributes;
    return {
      command: { ...base(hook.project.id), kind: 'gitlab.note', iid: hook.issue.iid, noteId, eventAt },
    };
  }
  const hook = fields(MilestoneHookSchema);
  if (!('object_attributes' in hook)) return hook;
  const { id: milestoneId, updated_at: eventAt } = hook.object_attributes;
  return { command: { ...base(hook.project.id), kind: 'gitlab.milestone', milestoneId, eventAt } };
}

/**
 * Which item a recognised event is about. Issue Hooks route on `object_attributes.type` when it is there
 * (GitLab 17.7 sent plain issues as `object_kind: "work_item"` of type `Issue`), else on `object_kind`.
 */
function routeOf(event: string, body: Body): Route {
  const attributes = isBody(body.object_attributes) ? body.object_attributes : undefined;
  const kind = body.object_kind;
  if (event.includes('Issue')) {
    const type = attributes?.type;
    if (typeof type === 'string')
      return type === 'Issue' ? { kind: 'issue' } : { ignored: `work item type "${type}" is not synced` };
    if (type !== undefined && type !== null)
      return { problem: 'object_attributes.type: expected a string (the work item type)' };
    if (kind === 'issue') return { kind: 'issue' };
    return typeof kind === 'string'
      ? { ignored: `object_kind "${kind}" without a work item type is not synced` }
      : { problem: 'object_kind: expected a string' };
  }
  const expected: Kind = event.includes('Note') ? 'note' : 'milestone';
  if (typeof kind !== 'string') return { problem: 'object_kind: expected a string' };
  if (kind !== expected) return { ignored: `object_kind "${kind}" is not synced as a ${event}` };
  if (expected === 'milestone') return { kind: 'milestone' };
  const noteable = attributes?.noteable_type;
  if (typeof noteable !== 'string')
    return { problem: 'object_attributes.noteable_type: expected a string (what the note is on)' };
  return noteable === 'Issue' ? { kind: 'note' } : { ignored: `notes on ${noteable} are not synced` };
}

function unusable(
  event: string,
  path: string,
  target: ProjectConfig,
  gpid: number | undefined,
  body: Body,
  problems: string[],
): HookReading {
  const attributes = isBody(body.object_attributes) ? body.object_attributes : {};
  const issue = isBody(body.issue) ? body.issue : {};
  const iid = positiveInt(event.includes('Note') ? issue.iid : attributes.iid);
  const milestoneId = positiveInt(attributes.id);
  const auditKey =
    gpid === undefined
      ? `gl-project#${path}`
      : event.includes('Milestone') && milestoneId !== undefined
        ? keys.gitlabMilestone(gpid, milestoneId)
        : !event.includes('Milestone') && iid !== undefined
          ? keys.gitlabIssue(gpid, iid)
          : `gl-project#${gpid}`;
  return {
    unusable: {
      reason: `${event} for ${path} lacks a field the sync needs: not synced`,
      problems,
      spiraProjectId: target.spiraProjectId,
      auditKey,
    },
  };
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
}

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

import type { z } from 'zod';
import type { ProjectConfig } from '../../config/sync-config.js';
import { formatPath } from '../../config/sync-config.js';
import type { HookReading } from '../../ports/hook-reader.js';
import {
  HookEnvelopeSchema,
  IssueHookSchema,
  IssueNoteHookSchema,
  MilestoneHookSchema,
} from './webhook-schemas.js';

/**
 * Reads a GitLab webhook body into a queue command, a reason to ignore it (not for us), or the fields that
 * do not match GitLab's shape.
 */
export function readGitLabHook(
  event: string,
  json: unknown,
  project: (path: string) => ProjectConfig | undefined,
): HookReading {
  const envelope = HookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return parseAs(HookEnvelopeSchema, json, event) as HookReading;
  const kind = envelope.data.object_kind;
  if (event.includes('Issue') && kind !== 'issue')
    return { ignored: `work item kind "${kind}" is not synced` };
  if (event.includes('Note') && envelope.data.object_attributes?.noteable_type !== 'Issue') {
    return {
      ignored: `notes on ${envelope.data.object_attributes?.noteable_type ?? 'unknown items'} are not synced`,
    };
  }
  const schema = event.includes('Issue')
    ? IssueHookSchema
    : event.includes('Note')
      ? IssueNoteHookSchema
      : MilestoneHookSchema;
  const hook = parseAs(schema, json, event);
  if ('malformed' in hook) return hook;
  const target = project(hook.project.path_with_namespace);
  if (!target)
    return { ignored: `project ${hook.project.path_with_namespace} is not configured or not active` };
  const base = { v: 1 as const, spiraProjectId: target.spiraProjectId, gitlabProjectId: hook.project.id };
  if (hook.object_kind === 'issue') {
    if (hook.object_attributes.type !== undefined && hook.object_attributes.type !== 'Issue') {
      return { ignored: `work item type "${hook.object_attributes.type}" is not synced` };
    }
    return {
      command: {
        ...base,
        kind: 'gitlab.issue',
        iid: hook.object_attributes.iid,
        eventAt: hook.object_attributes.updated_at,
      },
    };
  }
  if (hook.object_kind === 'note') {
    if (hook.object_attributes.system) return { ignored: 'system notes are not synced' };
    const { id: noteId, updated_at: eventAt } = hook.object_attributes;
    return { command: { ...base, kind: 'gitlab.note', iid: hook.issue.iid, noteId, eventAt } };
  }
  return {
    command: {
      ...base,
      kind: 'gitlab.milestone',
      milestoneId: hook.object_attributes.id,
      eventAt: hook.object_attributes.updated_at,
    },
  };
}

function parseAs<T extends z.ZodType>(
  schema: T,
  json: unknown,
  event: string,
): z.infer<T> | { malformed: { error: string; problems: string[] } } {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
  return { malformed: { error: `malformed ${event}`, problems } };
}

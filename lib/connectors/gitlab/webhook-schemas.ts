import { z } from 'zod';
import { GitLabTimestampSchema } from './timestamps.js';

/** A GitLab id or iid: always ≥ 1, so 0 or a negative number is a malformed hook (400), not a lookup. */
const HookIdSchema = z.number().int().positive();

/** Webhook `user` (the actor; for notes, the author). */
export const HookUserSchema = z.object({ id: HookIdSchema, username: z.string(), name: z.string() });

const HookProjectSchema = z.object({
  id: HookIdSchema,
  path_with_namespace: z.string(),
  web_url: z.string(),
});

/** `object_attributes` of an Issue Hook, reduced to what routing needs (the worker re-reads the issue). */
const IssueAttributesSchema = z.object({
  id: HookIdSchema,
  iid: HookIdSchema,
  title: z.string(),
  state: z.enum(['opened', 'closed']),
  action: z.enum(['open', 'close', 'reopen', 'update']).optional(),
  created_at: GitLabTimestampSchema,
  updated_at: GitLabTimestampSchema,
  type: z.string().optional(),
});

/** An `Issue Hook` / `Confidential Issue Hook` body. */
export const IssueHookSchema = z.object({
  object_kind: z.literal('issue'),
  event_type: z.enum(['issue', 'confidential_issue']),
  user: HookUserSchema,
  project: HookProjectSchema,
  object_attributes: IssueAttributesSchema,
});
export type IssueHook = z.infer<typeof IssueHookSchema>;

/** A `Note Hook` body for a comment on an issue (`noteable_type: Issue`). */
export const IssueNoteHookSchema = z.object({
  object_kind: z.literal('note'),
  user: HookUserSchema,
  project: HookProjectSchema,
  object_attributes: z.object({
    id: HookIdSchema,
    note: z.string(),
    noteable_type: z.literal('Issue'),
    system: z.boolean().optional(),
    action: z.enum(['create', 'update']).optional(),
    created_at: GitLabTimestampSchema,
    updated_at: GitLabTimestampSchema,
  }),
  issue: z.object({ id: HookIdSchema, iid: HookIdSchema, title: z.string() }),
});
export type IssueNoteHook = z.infer<typeof IssueNoteHookSchema>;

/** A `Milestone Hook` body; `action` is top-level and there is no `user`. */
export const MilestoneHookSchema = z.object({
  object_kind: z.literal('milestone'),
  action: z.enum(['create', 'close', 'reopen', 'update', 'delete']),
  project: HookProjectSchema,
  object_attributes: z.object({
    id: HookIdSchema,
    iid: HookIdSchema,
    title: z.string(),
    state: z.enum(['active', 'closed']),
    updated_at: GitLabTimestampSchema,
  }),
});
export type MilestoneHook = z.infer<typeof MilestoneHookSchema>;

/** Just enough of any body to decide whether it is for us. */
export const HookEnvelopeSchema = z.object({
  object_kind: z.string(),
  object_attributes: z
    .object({ noteable_type: z.string().optional(), type: z.string().nullish() })
    .optional(),
});

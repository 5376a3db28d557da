import { z } from 'zod';
import { GitLabTimestampSchema } from './timestamps.js';

/*
 * Tolerant readers: each schema lists only what the sync reads (unknown keys pass unread); a value GitLab may
 * leave out has a default instead of failing the read. Lists are parsed element by element by the client,
 * and a write's answer is needed only for its id (gitlab-client.ts).
 */

/** A user as the REST API returns it (issue author, assignee, project member, `GET /user`). */
export const GitLabUserSchema = z.object({ id: z.number().int(), username: z.string(), name: z.string() });
export type GitLabUser = z.infer<typeof GitLabUserSchema>;

/** `GET /projects/:id/issues/:iid`. */
export const GitLabIssueSchema = z.object({
  id: z.number().int(),
  iid: z.number().int(),
  project_id: z.number().int(),
  title: z.string(),
  description: z.string().nullable().default(null),
  /** The sync branches on it: an issue in another state is not one it can pair (the read fails, named). */
  state: z.enum(['opened', 'closed']),
  created_at: GitLabTimestampSchema,
  updated_at: GitLabTimestampSchema,
  closed_at: GitLabTimestampSchema.nullable().optional(),
  labels: z.array(z.string()).default([]),
  milestone: z.object({ id: z.number().int(), title: z.string() }).nullable().default(null),
  assignees: z.array(GitLabUserSchema).default([]),
  author: GitLabUserSchema,
  web_url: z.string(),
  confidential: z.boolean().optional(),
});
export type GitLabIssue = z.infer<typeof GitLabIssueSchema>;

/** `GET /projects/:id/issues/:iid/notes/:note_id`. */
export const GitLabNoteSchema = z.object({
  id: z.number().int(),
  body: z.string(),
  author: GitLabUserSchema,
  system: z.boolean().default(false),
  created_at: GitLabTimestampSchema,
  updated_at: GitLabTimestampSchema,
  internal: z.boolean().optional(),
});
export type GitLabNote = z.infer<typeof GitLabNoteSchema>;

/** One entry of `GET /projects/:id/issues/:iid/resource_state_events` (a close or a reopen). */
export const GitLabStateEventSchema = z.object({
  id: z.number().int(),
  /** Who closed or reopened it (null when the user was deleted). */
  user: GitLabUserSchema.nullable().optional(),
  created_at: GitLabTimestampSchema,
  state: z.string(),
});
export type GitLabStateEvent = z.infer<typeof GitLabStateEventSchema>;

/** `GET /projects/:id`. */
export const GitLabProjectSchema = z.object({
  id: z.number().int(),
  path_with_namespace: z.string(),
  web_url: z.string(),
});
export type GitLabProject = z.infer<typeof GitLabProjectSchema>;

/** `GET /projects/:id/hooks` (what the sync checks of a webhook). */
export const GitLabHookSchema = z.object({
  id: z.number().int(),
  url: z.string(),
  issues_events: z.boolean().optional(),
  note_events: z.boolean().optional(),
  milestone_events: z.boolean().optional(),
  confidential_issues_events: z.boolean().optional(),
  confidential_note_events: z.boolean().optional(),
  /** 17.11+: `executable`, `temporarily_disabled` or `disabled`. */
  alert_status: z.string().optional(),
  disabled_until: z.string().nullable().optional(),
});
export type GitLabHook = z.infer<typeof GitLabHookSchema>;

/** `GET /projects/:id/milestones/:milestone_id`. */
export const GitLabMilestoneSchema = z.object({
  id: z.number().int(),
  iid: z.number().int(),
  project_id: z.number().int().optional(),
  title: z.string(),
  description: z.string().nullable().default(null),
  state: z.enum(['active', 'closed']),
  start_date: z.string().nullable().optional(),
  due_date: z.string().nullable().optional(),
  created_at: GitLabTimestampSchema,
  updated_at: GitLabTimestampSchema,
  web_url: z.string().optional(),
});
export type GitLabMilestone = z.infer<typeof GitLabMilestoneSchema>;

/** `GET /personal_access_tokens/self` (what `doctor` checks of the token). */
export const GitLabTokenInfoSchema = z.object({
  name: z.string().optional(),
  scopes: z.array(z.string()),
  active: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
});
export type GitLabTokenInfo = z.infer<typeof GitLabTokenInfoSchema>;

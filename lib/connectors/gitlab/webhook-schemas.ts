import { z } from 'zod';
import { GitLabTimestampSchema } from './timestamps.js';

/*
 * Tolerant readers (README "Tolerant readers"): each schema requires only the fields the mapper reads and
 * passes everything else through unread. No closed enums: `action`, `state` and `event_type` are not read at
 * all (GitLab adds values over time), and `user`, `title`, `created_at`, `issue.title` are not required.
 * The worker re-reads the item over REST, so the hook only has to say which item changed and when.
 */

/** A GitLab id or iid: always ≥ 1, so 0 or a negative number cannot name an item. */
const HookIdSchema = z.number().int().positive();

const HookProjectSchema = z.object({ id: HookIdSchema });

/** What the sync reads of an Issue Hook (also `object_kind: "work_item"` of type Issue, GitLab 17.7). */
export const IssueHookSchema = z.object({
  project: HookProjectSchema,
  object_attributes: z.object({ iid: HookIdSchema, updated_at: GitLabTimestampSchema }),
});
export type IssueHook = z.infer<typeof IssueHookSchema>;

/** What the sync reads of a Note Hook on an issue. */
export const IssueNoteHookSchema = z.object({
  project: HookProjectSchema,
  object_attributes: z.object({
    id: HookIdSchema,
    system: z.boolean().nullish(),
    updated_at: GitLabTimestampSchema,
  }),
  issue: z.object({ iid: HookIdSchema }),
});
export type IssueNoteHook = z.infer<typeof IssueNoteHookSchema>;

/** What the sync reads of a Milestone Hook (`action` is top-level, there is no `user`: neither is read). */
export const MilestoneHookSchema = z.object({
  project: HookProjectSchema,
  object_attributes: z.object({ id: HookIdSchema, updated_at: GitLabTimestampSchema }),
});
export type MilestoneHook = z.infer<typeof MilestoneHookSchema>;

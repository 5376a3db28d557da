import { z } from 'zod';

/** One line of an item's history: an event, what was decided, what was written, why something was skipped. */
export const AuditEntrySchema = z.object({
  at: z.string(),
  /** The command kind (`gitlab.issue`, `spira.comment`…) or `conflict` / `parked`. */
  kind: z.string(),
  action: z.string(),
  detail: z.string(),
  messageId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A message that no retry can apply, kept with its reason so it can be fixed and replayed. */
export interface ParkedMessage {
  messageId: string;
  body: string;
  reason: string;
  errorName: string;
}

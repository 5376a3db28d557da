import { createHash } from 'node:crypto';
import { z } from 'zod';
import { gitlabRef, groupOf, type ItemRef, keyOf, spiraRef } from './pair/item-ref.js';

const Base = {
  v: z.literal(1),
  spiraProjectId: z.number().int().positive(),
  gitlabProjectId: z.number().int().positive(),
  /** When the source says the change happened (ISO-8601 UTC), for ordering and latency figures. */
  eventAt: z.iso.datetime({ offset: true }),
};

/** A queue message: one change on one item. Carries identities only; the worker re-reads the source. */
export const SyncCommandSchema = z.discriminatedUnion('kind', [
  z.object({ ...Base, kind: z.literal('gitlab.issue'), iid: z.number().int().positive() }),
  z.object({
    ...Base,
    kind: z.literal('gitlab.note'),
    iid: z.number().int().positive(),
    noteId: z.number().int().positive(),
  }),
  z.object({ ...Base, kind: z.literal('gitlab.milestone'), milestoneId: z.number().int().positive() }),
  z.object({
    ...Base,
    kind: z.literal('spira.incident'),
    incidentId: z.number().int().positive(),
    /** The linked issue, when there is one: the command then shares that group. */
    iid: z.number().int().positive().optional(),
  }),
  z.object({
    ...Base,
    kind: z.literal('spira.release'),
    releaseId: z.number().int().positive(),
    /** The paired milestone, when there is one: the command then shares that milestone's group. */
    milestoneId: z.number().int().positive().optional(),
  }),
  z.object({
    ...Base,
    kind: z.literal('spira.comment'),
    incidentId: z.number().int().positive(),
    commentId: z.number().int().positive(),
    iid: z.number().int().positive(),
  }),
]);
export type SyncCommand = z.infer<typeof SyncCommandSchema>;
export type SyncCommandOf<K extends SyncCommand['kind']> = Extract<SyncCommand, { kind: K }>;

/**
 * The FIFO message group: one per item, so changes of one item are applied one at a time and in order.
 * A note shares its issue's group.
 */
export function messageGroupOf(command: SyncCommand): string {
  return groupOf(itemOf(command));
}

/**
 * The item a command's changes are ordered and recorded under: its GitLab issue or milestone when known,
 * else its Spira incident or release. A note and a comment belong to their issue.
 */
export function itemOf(command: SyncCommand): ItemRef {
  const { gitlabProjectId: gpid, spiraProjectId: pid } = command;
  switch (command.kind) {
    case 'gitlab.issue':
    case 'gitlab.note':
    case 'spira.comment':
      return gitlabRef('issue', gpid, command.iid);
    case 'gitlab.milestone':
      return gitlabRef('milestone', gpid, command.milestoneId);
    case 'spira.release':
      return command.milestoneId === undefined
        ? spiraRef('release', pid, command.releaseId)
        : gitlabRef('milestone', gpid, command.milestoneId);
    case 'spira.incident':
      return command.iid === undefined
        ? spiraRef('incident', pid, command.incidentId)
        : gitlabRef('issue', gpid, command.iid);
  }
}

/** A FIFO deduplication id (≤ 128 chars) derived from a source key such as GitLab's Idempotency-Key. */
export function deduplicationIdOf(sourceKey: string): string {
  return createHash('sha256').update(sourceKey).digest('hex');
}

/** The key under which an item's history is kept: its GitLab issue when known, else its Spira incident. */
export function auditKeyOf(command: SyncCommand): string {
  return keyOf(itemOf(command));
}

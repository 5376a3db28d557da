import { z } from 'zod';
import { gitlabRef, keyOf, parseKey, spiraRef } from './pair/item-ref.js';

/**
 * One record per synced item and side, keyed `gl-issue#<project>#<iid>`, `sp-incident#<project>#<id>`, … A
 * record is claimed (`pending`) before its counterpart is created and `linked` once the counterpart is known,
 * so a retry after a crash between the two never creates a second counterpart.
 */
export const LinkRecordSchema = z.object({
  pk: z.string().min(1),
  state: z.enum(['pending', 'linked']),
  version: z.number().int().nonnegative(),
  claimedAt: z.iso.datetime(),
  /** Id of the counterpart (incident id, comment id…), once linked. */
  targetId: z.string().optional(),
  /** Key of the counterpart's own record (for reverse lookups). */
  counterpart: z.string().optional(),
  spiraProjectId: z.number().int().optional(),
  gitlabProjectId: z.number().int().optional(),
  /** Hashes per field of what we last saw or wrote on each side. */
  gitlabHashes: z.record(z.string(), z.string()).optional(),
  spiraHashes: z.record(z.string(), z.string()).optional(),
  /** When the first attempt claimed it (`claimedAt` moves on when a retry takes the claim over). */
  firstClaimedAt: z.iso.datetime().optional(),
  /** The queue message whose attempt made the claim (its own retries may take the claim over). */
  claimant: z.string().optional(),
  /** When the source change last applied happened (ISO), for skipping stale events. */
  appliedEventAt: z.string().optional(),
  /** The incident's `LastUpdateDate` as last read by a sync of the pair (has Spira changed since?). */
  spiraSeenAt: z.string().optional(),
});
export type LinkRecord = z.infer<typeof LinkRecordSchema>;

/** Record keys. */
export const keys = {
  gitlabIssue: (projectId: number, iid: number) => keyOf(gitlabRef('issue', projectId, iid)),
  spiraIncident: (projectId: number, incidentId: number) =>
    keyOf(spiraRef('incident', projectId, incidentId)),
  gitlabNote: (projectId: number, noteId: number) => keyOf(gitlabRef('note', projectId, noteId)),
  /** One edit of a note (not an item: it has no ItemRef). */
  gitlabNoteEdit: (projectId: number, noteId: number, editedAt: string) =>
    `gl-note-edit#${projectId}#${noteId}#${editedAt}`,
  spiraComment: (projectId: number, commentId: number) => keyOf(spiraRef('comment', projectId, commentId)),
  gitlabMilestone: (projectId: number, milestoneId: number) =>
    keyOf(gitlabRef('milestone', projectId, milestoneId)),
  spiraRelease: (projectId: number, releaseId: number) => keyOf(spiraRef('release', projectId, releaseId)),
};

/** The id of the item a linked pointer's `targetId` (a key) names, when it names one. */
export function targetIdOf(pointer: LinkRecord | undefined): number | undefined {
  if (pointer?.state !== 'linked' || !pointer.targetId) return undefined;
  return parseKey(pointer.targetId)?.id;
}

/** Since when a counterpart of this claim may exist: its first attempt's claim time. */
export function firstClaimOf(record: LinkRecord): string {
  return record.firstClaimedAt ?? record.claimedAt;
}

/** The record a new claim writes: pending, version 0, claimed now (every link store writes exactly this). */
export function newClaim(pk: string, fields: Partial<LinkRecord>, now: Date): LinkRecord {
  return { ...fields, pk, state: 'pending', version: 0, claimedAt: now.toISOString() };
}

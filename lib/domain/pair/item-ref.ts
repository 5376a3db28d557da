/**
 * One item on one side, and every way it is written down. The encodings are stored (link keys in DynamoDB,
 * markers in items people already have, FIFO group ids of queued messages), so they never change:
 *
 *   key (link record, audit)   gl-issue#12#5        sp-incident#3#900
 *   marker ref (in the text)   gitlab-issue:12/5    spira-incident:3/900
 *   FIFO message group         gl-12-issue-5        sp-3-incident-900
 */
export type ItemRef =
  | { system: 'gitlab'; kind: GitLabKind; projectId: number; id: number }
  | { system: 'spira'; kind: SpiraKind; projectId: number; id: number };

export type System = ItemRef['system'];
export type GitLabKind = 'issue' | 'note' | 'milestone';
export type SpiraKind = 'incident' | 'comment' | 'release';
export type ItemKind = GitLabKind | SpiraKind;

const KINDS: Record<System, readonly ItemKind[]> = {
  gitlab: ['issue', 'note', 'milestone'],
  spira: ['incident', 'comment', 'release'],
};
const SHORT: Record<System, string> = { gitlab: 'gl', spira: 'sp' };

export const gitlabRef = (kind: GitLabKind, projectId: number, id: number): ItemRef => ({
  system: 'gitlab',
  kind,
  projectId,
  id,
});
export const spiraRef = (kind: SpiraKind, projectId: number, id: number): ItemRef => ({
  system: 'spira',
  kind,
  projectId,
  id,
});

/** The link-record key, also the item's audit key: `gl-issue#12#5`. */
export function keyOf(ref: ItemRef): string {
  return `${SHORT[ref.system]}-${ref.kind}#${ref.projectId}#${ref.id}`;
}

/** The text inside an item's marker: `gitlab-issue:12/5`. */
export function markerRefOf(ref: ItemRef): string {
  return `${ref.system}-${ref.kind}:${ref.projectId}/${ref.id}`;
}

/** The FIFO message group of the item's commands: `gl-12-issue-5`. */
export function groupOf(ref: ItemRef): string {
  return `${SHORT[ref.system]}-${ref.projectId}-${ref.kind}-${ref.id}`;
}

// Ids may be negative: a dry run gives the items it would create ids below zero (cli/backfill).
const KEY = /^(gl|sp)-([a-z]+)#(-?\d+)#(-?\d+)$/;
const MARKER_REF = /^(gitlab|spira)-([a-z]+):(-?\d+)\/(-?\d+)$/;

/** The item a link key names; undefined for anything else (a note-edit key, a claim of a deleted incident…). */
export function parseKey(key: string): ItemRef | undefined {
  const match = KEY.exec(key);
  if (!match) return undefined;
  const system: System = match[1] === 'gl' ? 'gitlab' : 'spira';
  return refOf(system, match[2] as string, match[3] as string, match[4] as string);
}

/** The item a link key names, for keys the sync itself made (a pair's own key): throws on anything else. */
export function refOfKey(key: string): ItemRef {
  const ref = parseKey(key);
  if (!ref) throw new Error(`not an item key: ${key}`);
  return ref;
}

/** The item a marker ref names; undefined for other markers (a note edit, a deleted incident) or garbled ones. */
export function parseMarkerRef(markerRef: string): ItemRef | undefined {
  const match = MARKER_REF.exec(markerRef);
  if (!match) return undefined;
  return refOf(match[1] as System, match[2] as string, match[3] as string, match[4] as string);
}

/**
 * Whether a marker ref was written by the sync for an item of `system` (and `kind`, when given): decided by
 * its prefix alone, so a marker whose rest a person garbled still counts as ours, as it always has.
 */
export function isMarkerOf(markerRef: string, system: System, kind?: ItemKind): boolean {
  return markerRef.startsWith(kind === undefined ? `${system}-` : `${system}-${kind}:`);
}

function refOf(system: System, kind: string, projectId: string, id: string): ItemRef | undefined {
  if (!KINDS[system].includes(kind as ItemKind)) return undefined;
  return { system, kind, projectId: Number(projectId), id: Number(id) } as ItemRef;
}

/** The marker of the note that says an incident was deleted (`spira-deleted:3/900`): not an item of its own. */
export function deletedIncidentMarkerRef(projectId: number, incidentId: number): string {
  return `spira-deleted:${projectId}/${incidentId}`;
}

/** The claim of that note. */
export function deletedIncidentKey(projectId: number, incidentId: number): string {
  return `sp-incident-deleted#${projectId}#${incidentId}`;
}

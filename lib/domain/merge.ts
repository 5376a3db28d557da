import type { IssueField } from './issue-to-incident.js';

/** Spira-side field names, as recorded per pair. */
export type IncidentField = 'name' | 'description' | 'status' | 'owner' | 'release' | 'labels';

/** Each GitLab field and the Spira field it syncs with. */
export const FIELD_PAIRS: readonly (readonly [IssueField, IncidentField])[] = [
  ['title', 'name'],
  ['description', 'description'],
  ['state', 'status'],
  ['assignee', 'owner'],
  ['milestone', 'release'],
  ['labels', 'labels'],
];

export type Side = 'gitlab' | 'spira';

/** A field changed on both sides since the last sync, and which change won. */
export interface FieldConflict<G extends string = string, S extends string = string> {
  gitlabField: G;
  spiraField: S;
  winner: Side;
  gitlabAt: string;
  spiraAt: string;
}
export type Conflict = FieldConflict<IssueField, IncidentField>;

/**
 * Field-level three-way merge against the last-synced hashes. A field changed on the source side only is
 * applied; a field changed on both sides is a conflict, won by the later change by each side's own clock
 * (GitLab `updated_at`, Spira `LastUpdateDate`), the source on a tie. Losing source fields are not applied;
 * the other side's own sync carries its value across.
 */
export function mergeChanges(
  source: Side,
  changed: { gitlab: readonly IssueField[]; spira: readonly IncidentField[] },
  at: { gitlab: string; spira: string },
): { apply: IssueField[]; conflicts: Conflict[] } {
  return mergeFields(FIELD_PAIRS, source, changed, at);
}

/** `mergeChanges` for any list of field pairs (issues ⇄ incidents, milestones ⇄ releases). */
export function mergeFields<G extends string, S extends string>(
  pairs: readonly (readonly [G, S])[],
  source: Side,
  changed: { gitlab: readonly G[]; spira: readonly S[] },
  at: { gitlab: string; spira: string },
): { apply: G[]; conflicts: FieldConflict<G, S>[] } {
  const apply: G[] = [];
  const conflicts: FieldConflict<G, S>[] = [];
  for (const [gitlabField, spiraField] of pairs) {
    const onGitLab = changed.gitlab.includes(gitlabField);
    const onSpira = changed.spira.includes(spiraField);
    const fromSource = source === 'gitlab' ? onGitLab : onSpira;
    if (!fromSource) continue;
    if (onGitLab && onSpira) {
      const gitlabLater = Date.parse(at.gitlab) - Date.parse(at.spira);
      const winner: Side = gitlabLater === 0 ? source : gitlabLater > 0 ? 'gitlab' : 'spira';
      conflicts.push({ gitlabField, spiraField, winner, gitlabAt: at.gitlab, spiraAt: at.spira });
      if (winner !== source) continue;
    }
    apply.push(gitlabField);
  }
  return { apply, conflicts };
}

/** The Spira field that syncs with a GitLab field, and back. */
export function spiraFieldOf(field: IssueField): IncidentField {
  return (FIELD_PAIRS.find(([g]) => g === field) as readonly [IssueField, IncidentField])[1];
}
export function gitlabFieldOf(field: IncidentField): IssueField {
  return (FIELD_PAIRS.find(([, s]) => s === field) as readonly [IssueField, IncidentField])[0];
}

/**
 * Hashes to record after a sync: the current hash for `fields`, the recorded one for every other field (a
 * change not carried across now — it lost a conflict, or it belongs to the other direction — stays visible
 * as a change). A field with no recorded hash gets one only when it is in `fields`: until then it counts as
 * changed on both sides.
 */
export function nextHashes(
  recorded: Record<string, string> | undefined,
  current: Record<string, string>,
  fields: readonly string[],
): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [key, hash] of Object.entries(current)) {
    const kept = fields.includes(key) ? hash : recorded?.[key];
    if (kept !== undefined) next[key] = kept;
  }
  return next;
}

/**
 * The baseline of a pair adopted after a crashed create, when what was synced before is unknown: the hashes
 * of the fields both sides agree on. A field they disagree on gets none, so it counts as changed on both
 * sides and the later change wins (recorded as a conflict).
 */
export function agreedHashes(
  now: { gitlab: Record<IssueField, string>; spira: Record<IncidentField, string> },
  agrees: (gitlabField: IssueField, spiraField: IncidentField) => boolean,
): { gitlabHashes: Record<string, string>; spiraHashes: Record<string, string> } {
  const kept = FIELD_PAIRS.filter(([g, s]) => agrees(g, s));
  return {
    gitlabHashes: Object.fromEntries(kept.map(([g]) => [g, now.gitlab[g]])),
    spiraHashes: Object.fromEntries(kept.map(([, s]) => [s, now.spira[s]])),
  };
}

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

/** When a person last changed each field on each side, where known (else the item's last update counts). */
export interface FieldTimes {
  gitlab: Partial<Record<IssueField, string>>;
  spira: Partial<Record<IncidentField, string>>;
  /** The fields whose time is a person's change (the others count from the item's creation). */
  byPerson?: { gitlab: IssueField[]; spira: IncidentField[] };
}

/** What to carry each way so that a pair agrees again, and the conflicts decided on the way. */
export interface PairPlan {
  /** GitLab fields whose value goes to Spira. */
  toSpira: IssueField[];
  /** GitLab fields whose Spira counterpart's value goes to GitLab. */
  toGitLab: IssueField[];
  conflicts: Conflict[];
}

/**
 * Field-level three-way merge of both sides at once: a field changed on one side only goes to the other; a
 * field changed on both is a conflict won by the later change by each side's own clock: when a person last
 * changed that field (`fieldAt`), else the item's last update (`at`); `tie` on a tie. The winner's value
 * goes to the loser in the same pass, so no conflict waits for the other direction.
 */
export function planPair(
  changed: { gitlab: readonly IssueField[]; spira: readonly IncidentField[] },
  at: { gitlab: string; spira: string },
  tie: Side,
  fieldAt: FieldTimes = { gitlab: {}, spira: {} },
): PairPlan {
  const plan: PairPlan = { toSpira: [], toGitLab: [], conflicts: [] };
  for (const [gitlabField, spiraField] of FIELD_PAIRS) {
    const onGitLab = changed.gitlab.includes(gitlabField);
    const onSpira = changed.spira.includes(spiraField);
    let winner: Side | undefined = onGitLab ? 'gitlab' : onSpira ? 'spira' : undefined;
    if (onGitLab && onSpira) {
      const gitlabAt = fieldAt.gitlab[gitlabField] ?? at.gitlab;
      const spiraAt = fieldAt.spira[spiraField] ?? at.spira;
      const gitlabLater = Date.parse(gitlabAt) - Date.parse(spiraAt);
      winner = gitlabLater === 0 ? tie : gitlabLater > 0 ? 'gitlab' : 'spira';
      plan.conflicts.push({ gitlabField, spiraField, winner, gitlabAt, spiraAt });
    }
    if (winner) (winner === 'gitlab' ? plan.toSpira : plan.toGitLab).push(gitlabField);
  }
  return plan;
}

/**
 * Field-level three-way merge for one direction (milestones ⇄ releases): fields changed on the source side
 * only are applied; a field changed on both sides is a conflict won by the later change by each side's own
 * clock, the source on a tie. Losing source fields are not applied; the other side's sync carries them.
 */
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

import { changedFields } from '../fingerprint.js';
import type { IssueField } from '../issue-to-incident.js';
import type { LinkRecord } from '../link.js';
import {
  type Conflict,
  FIELD_PAIRS,
  type FieldTimes,
  type PairPlan,
  planPair,
  type Side,
  spiraFieldOf,
} from '../merge.js';

/** One synced field as both sides name it. */
export type FieldPair = Pick<Conflict, 'gitlabField' | 'spiraField'>;

/** What a pair's sync reads of both sides: the hashes of their synced fields and their last updates. */
export interface PairReading {
  hashes: { gitlab: Record<string, string>; spira: Record<string, string> };
  /** GitLab's `updated_at` and Spira's `LastUpdateDate`, as read. */
  at: { gitlab: string; spira: string };
}

/** What the last sync of the pair recorded: each side's hashes and last update as synced. */
export type PairBaseline = Pick<
  LinkRecord,
  'gitlabHashes' | 'spiraHashes' | 'appliedEventAt' | 'spiraSeenAt'
>;

/** The plan, or the fields whose change times (who changed them when, on each side) it needs first. */
export type PlanStep = { plan: PairPlan } | { needs: FieldPair[] };

/**
 * Decides what a linked pair's sync carries each way. Asked without `times`, it answers at once when no
 * field needs them, else it names the fields whose change times it needs; asked again with them, it decides.
 * So history, notes and state events are read only for a conflict or a suspect (below).
 *
 * A field changed away and back (closed, then reopened) has its old hash again and looks unchanged:
 *
 *   last sync ─── Spira closes (t1) ─── GitLab closes (t2) ─── GitLab reopens (t3) ─── sync
 *   hashes:       Spira "closed" changed;  GitLab "opened" = last sync's hash → looks unchanged
 *
 * So when a change is about to overwrite a side that was updated at all since the last sync, that field is
 * a suspect: a person's change on the quiet side later than the other side's change makes it a conflict
 * that the quiet side wins (t3 > t1: the incident is reopened). A person's change earlier than it (or none)
 * leaves the plan as it was.
 */
export function planLinkedPair(record: PairBaseline, read: PairReading, tie: Side): PlanStep;
export function planLinkedPair(
  record: PairBaseline,
  read: PairReading,
  tie: Side,
  times: FieldTimes,
): { plan: PairPlan };
export function planLinkedPair(
  record: PairBaseline,
  read: PairReading,
  tie: Side,
  times?: FieldTimes,
): PlanStep {
  const changed = {
    gitlab: changedFields(read.hashes.gitlab, record.gitlabHashes) as IssueField[],
    spira: changedFields(read.hashes.spira, record.spiraHashes) as Conflict['spiraField'][],
  };
  const first = planPair(changed, read.at, tie);
  const touched = {
    gitlab: record.appliedEventAt !== read.at.gitlab,
    spira: record.spiraSeenAt !== read.at.spira,
  };
  const suspects = FIELD_PAIRS.filter(
    ([g, s]) =>
      (first.toGitLab.includes(g) && !changed.gitlab.includes(g) && touched.gitlab) ||
      (first.toSpira.includes(g) && !changed.spira.includes(s) && touched.spira),
  ).map(([gitlabField, spiraField]) => ({ gitlabField, spiraField }));
  if (first.conflicts.length === 0 && suspects.length === 0) return { plan: first };
  if (!times) return { needs: [...first.conflicts, ...suspects] };
  for (const { gitlabField: g, spiraField: s } of suspects) {
    const [gitlabAt, spiraAt] = [times.gitlab[g], times.spira[s]];
    if (gitlabAt === undefined || spiraAt === undefined) continue;
    // A person on the side that looks unchanged changed it later: a conflict that side wins.
    const reGitLab = times.byPerson?.gitlab.includes(g) && later(gitlabAt, spiraAt);
    const reSpira = times.byPerson?.spira.includes(s) && later(spiraAt, gitlabAt);
    if (changed.spira.includes(s) && reGitLab) changed.gitlab.push(g);
    if (changed.gitlab.includes(g) && reSpira) changed.spira.push(s);
  }
  return { plan: planPair(changed, read.at, tie, times) };
}

/**
 * The pair record's baseline after a sync: each field's hash is of the value as read, or as written where
 * the plan wrote it; never another field of a write's answer, so a person's concurrent change to that field
 * still counts as a change. A status Spira refused (Status Bulk Edit off) keeps the old state hash, so a
 * replay after the template is fixed tries again.
 */
export function baselineAfterSync(
  record: PairBaseline,
  read: PairReading,
  written: { gitlab: Record<string, string>; spira: Record<string, string> },
  plan: PairPlan,
  refused: boolean,
): Required<Pick<PairBaseline, 'gitlabHashes' | 'spiraHashes' | 'appliedEventAt' | 'spiraSeenAt'>> {
  const pick = (hashes: Record<string, string>, fields: readonly string[]) =>
    Object.fromEntries(fields.map((f) => [f, hashes[f] as string]));
  const gitlabHashes: Record<string, string> = {
    ...read.hashes.gitlab,
    ...pick(written.gitlab, plan.toGitLab),
  };
  if (refused) {
    if (record.gitlabHashes?.state === undefined) delete gitlabHashes.state;
    else gitlabHashes.state = record.gitlabHashes.state;
  }
  const spiraHashes = { ...read.hashes.spira, ...pick(written.spira, plan.toSpira.map(spiraFieldOf)) };
  return { gitlabHashes, spiraHashes, appliedEventAt: read.at.gitlab, spiraSeenAt: read.at.spira };
}

function later(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

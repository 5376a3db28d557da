import { MappingConfigError } from './errors.js';

/** GitLab's two issue states. */
export type GitLabState = 'opened' | 'closed';

/** One row of a project's `incidentStatuses`. */
export interface StatusRow {
  spiraStatusId: number;
  gitlab: GitLabState;
  primary: boolean;
}

/** The GitLab state a Spira status maps to; undefined for an unmapped status. */
export function gitlabStateOf(rows: readonly StatusRow[], spiraStatusId: number): GitLabState | undefined {
  return rows.find((row) => row.spiraStatusId === spiraStatusId)?.gitlab;
}

/** The primary Spira status for a GitLab state (the config guarantees exactly one). */
export function primaryStatusFor(rows: readonly StatusRow[], state: GitLabState): number {
  const row = rows.find((r) => r.gitlab === state && r.primary);
  if (!row) throw new MappingConfigError(`no primary Spira status for GitLab state "${state}"`);
  return row.spiraStatusId;
}

/**
 * Inflectra's rule: a Spira status that already maps to the GitLab state stays as it is ("Assigned" stays
 * Assigned when the issue is merely edited); otherwise the primary status of that state is set.
 */
export function spiraStatusFor(
  rows: readonly StatusRow[],
  currentStatusId: number | undefined,
  state: GitLabState,
): number {
  if (currentStatusId !== undefined && gitlabStateOf(rows, currentStatusId) === state) return currentStatusId;
  return primaryStatusFor(rows, state);
}

/** Statuses of the live template that the config leaves unmapped (CONTRACT §2: every status must appear). */
export function unmappedStatuses(rows: readonly StatusRow[], templateStatusIds: readonly number[]): number[] {
  return templateStatusIds.filter((id) => gitlabStateOf(rows, id) === undefined);
}

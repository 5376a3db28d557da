import { stripOwnMarkdown } from './gitlab-text.js';
import {
  fieldsFromLabels,
  type LabelledFields,
  type LabelMaps,
  labelsFromIncident,
  syncedLabels,
} from './labels.js';
import { escapeHtml, marker } from './marker.js';
import { markdownToSafeHtml } from './markup.js';
import { gitlabRef, markerRefOf } from './pair/item-ref.js';
import type { GitLabState, StatusRow } from './status.js';
import { gitlabStateOf, spiraStatusFor } from './status.js';
import type { UserMap } from './users.js';

/** What the sync reads of a GitLab issue. */
export interface IssueView {
  projectId: number;
  iid: number;
  title: string;
  description: string | null;
  state: GitLabState;
  author: { username: string; name: string };
  assigneeUsername: string | undefined;
  assigneeId?: number;
  milestoneId: number | null;
  webUrl: string;
  /** GitLab's `updated_at` (ISO). */
  updatedAt: string;
  /** GitLab's `created_at` (ISO), when read from the REST API. */
  createdAt?: string;
  labels: readonly string[];
}

/** The incident fields the sync writes from an issue. */
export interface IncidentFields extends LabelledFields {
  Name: string;
  Description: string;
  IncidentStatusId: number;
  OwnerId: number | null;
  ResolvedReleaseId: number | null;
}

/** Context to translate an issue: statuses, users and milestone pairs of its project. */
export interface IssueContext {
  statuses: readonly StatusRow[];
  users: UserMap;
  /** Spira release paired with a GitLab milestone id, if any. */
  releaseFor(milestoneId: number): number | undefined;
  /** The sync user's GitLab login (its issues came from Spira: no attribution). */
  syncUsername: string;
  labels: LabelMaps;
}

/** GitLab-side field values we track per issue (their hashes are what we last saw or wrote). */
export function issueFields(issue: IssueView, labels: LabelMaps) {
  return {
    title: issue.title,
    description: issue.description ?? '',
    state: issue.state,
    assignee: issue.assigneeUsername ?? null,
    milestone: issue.milestoneId,
    labels: syncedLabels(issue.labels, labels),
  };
}
export type IssueField = keyof ReturnType<typeof issueFields>;

/**
 * Spira-side field values we track per incident. The status counts by the GitLab state it maps to: a move
 * between two open statuses is no change for GitLab.
 */
export function incidentFields(
  incident: IncidentFields,
  ctx: { statuses: readonly StatusRow[]; labels: LabelMaps },
) {
  const { statuses } = ctx;
  return {
    name: incident.Name,
    description: incident.Description ?? '',
    status: gitlabStateOf(statuses, incident.IncidentStatusId) ?? `unmapped ${incident.IncidentStatusId}`,
    owner: incident.OwnerId,
    release: incident.ResolvedReleaseId ?? null,
    labels: labelsFromIncident(incident, ctx.labels),
  };
}

/** The marker ref of a GitLab issue, written into its incident. */
export function issueRef(issue: Pick<IssueView, 'projectId' | 'iid'>): string {
  return markerRefOf(gitlabRef('issue', issue.projectId, issue.iid));
}

/** Incident Description: sanitized HTML of the issue, an attribution line when its author is not mapped, and the marker. */
export function incidentDescription(issue: IssueView, ctx: IssueContext): string {
  const body = markdownToSafeHtml(stripOwnMarkdown(issue.description ?? ''));
  const mapped =
    ctx.users.spiraIdFor(issue.author.username) !== undefined ||
    issue.author.username.toLowerCase() === ctx.syncUsername.toLowerCase();
  const by = `<p><em>Reported in GitLab by @${escapeHtml(issue.author.username)} (${escapeHtml(issue.author.name)}): <a href="${escapeHtml(issue.webUrl)}">${escapeHtml(issue.webUrl)}</a></em></p>`;
  return `${mapped ? '' : by}${body}${marker(issueRef(issue))}`;
}

/** A new incident's fields: labels may leave some to the template's defaults. */
export type NewIncidentFields = Omit<IncidentFields, keyof LabelledFields> &
  Partial<LabelledFields> & { OpenerId: number | null };

/** The incident fields for a new incident, and its opener (null → the sync user). */
export function newIncidentFor(issue: IssueView, ctx: IssueContext): NewIncidentFields {
  return {
    ...fieldsFromLabels(issue.labels, ctx.labels),
    Name: issue.title.slice(0, 255),
    Description: incidentDescription(issue, ctx),
    IncidentStatusId: spiraStatusFor(ctx.statuses, undefined, issue.state),
    OwnerId: ownerFor(issue, ctx) ?? null,
    ResolvedReleaseId: issue.milestoneId === null ? null : (ctx.releaseFor(issue.milestoneId) ?? null),
    OpenerId: ctx.users.spiraIdFor(issue.author.username) ?? null,
  };
}

function ownerFor(issue: IssueView, ctx: IssueContext): number | null | undefined {
  if (issue.assigneeUsername === undefined) return null;
  return ctx.users.spiraIdFor(issue.assigneeUsername);
}

/**
 * The incident changes for the issue fields that changed since the last sync. Fields whose value has no
 * counterpart (an unmapped assignee, an unpaired milestone) are left as they are in Spira.
 */
export function incidentPatchFor(
  issue: IssueView,
  changed: readonly IssueField[],
  current: IncidentFields,
  ctx: IssueContext,
): Partial<IncidentFields> {
  const patch: Partial<IncidentFields> = {};
  if (changed.includes('title')) patch.Name = issue.title.slice(0, 255);
  if (changed.includes('description')) patch.Description = incidentDescription(issue, ctx);
  if (changed.includes('state'))
    patch.IncidentStatusId = spiraStatusFor(ctx.statuses, current.IncidentStatusId, issue.state);
  const owner = ownerFor(issue, ctx);
  if (changed.includes('assignee') && owner !== undefined) patch.OwnerId = owner;
  const release = issue.milestoneId === null ? null : ctx.releaseFor(issue.milestoneId);
  if (changed.includes('milestone') && release !== undefined) patch.ResolvedReleaseId = release;
  if (changed.includes('labels')) Object.assign(patch, fieldsFromLabels(issue.labels, ctx.labels));
  return withoutNoops(patch, current);
}

function withoutNoops(patch: Partial<IncidentFields>, current: IncidentFields): Partial<IncidentFields> {
  const out: Partial<IncidentFields> = {};
  for (const [key, value] of Object.entries(patch) as [keyof IncidentFields, never][]) {
    if (current[key] !== value) out[key] = value;
  }
  return out;
}

import type { GitLabIssueWrite } from '../connectors/gitlab/gitlab-client.js';
import { htmlToMarkdown, type MentionPolicy, neutralizeForGitLab } from './gitlab-text.js';
import type { IncidentFields, IssueView } from './issue-to-incident.js';
import { issueLabelsWith, type LabelMaps, labelsFromIncident } from './labels.js';
import { marker } from './marker.js';
import type { IncidentField } from './merge.js';
import { markerRefOf, spiraRef } from './pair/item-ref.js';
import { gitlabStateOf, type StatusRow } from './status.js';
import type { UserMap } from './users.js';

/** What the sync reads of a Spira incident beyond the synced fields. */
export interface IncidentView extends IncidentFields {
  projectId: number;
  incidentId: number;
  openerId: number | null;
  openerName: string | null;
}

/** Context to translate an incident into its project's GitLab issue. */
export interface IncidentContext {
  statuses: readonly StatusRow[];
  users: UserMap;
  milestoneFor(releaseId: number): number | undefined;
  gitlabUserId(username: string): number | undefined;
  spiraWebUrl: string;
  mentions: MentionPolicy;
  labels: LabelMaps;
}

/** The marker ref of a Spira incident, written into its issue. */
export function incidentRef(incident: Pick<IncidentView, 'projectId' | 'incidentId'>): string {
  return markerRefOf(spiraRef('incident', incident.projectId, incident.incidentId));
}

/** Issue description: neutralized Markdown of the incident, an attribution or link line, and the marker. */
export function issueDescription(incident: IncidentView, ctx: IncidentContext, withLead = true): string {
  const url = `${ctx.spiraWebUrl}/${incident.projectId}/Incident/${incident.incidentId}.aspx`;
  const mapped = incident.openerId !== null && ctx.users.gitlabUsernameFor(incident.openerId) !== undefined;
  const who = (incident.openerName ?? 'unknown').replace(/[_*[\]@`\\]/g, '');
  const lead = mapped
    ? `_Synced from Spira: [IN:${incident.incidentId}](${url})_`
    : `_Reported in Spira by ${who}: [IN:${incident.incidentId}](${url})_`;
  const body = neutralizeForGitLab(htmlToMarkdown(incident.Description), ctx.mentions);
  return `${withLead ? `${lead}\n\n` : ''}${body}\n\n${marker(incidentRef(incident))}`.slice(0, 1_000_000);
}

const OWN_LEAD = /^_(?:Reported in Spira by|Synced from Spira)/;

function assigneeIds(incident: IncidentView, ctx: IncidentContext): number[] | undefined {
  if (incident.OwnerId === null) return [];
  const username = ctx.users.gitlabUsernameFor(incident.OwnerId);
  const id = username === undefined ? undefined : ctx.gitlabUserId(username);
  return id === undefined ? undefined : [id];
}

function milestoneId(incident: IncidentView, ctx: IncidentContext): number | null | undefined {
  return incident.ResolvedReleaseId === null ? null : ctx.milestoneFor(incident.ResolvedReleaseId);
}

/** Fields of a new issue (state is set by a second call: GitLab ignores `state_event` on create). */
export function newIssueFor(incident: IncidentView, ctx: IncidentContext): GitLabIssueWrite {
  const assignees = assigneeIds(incident, ctx);
  const milestone = milestoneId(incident, ctx);
  const labels = labelsFromIncident(incident, ctx.labels);
  return {
    title: incident.Name.slice(0, 255),
    description: issueDescription(incident, ctx),
    ...(labels.length ? { labels: labels.join(',') } : {}),
    ...(assignees?.length ? { assignee_ids: assignees } : {}),
    ...(milestone ? { milestone_id: milestone } : {}),
  };
}

/**
 * The issue as our create (and close) left it, over `found`: the baseline of an adopted issue, so that what a
 * person changed on it after the create still counts as a GitLab change.
 */
export function issueAsCreated(incident: IncidentView, ctx: IncidentContext, found: IssueView): IssueView {
  const body = newIssueFor(incident, ctx);
  const assignees = assigneeIds(incident, ctx);
  const milestone = milestoneId(incident, ctx);
  return {
    ...found,
    title: body.title ?? found.title,
    description: body.description ?? found.description,
    state: issueStateFor(incident, ctx.statuses) ?? 'opened',
    labels: body.labels ? body.labels.split(',') : [],
    ...(assignees === undefined
      ? {}
      : {
          assigneeUsername: assignees.length ? ctx.users.gitlabUsernameFor(incident.OwnerId ?? 0) : undefined,
        }),
    ...(milestone === undefined ? {} : { milestoneId: milestone }),
  };
}

/** The GitLab state an incident's status maps to. */
export function issueStateFor(
  incident: IncidentView,
  statuses: readonly StatusRow[],
): 'opened' | 'closed' | undefined {
  return gitlabStateOf(statuses, incident.IncidentStatusId);
}

/**
 * The issue update for the incident fields that changed since the last sync, holding only values that differ
 * from the issue as it is now (GitLab fires an update webhook even for a no-op PUT).
 */
export function issuePatchFor(
  incident: IncidentView,
  changed: readonly IncidentField[],
  issue: IssueView,
  ctx: IncidentContext,
): GitLabIssueWrite {
  const patch: GitLabIssueWrite = {};
  if (changed.includes('name') && issue.title !== incident.Name.slice(0, 255))
    patch.title = incident.Name.slice(0, 255);
  if (changed.includes('description')) {
    // Issues made in GitLab keep their description without a "Reported in Spira" line.
    const description = issueDescription(incident, ctx, OWN_LEAD.test(issue.description ?? ''));
    if (description !== (issue.description ?? '')) patch.description = description;
  }
  const state = issueStateFor(incident, ctx.statuses);
  if (changed.includes('status') && state !== undefined && state !== issue.state)
    patch.state_event = state === 'closed' ? 'close' : 'reopen';
  const assignees = assigneeIds(incident, ctx);
  if (
    changed.includes('owner') &&
    assignees !== undefined &&
    (assignees[0] ?? null) !== (issue.assigneeId ?? null)
  )
    patch.assignee_ids = assignees;
  const milestone = milestoneId(incident, ctx);
  if (changed.includes('release') && milestone !== undefined && milestone !== issue.milestoneId)
    patch.milestone_id = milestone ?? 0;
  if (changed.includes('labels')) {
    const labels = issueLabelsWith(issue.labels, labelsFromIncident(incident, ctx.labels), ctx.labels);
    if (labels.join(',') !== [...issue.labels].sort().join(',')) patch.labels = labels.join(',');
  }
  return patch;
}

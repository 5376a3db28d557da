import type { GitLabMilestoneWrite } from '../connectors/gitlab/gitlab-client.js';
import type { NewSpiraRelease } from '../connectors/spira/spira-client.js';
import { htmlToMarkdown, type MentionPolicy, neutralizeForGitLab, stripOwnMarkdown } from './gitlab-text.js';
import { marker } from './marker.js';
import { markdownToSafeHtml } from './markup.js';
import { gitlabRef, markerRefOf, spiraRef } from './pair/item-ref.js';

/** What the sync reads of a GitLab milestone. */
export interface MilestoneView {
  projectId: number;
  id: number;
  iid: number;
  title: string;
  description: string | null;
  state: 'active' | 'closed';
  startDate: string | null;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the sync reads of a Spira release. */
export interface ReleaseView {
  projectId: number;
  releaseId: number;
  Name: string;
  Description: string | null;
  VersionNumber: string;
  ReleaseStatusId: number;
  StartDate: string;
  EndDate: string;
}

/** Release statuses (system enum): Completed, Closed, Deferred and Cancelled count as a closed milestone. */
export const RELEASE_STATUS = { planned: 1, inProgress: 2, completed: 3 } as const;
const CLOSED_RELEASE_STATUSES = new Set([3, 4, 5, 6]);

export type MilestoneField = 'title' | 'description' | 'start' | 'due' | 'state';
export type ReleaseField = 'name' | 'description' | 'start' | 'end' | 'state';

/** Each milestone field and the release field it syncs with. */
export const MILESTONE_PAIRS: readonly (readonly [MilestoneField, ReleaseField])[] = [
  ['title', 'name'],
  ['description', 'description'],
  ['start', 'start'],
  ['due', 'end'],
  ['state', 'state'],
];

export function milestoneFields(m: MilestoneView): Record<MilestoneField, unknown> {
  return {
    title: m.title,
    description: m.description ?? '',
    start: m.startDate ?? null,
    due: m.dueDate ?? null,
    state: m.state,
  };
}

export function releaseFields(r: ReleaseView): Record<ReleaseField, unknown> {
  return {
    name: r.Name,
    description: r.Description ?? '',
    start: r.StartDate.slice(0, 10),
    end: r.EndDate.slice(0, 10),
    state: CLOSED_RELEASE_STATUSES.has(r.ReleaseStatusId) ? 'closed' : 'active',
  };
}

export const milestoneRef = (m: Pick<MilestoneView, 'projectId' | 'id'>) =>
  markerRefOf(gitlabRef('milestone', m.projectId, m.id));
export const releaseRef = (r: Pick<ReleaseView, 'projectId' | 'releaseId'>) =>
  markerRefOf(spiraRef('release', r.projectId, r.releaseId));

const DAY = 86_400_000;
const isoDay = (day: string) => `${day}T00:00:00.000Z`;

/** Spira needs both dates, start ≤ end: start defaults to the creation day, end to two weeks after start. */
function releaseDates(m: MilestoneView): { StartDate: string; EndDate: string } {
  const start = m.startDate ?? m.createdAt.slice(0, 10);
  const due = m.dueDate ?? new Date(Date.parse(isoDay(start)) + 14 * DAY).toISOString().slice(0, 10);
  // Dates as YYYY-MM-DD strings sort like the days they name: the end is the later of the two.
  const end = [start, due].sort()[1] as string;
  return { StartDate: isoDay(start), EndDate: isoDay(end) };
}

/** A version number unique in the product: `GL-<iid>`, then `GL-<iid>.2`, `.3`… on a clash. */
export function uniqueVersionNumber(iid: number, taken: ReadonlySet<string>): string {
  const base = `GL-${iid}`;
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}.${n}`.toLowerCase())) return `${base}.${n}`;
}

export function newReleaseFor(
  m: MilestoneView,
  releaseTypeId: number,
  takenVersions: ReadonlySet<string>,
): NewSpiraRelease {
  return {
    Name: m.title,
    Description: `${markdownToSafeHtml(stripOwnMarkdown(m.description ?? ''))}${marker(milestoneRef(m))}`,
    VersionNumber: uniqueVersionNumber(m.iid, takenVersions),
    ReleaseStatusId: m.state === 'active' ? RELEASE_STATUS.inProgress : RELEASE_STATUS.completed,
    ReleaseTypeId: releaseTypeId,
    ...releaseDates(m),
  };
}

/** Release changes for the milestone fields that changed (only values that differ). */
export function releasePatchFor(
  m: MilestoneView,
  changed: readonly MilestoneField[],
  current: ReleaseView,
): Partial<NewSpiraRelease> {
  const patch: Partial<NewSpiraRelease> = {};
  const dates = releaseDates(m);
  if (changed.includes('title') && current.Name !== m.title) patch.Name = m.title;
  if (changed.includes('description'))
    patch.Description = `${markdownToSafeHtml(stripOwnMarkdown(m.description ?? ''))}${marker(milestoneRef(m))}`;
  if (changed.includes('start') && current.StartDate.slice(0, 10) !== dates.StartDate.slice(0, 10))
    patch.StartDate = dates.StartDate;
  if (changed.includes('due') && current.EndDate.slice(0, 10) !== dates.EndDate.slice(0, 10))
    patch.EndDate = dates.EndDate;
  const closed = CLOSED_RELEASE_STATUSES.has(current.ReleaseStatusId);
  if (changed.includes('state') && closed !== (m.state === 'closed'))
    patch.ReleaseStatusId = m.state === 'closed' ? RELEASE_STATUS.completed : RELEASE_STATUS.inProgress;
  if (patch.Description === current.Description) delete patch.Description;
  return patch;
}

function milestoneDescription(r: ReleaseView, mentions: MentionPolicy): string {
  return `${neutralizeForGitLab(htmlToMarkdown(r.Description), mentions)}\n\n${marker(releaseRef(r))}`;
}

export function newMilestoneFor(r: ReleaseView, mentions: MentionPolicy): GitLabMilestoneWrite {
  return {
    title: r.Name,
    description: milestoneDescription(r, mentions),
    start_date: r.StartDate.slice(0, 10),
    due_date: r.EndDate.slice(0, 10),
  };
}

/** Milestone changes for the release fields that changed (only values that differ). */
export function milestonePatchFor(
  r: ReleaseView,
  changed: readonly ReleaseField[],
  current: MilestoneView,
  mentions: MentionPolicy,
): GitLabMilestoneWrite {
  const patch: GitLabMilestoneWrite = {};
  if (changed.includes('name') && current.title !== r.Name) patch.title = r.Name;
  if (changed.includes('description')) {
    const description = milestoneDescription(r, mentions);
    if (description !== (current.description ?? '')) patch.description = description;
  }
  if (changed.includes('start') && current.startDate !== r.StartDate.slice(0, 10))
    patch.start_date = r.StartDate.slice(0, 10);
  if (changed.includes('end') && current.dueDate !== r.EndDate.slice(0, 10))
    patch.due_date = r.EndDate.slice(0, 10);
  const closed = CLOSED_RELEASE_STATUSES.has(r.ReleaseStatusId);
  if (changed.includes('state') && closed !== (current.state === 'closed'))
    patch.state_event = closed ? 'close' : 'activate';
  return patch;
}

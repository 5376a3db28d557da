import type { GitLabIssueWrite, GitLabMilestoneWrite } from '../connectors/gitlab/gitlab-client.js';
import type {
  GitLabIssue,
  GitLabMilestone,
  GitLabNote,
  GitLabStateEvent,
  GitLabUser,
} from '../connectors/gitlab/rest-schemas.js';
import type { NewSpiraIncident, NewSpiraRelease } from '../connectors/spira/spira-client.js';
import type {
  SpiraComment,
  SpiraFilter,
  SpiraHistoryChange,
  SpiraIncident,
  SpiraIncidentStatus,
  SpiraProjectUser,
  SpiraRelease,
} from '../connectors/spira/spira-schemas.js';

/** What the engine reads from and writes to GitLab (implemented by GitLabClient). */
export interface GitLabPort {
  issue(projectId: number, iid: number): Promise<GitLabIssue>;
  issuesCreatedAfter(projectId: number, after: string): Promise<GitLabIssue[]>;
  createIssue(projectId: number, fields: GitLabIssueWrite): Promise<GitLabIssue>;
  updateIssue(projectId: number, iid: number, fields: GitLabIssueWrite): Promise<GitLabIssue>;
  /** Read for the id only: the note exists whatever else the answer says. */
  createNote(projectId: number, iid: number, body: string): Promise<{ id: number }>;
  notes(projectId: number, iid: number): Promise<GitLabNote[]>;
  latestNotes(projectId: number, iid: number): Promise<GitLabNote[]>;
  stateEvents(projectId: number, iid: number): Promise<GitLabStateEvent[]>;
  milestone(projectId: number, milestoneId: number): Promise<GitLabMilestone>;
  milestones(projectId: number): Promise<GitLabMilestone[]>;
  createMilestone(projectId: number, fields: GitLabMilestoneWrite): Promise<GitLabMilestone>;
  updateMilestone(
    projectId: number,
    milestoneId: number,
    fields: GitLabMilestoneWrite,
  ): Promise<GitLabMilestone>;
  note(projectId: number, iid: number, noteId: number): Promise<GitLabNote>;
  projectMembers(projectId: number): Promise<GitLabUser[]>;
}

/** What the engine reads from and writes to Spira (implemented by SpiraClient). */
export interface SpiraPort {
  projectTemplateId(projectId: number): Promise<number>;
  incidentStatuses(templateId: number): Promise<SpiraIncidentStatus[]>;
  incidentLookupIds(templateId: number, kind: 'priorities' | 'severities' | 'types'): Promise<number[]>;
  projectUsers(projectId: number): Promise<SpiraProjectUser[]>;
  incident(projectId: number, incidentId: number): Promise<SpiraIncident>;
  createIncident(projectId: number, incident: NewSpiraIncident): Promise<number>;
  updateIncident(incident: SpiraIncident): Promise<void>;
  searchIncidents(
    projectId: number,
    filters: SpiraFilter[],
    startRow: number,
    rows: number,
    sortBy: string,
  ): Promise<SpiraIncident[]>;
  comments(projectId: number, incidentId: number): Promise<SpiraComment[]>;
  addComment(projectId: number, incidentId: number, text: string, userId: number | null): Promise<number>;
  releases(projectId: number): Promise<SpiraRelease[]>;
  release(projectId: number, releaseId: number): Promise<SpiraRelease>;
  createRelease(projectId: number, release: NewSpiraRelease): Promise<number>;
  updateRelease(projectId: number, release: SpiraRelease): Promise<void>;
  incidentHistory(projectId: number, incidentId: number): Promise<SpiraHistoryChange[]>;
  currentUser(): Promise<{ UserId: number; UserName: string }>;
}

/** Structured log lines (Powertools Logger in Lambda). */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/**
 * Named points between the worker's steps where a test can make it crash (claim → create → complete →
 * fingerprint → ack). Production passes nothing.
 */
export type FaultPoint =
  | 'after-claim'
  | 'after-create'
  | 'after-complete'
  | 'after-fingerprint'
  | 'before-ack';
export type FaultHook = (point: FaultPoint, key: string) => void | Promise<void>;

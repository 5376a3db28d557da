import got, { type Got } from 'got';
import { z } from 'zod';
import { parseResponse, toDomainError } from '../http-errors.js';
import {
  type GitLabHook,
  GitLabHookSchema,
  type GitLabIssue,
  GitLabIssueSchema,
  type GitLabMilestone,
  GitLabMilestoneSchema,
  type GitLabNote,
  GitLabNoteSchema,
  type GitLabProject,
  GitLabProjectSchema,
  type GitLabStateEvent,
  GitLabStateEventSchema,
  type GitLabTokenInfo,
  GitLabTokenInfoSchema,
  type GitLabUser,
  GitLabUserSchema,
} from './rest-schemas.js';

/** Issue fields the sync writes. */
export interface GitLabIssueWrite {
  title?: string;
  description?: string;
  assignee_ids?: number[];
  milestone_id?: number | null;
  state_event?: 'close' | 'reopen';
  /** Comma-separated; replaces the issue's labels. */
  labels?: string;
}

/** Milestone fields the sync writes (dates `YYYY-MM-DD`; `activate` reopens). */
export interface GitLabMilestoneWrite {
  title?: string;
  description?: string;
  start_date?: string | null;
  due_date?: string | null;
  state_event?: 'close' | 'activate';
}

/** Webhook fields `hooks install` writes (GitLab's own names). */
export interface GitLabHookWrite {
  url: string;
  token: string;
  issues_events: boolean;
  confidential_issues_events: boolean;
  note_events: boolean;
  confidential_note_events: boolean;
  milestone_events: boolean;
  push_events: boolean;
  enable_ssl_verification: boolean;
}

/** Connection settings of the GitLab REST API v4. */
export interface GitLabClientOptions {
  baseUrl: string;
  token: string;
  /** Counts every request (benchmarks and tests). */
  onRequest?: (method: string, path: string) => void;
}

/** The one GitLab REST client: a single got instance; every response parsed with zod. */
export class GitLabClient {
  private readonly http: Got;

  constructor(options: GitLabClientOptions) {
    this.http = got.extend({
      prefixUrl: `${options.baseUrl.replace(/\/+$/, '')}/api/v4/`,
      headers: { 'private-token': options.token, accept: 'application/json' },
      responseType: 'json',
      timeout: { request: 10_000 },
      // Only reads are repeated here. A PUT is idempotent but not conditional: repeated a second later it
      // could overwrite what a person changed meanwhile, so a failed write fails the message, whose retry
      // reads the issue again first. Longer waits go back to the queue.
      retry: {
        limit: 2,
        methods: ['GET'],
        statusCodes: [408, 500, 502, 503, 504],
        maxRetryAfter: 5_000,
      },
      hooks: {
        beforeRequest: [(request) => options.onRequest?.(request.method, request.url?.toString() ?? '')],
      },
    });
  }

  /** The token's own user (the sync user). */
  currentUser(): Promise<GitLabUser> {
    return this.get('user', GitLabUserSchema, 'current user');
  }

  project(projectRef: number | string): Promise<GitLabProject> {
    return this.get(`projects/${encodeProject(projectRef)}`, GitLabProjectSchema, 'project');
  }

  /** Active members of a project, inherited ones included (for user auto-mapping). */
  projectMembers(projectId: number): Promise<GitLabUser[]> {
    return this.get(
      `projects/${projectId}/members/all?per_page=100`,
      z.array(GitLabUserSchema),
      'project members',
    );
  }

  usersByUsername(username: string): Promise<GitLabUser[]> {
    return this.get(`users?username=${encodeURIComponent(username)}`, z.array(GitLabUserSchema), 'users');
  }

  issue(projectId: number, iid: number): Promise<GitLabIssue> {
    return this.get(`projects/${projectId}/issues/${iid}`, GitLabIssueSchema, `issue ${projectId}#${iid}`);
  }

  note(projectId: number, iid: number, noteId: number): Promise<GitLabNote> {
    return this.get(
      `projects/${projectId}/issues/${iid}/notes/${noteId}`,
      GitLabNoteSchema,
      `note ${noteId}`,
    );
  }

  /** Issues of a project created on or after a time (to find an orphan of a crashed create by its marker). */
  issuesCreatedAfter(projectId: number, after: string): Promise<GitLabIssue[]> {
    const query = `created_after=${encodeURIComponent(after)}&order_by=created_at&sort=asc&per_page=100&scope=all`;
    return this.get(`projects/${projectId}/issues?${query}`, z.array(GitLabIssueSchema), 'issue list');
  }

  /** One page (100) of a project's issues updated on or after a time, oldest change first. */
  issuesUpdatedAfter(projectId: number, after: string, page: number): Promise<GitLabIssue[]> {
    const query = `updated_after=${encodeURIComponent(after)}&order_by=updated_at&sort=asc&per_page=100&page=${page}&scope=all`;
    return this.get(`projects/${projectId}/issues?${query}`, z.array(GitLabIssueSchema), 'issue list');
  }

  milestone(projectId: number, milestoneId: number): Promise<GitLabMilestone> {
    return this.get(
      `projects/${projectId}/milestones/${milestoneId}`,
      GitLabMilestoneSchema,
      `milestone ${milestoneId}`,
    );
  }

  /** Milestones updated on or after a time (one page of 100; GitLab 15.10+). */
  milestonesUpdatedAfter(projectId: number, after: string): Promise<GitLabMilestone[]> {
    const path = `projects/${projectId}/milestones?updated_after=${encodeURIComponent(after)}&per_page=100`;
    return this.get(path, z.array(GitLabMilestoneSchema), 'milestone list');
  }

  /** All milestones of a project (first 100: to find an orphan by its marker). */
  milestones(projectId: number): Promise<GitLabMilestone[]> {
    return this.get(
      `projects/${projectId}/milestones?per_page=100`,
      z.array(GitLabMilestoneSchema),
      'milestone list',
    );
  }

  createMilestone(projectId: number, fields: GitLabMilestoneWrite): Promise<GitLabMilestone> {
    return this.send(
      'POST',
      `projects/${projectId}/milestones`,
      fields,
      GitLabMilestoneSchema,
      'new milestone',
    );
  }

  updateMilestone(
    projectId: number,
    milestoneId: number,
    fields: GitLabMilestoneWrite,
  ): Promise<GitLabMilestone> {
    return this.send(
      'PUT',
      `projects/${projectId}/milestones/${milestoneId}`,
      fields,
      GitLabMilestoneSchema,
      `milestone ${milestoneId} update`,
    );
  }

  /** The project's webhooks (to notice one GitLab has disabled). */
  hooks(projectId: number): Promise<GitLabHook[]> {
    return this.get(`projects/${projectId}/hooks`, z.array(GitLabHookSchema), 'project hooks');
  }

  /** Creates a project webhook (`hooks install`). */
  createHook(projectId: number, fields: GitLabHookWrite): Promise<GitLabHook> {
    return this.send('POST', `projects/${projectId}/hooks`, fields, GitLabHookSchema, 'new project hook');
  }

  /** Updates a project webhook's URL, secret token and triggers. */
  updateHook(projectId: number, hookId: number, fields: GitLabHookWrite): Promise<GitLabHook> {
    return this.send(
      'PUT',
      `projects/${projectId}/hooks/${hookId}`,
      fields,
      GitLabHookSchema,
      `hook ${hookId} update`,
    );
  }

  /** Deletes a project webhook (a disabled one is replaced by a new, enabled hook). */
  async deleteHook(projectId: number, hookId: number): Promise<void> {
    try {
      await this.http.delete(`projects/${projectId}/hooks/${hookId}`);
    } catch (error) {
      throw toDomainError('gitlab', `DELETE hook ${hookId}`, error);
    }
  }

  /** The token's own record (`GET /personal_access_tokens/self`, GitLab 15.5+): its scopes and expiry. */
  tokenInfo(): Promise<GitLabTokenInfo> {
    return this.get('personal_access_tokens/self', GitLabTokenInfoSchema, 'token');
  }

  /** Creates an issue (GitLab ignores `state_event` here: close it with a separate update). */
  createIssue(projectId: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    return this.send('POST', `projects/${projectId}/issues`, fields, GitLabIssueSchema, 'new issue');
  }

  /** Updates an issue; callers send only fields that differ (a no-op PUT still fires an update webhook). */
  updateIssue(projectId: number, iid: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    return this.send(
      'PUT',
      `projects/${projectId}/issues/${iid}`,
      fields,
      GitLabIssueSchema,
      `issue ${projectId}#${iid} update`,
    );
  }

  createNote(projectId: number, iid: number, body: string): Promise<GitLabNote> {
    return this.send(
      'POST',
      `projects/${projectId}/issues/${iid}/notes`,
      { body },
      GitLabNoteSchema,
      'new note',
    );
  }

  /** All notes of an issue, oldest first (to find an orphan note by its marker). */
  notes(projectId: number, iid: number): Promise<GitLabNote[]> {
    const path = `projects/${projectId}/issues/${iid}/notes?sort=asc&order_by=created_at&per_page=100`;
    return this.get(path, z.array(GitLabNoteSchema), `notes of ${projectId}#${iid}`);
  }

  /** The issue's 100 most recently updated notes, system notes included (who changed which field when). */
  latestNotes(projectId: number, iid: number): Promise<GitLabNote[]> {
    const path = `projects/${projectId}/issues/${iid}/notes?sort=desc&order_by=updated_at&per_page=100`;
    return this.get(path, z.array(GitLabNoteSchema), `latest notes of ${projectId}#${iid}`);
  }

  /** The issue's closes and reopens, oldest first (at most the first 100). */
  stateEvents(projectId: number, iid: number): Promise<GitLabStateEvent[]> {
    const path = `projects/${projectId}/issues/${iid}/resource_state_events?per_page=100`;
    return this.get(path, z.array(GitLabStateEventSchema), `state events of ${projectId}#${iid}`);
  }

  private async get<T extends z.ZodType>(path: string, schema: T, what: string): Promise<z.infer<T>> {
    try {
      const response = await this.http.get(path);
      return parseResponse(schema, response.body, `GitLab ${what}`);
    } catch (error) {
      throw toDomainError('gitlab', `GET ${what}`, error);
    }
  }

  private async send<T extends z.ZodType>(
    method: 'POST' | 'PUT',
    path: string,
    json: unknown,
    schema: T,
    what: string,
  ): Promise<z.infer<T>> {
    try {
      const response = await this.http(path, { method, json });
      return parseResponse(schema, response.body, `GitLab ${what}`);
    } catch (error) {
      throw toDomainError('gitlab', `${method} ${what}`, error);
    }
  }
}

/** `:id` of a project: numeric, or its full path URL-encoded as one segment. */
export function encodeProject(projectRef: number | string): string {
  return typeof projectRef === 'number' ? String(projectRef) : encodeURIComponent(projectRef);
}

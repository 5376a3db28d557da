import got, { type Got } from 'got';
import { z } from 'zod';
import type { Log } from '../../ports/sync-ports.js';
import { parseResponse, toDomainError } from '../http-errors.js';
import { type GitLabPage, pageUrl, parsePage, readAllPages } from './gitlab-pages.js';
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
  /** Where a list element that does not fit its schema is reported (it is skipped, the rest is used). */
  log?: Pick<Log, 'warn'>;
}

/** What the sync reads of a write's answer: the write already happened, so only the id has to be there. */
const WrittenIdSchema = z.object({ id: z.number().int() });
const WrittenIssueSchema = z.object({ id: z.number().int(), iid: z.number().int() });

export type { GitLabPage } from './gitlab-pages.js';

/** The one GitLab REST client: a single got instance; every response parsed with zod. */
export class GitLabClient {
  private readonly http: Got;
  private readonly log: Pick<Log, 'warn'> | undefined;

  constructor(options: GitLabClientOptions) {
    this.log = options.log;
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
    return this.all(`projects/${projectId}/members/all`, GitLabUserSchema, 'project members');
  }

  usersByUsername(username: string): Promise<GitLabUser[]> {
    return this.all(`users?username=${encodeURIComponent(username)}`, GitLabUserSchema, 'users');
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
    const query = `created_after=${encodeURIComponent(after)}&order_by=created_at&sort=asc&scope=all`;
    return this.all(`projects/${projectId}/issues?${query}`, GitLabIssueSchema, 'issue list');
  }

  /** One page (100) of a project's issues updated on or after a time, oldest change first. */
  issuesUpdatedAfter(projectId: number, after: string, page: number): Promise<GitLabPage<GitLabIssue>> {
    const query = `updated_after=${encodeURIComponent(after)}&order_by=updated_at&sort=asc&scope=all`;
    return this.page(`projects/${projectId}/issues?${query}`, page, GitLabIssueSchema, 'issue list');
  }

  milestone(projectId: number, milestoneId: number): Promise<GitLabMilestone> {
    return this.get(
      `projects/${projectId}/milestones/${milestoneId}`,
      GitLabMilestoneSchema,
      `milestone ${milestoneId}`,
    );
  }

  /**
   * Every milestone updated on or after a time (GitLab 15.10+), all pages: GitLab orders them by due date,
   * then title, never by `updated_at`, so a page is no watermark.
   */
  milestonesUpdatedAfter(projectId: number, after: string): Promise<GitLabMilestone[]> {
    const path = `projects/${projectId}/milestones?updated_after=${encodeURIComponent(after)}`;
    return this.all(path, GitLabMilestoneSchema, 'milestone list');
  }

  /** All milestones of a project, all pages (to find an orphan by its marker). */
  milestones(projectId: number): Promise<GitLabMilestone[]> {
    return this.all(`projects/${projectId}/milestones`, GitLabMilestoneSchema, 'milestone list');
  }

  /** Creates a milestone (the caller keeps it whole: an answer that does not fit is read again by id). */
  createMilestone(projectId: number, fields: GitLabMilestoneWrite): Promise<GitLabMilestone> {
    return this.sendWhole('POST', `projects/${projectId}/milestones`, fields, 'new milestone', {
      schema: GitLabMilestoneSchema,
      reread: (answer) =>
        this.milestone(projectId, parseResponse(WrittenIdSchema, answer, 'GitLab new milestone').id),
    });
  }

  updateMilestone(
    projectId: number,
    milestoneId: number,
    fields: GitLabMilestoneWrite,
  ): Promise<GitLabMilestone> {
    return this.sendWhole(
      'PUT',
      `projects/${projectId}/milestones/${milestoneId}`,
      fields,
      `milestone ${milestoneId} update`,
      {
        schema: GitLabMilestoneSchema,
        reread: () => this.milestone(projectId, milestoneId),
      },
    );
  }

  /** The project's webhooks, all pages (to notice one GitLab has disabled). */
  hooks(projectId: number): Promise<GitLabHook[]> {
    return this.all(`projects/${projectId}/hooks`, GitLabHookSchema, 'project hooks');
  }

  /** Creates a project webhook (`hooks install`); the answer is read for the id only. */
  createHook(projectId: number, fields: GitLabHookWrite): Promise<{ id: number }> {
    return this.send('POST', `projects/${projectId}/hooks`, fields, WrittenIdSchema, 'new project hook');
  }

  /** Updates a project webhook's URL, secret token and triggers. */
  updateHook(projectId: number, hookId: number, fields: GitLabHookWrite): Promise<{ id: number }> {
    const path = `projects/${projectId}/hooks/${hookId}`;
    return this.send('PUT', path, fields, WrittenIdSchema, `hook ${hookId} update`);
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

  /**
   * Creates an issue (GitLab ignores `state_event` here: close it with a separate update). The caller keeps the
   * whole issue (the link's baseline): an answer that does not fit is read again by its iid, never refused.
   */
  createIssue(projectId: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    return this.sendWhole('POST', `projects/${projectId}/issues`, fields, 'new issue', {
      schema: GitLabIssueSchema,
      reread: (answer) =>
        this.issue(projectId, parseResponse(WrittenIssueSchema, answer, 'GitLab new issue').iid),
    });
  }

  /** Updates an issue; callers send only fields that differ (a no-op PUT still fires an update webhook). */
  updateIssue(projectId: number, iid: number, fields: GitLabIssueWrite): Promise<GitLabIssue> {
    const what = `issue ${projectId}#${iid} update`;
    return this.sendWhole('PUT', `projects/${projectId}/issues/${iid}`, fields, what, {
      schema: GitLabIssueSchema,
      reread: () => this.issue(projectId, iid),
    });
  }

  /** Posts a note; the answer is read for the id only (the note exists whatever else it says). */
  createNote(projectId: number, iid: number, body: string): Promise<{ id: number }> {
    const path = `projects/${projectId}/issues/${iid}/notes`;
    return this.send('POST', path, { body }, WrittenIdSchema, 'new note');
  }

  /** All notes of an issue, oldest first, all pages (system notes count: to find an orphan by its marker). */
  notes(projectId: number, iid: number): Promise<GitLabNote[]> {
    const path = `projects/${projectId}/issues/${iid}/notes?sort=asc&order_by=created_at`;
    return this.all(path, GitLabNoteSchema, `notes of ${projectId}#${iid}`);
  }

  /** The issue's 100 most recently updated notes, system notes included (who changed which field when). */
  async latestNotes(projectId: number, iid: number): Promise<GitLabNote[]> {
    const path = `projects/${projectId}/issues/${iid}/notes?sort=desc&order_by=updated_at`;
    return (await this.page(path, 1, GitLabNoteSchema, `latest notes of ${projectId}#${iid}`)).items;
  }

  /** The issue's closes and reopens, oldest first, all pages (the newest are on the last one). */
  stateEvents(projectId: number, iid: number): Promise<GitLabStateEvent[]> {
    const path = `projects/${projectId}/issues/${iid}/resource_state_events`;
    return this.all(path, GitLabStateEventSchema, `state events of ${projectId}#${iid}`);
  }

  private async get<T extends z.ZodType>(path: string, schema: T, what: string): Promise<z.infer<T>> {
    try {
      const response = await this.http.get(path);
      return parseResponse(schema, response.body, `GitLab ${what}`);
    } catch (error) {
      throw toDomainError('gitlab', `GET ${what}`, error);
    }
  }

  /** Every page of a list (`per_page=100`, following `X-Next-Page`): one call when it fits on one page. */
  private all<T extends z.ZodType>(path: string, element: T, what: string): Promise<z.infer<T>[]> {
    return readAllPages((page) => this.page(path, page, element, what));
  }

  /** One page of a list, parsed element by element (a bad element is skipped and logged). */
  private async page<T extends z.ZodType>(
    path: string,
    page: number,
    element: T,
    what: string,
  ): Promise<GitLabPage<z.infer<T>>> {
    try {
      const response = await this.http.get(pageUrl(path, page));
      return parsePage(response, page, element, `GitLab ${what}`, this.log);
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

  /**
   * A write whose caller keeps the whole item (a link's baseline): the answer when it fits, else (the write
   * already happened, so it is never refused) the item read again, by the id the answer does carry.
   */
  private async sendWhole<T extends z.ZodType>(
    method: 'POST' | 'PUT',
    path: string,
    json: unknown,
    what: string,
    read: { schema: T; reread: (answer: unknown) => Promise<z.infer<T>> },
  ): Promise<z.infer<T>> {
    const answer = await this.send(method, path, json, z.unknown(), what);
    const whole = read.schema.safeParse(answer);
    if (whole.success) return whole.data;
    this.log?.warn('GitLab write answered in an unexpected shape: read again', {
      what,
      problems: whole.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    });
    return read.reread(answer);
  }
}

/** `:id` of a project: numeric, or its full path URL-encoded as one segment. */
export function encodeProject(projectRef: number | string): string {
  return typeof projectRef === 'number' ? String(projectRef) : encodeURIComponent(projectRef);
}

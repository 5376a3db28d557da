import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Activity } from './activity.js';
import { type HookScope, hookTime } from './hook-data.js';
import { issueRoutes } from './issue-routes.js';
import { IssueService } from './issues.js';
import { milestoneRoutes } from './milestone-routes.js';
import { noteRoutes } from './note-routes.js';
import { NoteService } from './notes.js';
import { hookAlertStatus, presentIssue, presentMilestone, presentNote } from './present.js';
import { createHook, projectRoutes } from './project-routes.js';
import type { Services } from './routing.js';
import { RestFront } from './server.js';
import { GitLabStore, pathWithNamespace, randomHex } from './store.js';
import type {
  GitLabDelivery,
  GitLabIssueLike,
  GitLabMention,
  GitLabMilestoneLike,
  GitLabNoteLike,
  GitLabRecordedRequest,
  GitLabStandInOptions,
} from './types.js';
import { WebhookDispatcher } from './webhooks.js';

export type {
  GitLabDelivery,
  GitLabInterceptAnswer,
  GitLabIssueLike,
  GitLabMention,
  GitLabMilestoneLike,
  GitLabNoteLike,
  GitLabRecordedRequest,
  GitLabStandInOptions,
  GitLabUserBasicLike,
} from './types.js';

/** Trigger settings of {@link GitLabStandIn.addHook}; `enabled: false` makes the hook `disabled`. */
export interface GitLabHookSettings {
  url: string;
  token?: string;
  issues_events?: boolean;
  confidential_issues_events?: boolean;
  note_events?: boolean;
  confidential_note_events?: boolean;
  milestone_events?: boolean;
  enabled?: boolean;
}

/**
 * An HTTP stand-in for GitLab's REST API v4 and its project webhooks, behaving as
 * `/work/shared/docs/gitlab-api.md` describes real GitLab (Free tier): quick actions, mentions,
 * system notes, `close` + `update` hooks from one PUT, auto-disabling hooks, and so on.
 * Humans act through the REST API with the token {@link GitLabStandIn.addUser} returns.
 */
export class GitLabStandIn {
  /** Every REST request received, in order. */
  readonly requests: GitLabRecordedRequest[] = [];
  /** Notifications caused by `@username` in stored descriptions and comments. */
  readonly mentions: GitLabMention[] = [];
  private readonly store: GitLabStore;
  private readonly dispatcher: WebhookDispatcher;
  private readonly services: Services;
  private readonly front: RestFront;

  private constructor(
    private readonly server: Server,
    /** e.g. `http://127.0.0.1:41234`; clients append `/api/v4/`. */
    readonly baseUrl: string,
    options: GitLabStandInOptions,
  ) {
    const instanceUrl = (options.instanceUrl ?? baseUrl).replace(/\/+$/, '');
    this.store = new GitLabStore(instanceUrl);
    this.dispatcher = new WebhookDispatcher(this.store, {
      instanceUrl,
      timeoutMs: options.hookTimeoutMs ?? 10_000,
      backoffMs: options.hookBackoffMs ?? 60_000,
    });
    const activity = new Activity(this.store, this.dispatcher, this.mentions, options.issueHookKind);
    const issues = new IssueService(this.store, activity);
    const notes = new NoteService(this.store, activity, issues);
    this.services = { store: this.store, activity, issues, notes };
    const routes = [...projectRoutes, ...issueRoutes, ...noteRoutes, ...milestoneRoutes];
    this.front = new RestFront(this.services, routes, options, (r) => this.requests.push(r));
    server.on('request', (req, res) => void this.front.handle(req, res));
  }

  /** Starts a stand-in on 127.0.0.1. */
  static async start(options: GitLabStandInOptions = {}): Promise<GitLabStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new GitLabStandIn(server, `http://127.0.0.1:${port}`, options);
  }

  /** Every webhook POST attempt, with the receiver's status. */
  get deliveries(): GitLabDelivery[] {
    return this.dispatcher.deliveries;
  }

  /** Stops listening, aborts deliveries in flight and drops requests an `intercept` held open. */
  async stop(): Promise<void> {
    this.front.releaseHanging();
    await this.dispatcher.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Adds a user; the token works as `PRIVATE-TOKEN` or `Authorization: Bearer`. `email` is the public email. */
  addUser(u: { username: string; name: string; email?: string }): { id: number; token: string } {
    if (this.store.userByUsername(u.username)) throw new Error(`username ${u.username} is taken`);
    const user = {
      id: this.store.nextId('user'),
      username: u.username,
      name: u.name,
      email: u.email ?? null,
      token: `glpat-${randomHex(10)}`,
      createdAt: this.store.now(),
    };
    this.store.users.set(user.id, user);
    return { id: user.id, token: user.token };
  }

  /** Adds a project; without `memberUserIds` every user (also those added later) is a member. */
  addProject(p: { namespace: string; path: string; memberUserIds?: number[] }): {
    id: number;
    path_with_namespace: string;
  } {
    const project = {
      id: this.store.nextId('project'),
      namespace: p.namespace,
      path: p.path,
      memberIds: p.memberUserIds ? [...p.memberUserIds] : null,
      createdAt: this.store.now(),
      nextIssueIid: 1,
      nextMilestoneIid: 1,
    };
    this.store.projects.set(project.id, project);
    return { id: project.id, path_with_namespace: pathWithNamespace(project) };
  }

  /** Adds a project hook and returns its id; triggers not given are off. */
  addHook(projectId: number, h: GitLabHookSettings): number {
    if (!this.store.projects.has(projectId)) throw new Error(`no project ${projectId}`);
    const hook = createHook(this.store, projectId, {
      url: h.url,
      token: h.token ?? null,
      flags: {
        push_events: false,
        issues_events: h.issues_events ?? false,
        confidential_issues_events: h.confidential_issues_events ?? false,
        note_events: h.note_events ?? false,
        confidential_note_events: h.confidential_note_events ?? false,
        milestone_events: h.milestone_events ?? false,
      },
    });
    hook.manuallyDisabled = h.enabled === false;
    return hook.id;
  }

  /**
   * A group milestone's hook as `DataBuilder::Milestone` builds it, `project: null` (gitlab-api.md §0a.2), sent
   * to the project's milestone hooks as a group hook pointing at the same receiver would get it.
   */
  groupMilestoneHook(
    projectId: number,
    title: string,
    action: 'create' | 'close' | 'reopen' = 'create',
  ): void {
    const now = this.store.now();
    const id = this.store.nextId('milestone');
    const payload = {
      object_kind: 'milestone',
      event_type: 'milestone',
      project: null,
      object_attributes: {
        id,
        iid: 1,
        title,
        description: null,
        state: action === 'close' ? 'closed' : 'active',
        created_at: hookTime(now),
        updated_at: hookTime(now),
        due_date: null,
        start_date: null,
        group_id: 9_000 + projectId,
        project_id: null,
      },
      action,
    };
    this.dispatcher.emit(projectId, 'milestone_hooks', payload, undefined);
  }

  /**
   * Delivers a body as GitLab would for `event` (its headers, the project's hooks of that kind, failures
   * counted toward auto-disabling): what a future GitLab version might send, for tests of tolerant readers.
   */
  deliverAs(projectId: number, scope: HookScope, payload: unknown): void {
    this.dispatcher.emit(projectId, scope, payload, undefined);
  }

  /** A hook's `alert_status` now (`executable`, `temporarily_disabled`, `disabled`), as `GET …/hooks` shows it. */
  hookStatus(hookId: number): string | undefined {
    const hook = this.store.hooks.get(hookId);
    return hook ? hookAlertStatus(hook, Date.now()) : undefined;
  }

  /** Resolves when every webhook delivery queued so far has been attempted. */
  settle(): Promise<void> {
    return this.dispatcher.settle();
  }

  /**
   * Re-sends a recorded delivery exactly (same `Idempotency-Key` and body, fresh
   * `X-Gitlab-Webhook-UUID`), like the UI "Resend request"; resolves to the receiver's status (0 on a
   * connection error).
   */
  resend(delivery: GitLabDelivery): Promise<number> {
    return this.dispatcher.resend(delivery);
  }

  /** The project's issues in REST shape, by iid. */
  issues(projectId: number): GitLabIssueLike[] {
    return this.store.projectIssues(projectId).map((i) => presentIssue(this.store, i));
  }

  /** One issue in REST shape, by iid. */
  issue(projectId: number, iid: number): GitLabIssueLike | undefined {
    const issue = this.store.findIssue(projectId, iid);
    return issue ? presentIssue(this.store, issue) : undefined;
  }

  /** The issue's notes (system notes included) in REST shape, oldest first. */
  notes(projectId: number, iid: number): GitLabNoteLike[] {
    const issue = this.store.findIssue(projectId, iid);
    return issue ? this.store.issueNotes(issue.id).map((n) => presentNote(this.store, n)) : [];
  }

  /** The project's milestones in REST shape, by id. */
  milestones(projectId: number): GitLabMilestoneLike[] {
    return this.store
      .projectMilestones(projectId)
      .sort((a, b) => a.id - b.id)
      .map((m) => presentMilestone(this.store, m));
  }
}

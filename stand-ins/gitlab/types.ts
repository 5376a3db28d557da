/** Options of {@link GitLabStandIn.start}. */
export interface GitLabStandInOptions {
  /** Port to bind on 127.0.0.1; `0` (default) picks a free one. */
  port?: number;
  /** Delay added to every REST request before it is answered (benchmarks use 20). */
  latencyMs?: number;
  /** Value of `X-Gitlab-Instance` and the base of every web URL; default: the stand-in's own base URL. */
  instanceUrl?: string;
  /**
   * Fault injection, called for every REST request after it is recorded: return a canned answer
   * (a 500, a 429 with `Retry-After`/`RateLimit-Reset`, …), `'timeout'` to never answer until
   * `stop()`, or `undefined` to let the stand-in answer normally.
   */
  intercept?: (req: GitLabRecordedRequest) => GitLabInterceptAnswer | 'timeout' | undefined;
  /** First auto-disable window of a failing hook; doubles per further failure up to a day. Default 60,000 (GitLab's 1 min). */
  hookBackoffMs?: number;
  /** Webhook request timeout. Default 10,000 (GitLab's 10 s). */
  hookTimeoutMs?: number;
  /**
   * `work_item`: Issue Hooks as GitLab 17.7 sent them for issues edited in the work-item view,
   * `object_kind: "work_item"`, `event_type: "work_item"`, `object_attributes.type: "Issue"`
   * (gitlab-api.md §0a.1). Default `issue` (later versions, gitlab-org/gitlab#517947).
   */
  issueHookKind?: 'issue' | 'work_item';
}

/** A canned answer returned by {@link GitLabStandInOptions.intercept}. */
export interface GitLabInterceptAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
}

/** One REST request as the stand-in received it. */
export interface GitLabRecordedRequest {
  method: string;
  /** Path after `/api/v4/`, percent-decoded, without the query (`projects/acme/web/issues`). */
  path: string;
  /** Query parameters; repeated keys (`iids[]=1&iids[]=2`) are joined with commas. */
  query: Record<string, string>;
  /** Parsed JSON or form body; `undefined` when there was none. */
  body: unknown;
  /** The authenticated user, when the token was valid. */
  userId?: number;
  /** The status answered (set once the answer is sent). */
  status?: number;
}

/** One webhook POST attempt. */
export interface GitLabDelivery {
  hookId: number;
  /** `X-Gitlab-Event`, e.g. `Issue Hook`. */
  event: string;
  headers: Record<string, string>;
  body: unknown;
  /** The receiver's HTTP status; absent when the request failed (see `error`). */
  status?: number;
  /** Connection error or timeout, as GitLab logs it. */
  error?: string;
  idempotencyKey: string;
}

/** A notification caused by `@username` in stored text. */
export interface GitLabMention {
  username: string;
  /** Id of the user whose write caused it. */
  by: number;
  /** Web URL of the issue or note holding the mention. */
  where: string;
}

/** `UserBasic` as REST returns it inside issues, notes and member lists. */
export interface GitLabUserBasicLike {
  id: number;
  username: string;
  name: string;
  state: 'active';
  locked: boolean;
  avatar_url: string;
  web_url: string;
}

/** A project milestone as REST returns it. */
export interface GitLabMilestoneLike {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'active' | 'closed';
  created_at: string;
  updated_at: string;
  due_date: string | null;
  start_date: string | null;
  expired: boolean;
  web_url: string;
}

/** An issue as REST returns it (`GET /projects/:id/issues/:iid`). */
export interface GitLabIssueLike {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: GitLabUserBasicLike | null;
  labels: string[];
  milestone: GitLabMilestoneLike | null;
  assignees: GitLabUserBasicLike[];
  author: GitLabUserBasicLike;
  type: 'ISSUE';
  assignee: GitLabUserBasicLike | null;
  user_notes_count: number;
  merge_requests_count: number;
  upvotes: number;
  downvotes: number;
  due_date: string | null;
  imported: boolean;
  imported_from: string;
  confidential: boolean;
  discussion_locked: boolean | null;
  issue_type: 'issue';
  web_url: string;
  time_stats: {
    time_estimate: number;
    total_time_spent: number;
    human_time_estimate: string | null;
    human_total_time_spent: string | null;
  };
  task_completion_status: { count: number; completed_count: number };
  has_tasks: boolean;
  task_status: string;
  _links: {
    self: string;
    notes: string;
    award_emoji: string;
    project: string;
    closed_as_duplicate_of: string | null;
  };
  references: { short: string; relative: string; full: string };
  severity: 'UNKNOWN';
  subscribed: boolean;
  moved_to_id: number | null;
  service_desk_reply_to: string | null;
}

/** A note (comment or system note) on an issue as REST returns it. */
export interface GitLabNoteLike {
  id: number;
  type: null;
  body: string;
  attachment: null;
  author: GitLabUserBasicLike;
  created_at: string;
  updated_at: string;
  system: boolean;
  noteable_id: number;
  noteable_type: 'Issue';
  project_id: number;
  resolvable: boolean;
  confidential: boolean;
  internal: boolean;
  noteable_iid: number;
  commands_changes: Record<string, unknown>;
  imported: boolean;
  imported_from: string;
}

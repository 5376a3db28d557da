import { randomUUID } from 'node:crypto';
import type { HookEmitter, HookScope } from './hook-data.js';
import { hookAlertStatus } from './present.js';
import type { GitLabStore, HookFlag, HookRecord } from './store.js';
import type { GitLabDelivery } from './types.js';

/** The `User-Agent` GitLab sends (`"GitLab/#{Gitlab::VERSION}"`). */
export const GITLAB_USER_AGENT = 'GitLab/18.6.0';

const SCOPES: Record<HookScope, { flag: HookFlag; event: string }> = {
  issue_hooks: { flag: 'issues_events', event: 'Issue Hook' },
  confidential_issue_hooks: { flag: 'confidential_issues_events', event: 'Confidential Issue Hook' },
  note_hooks: { flag: 'note_events', event: 'Note Hook' },
  confidential_note_hooks: { flag: 'confidential_note_events', event: 'Confidential Note Hook' },
  milestone_hooks: { flag: 'milestone_events', event: 'Milestone Hook' },
};

/** `WebHooks::AutoDisabling`: the 4th consecutive failure disables, the 40th for good. */
const TEMPORARILY_DISABLED_AFTER = 3;
const PERMANENTLY_DISABLED_AFTER = 39;
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;

interface DeliveryJob {
  hookId: number;
  event: string;
  raw: string;
  body: unknown;
  idempotencyKey: string;
  eventUuid: string | undefined;
  force: boolean;
}

/** Settings of the {@link WebhookDispatcher}. */
export interface WebhookSettings {
  instanceUrl: string;
  timeoutMs: number;
  backoffMs: number;
}

/**
 * Delivers hook payloads like `WebHookService`: one asynchronous job per (event, hook), the jobs
 * of one hook run in order, no automatic retry, failures counted towards auto-disabling, and
 * events for a hook that is not executable are dropped rather than queued.
 */
export class WebhookDispatcher implements HookEmitter {
  readonly deliveries: GitLabDelivery[] = [];
  private readonly jobs = new WeakMap<GitLabDelivery, DeliveryJob>();
  private readonly chains = new Map<number, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly aborter = new AbortController();

  constructor(
    private readonly store: GitLabStore,
    private readonly settings: WebhookSettings,
  ) {}

  emit(projectId: number, scope: HookScope, payload: unknown, eventUuid: string | undefined): void {
    if (this.aborter.signal.aborted) return;
    const { flag, event } = SCOPES[scope];
    const raw = JSON.stringify(payload);
    for (const hook of this.store.projectHooks(projectId)) {
      if (!hook.flags[flag] || !this.executable(hook)) continue;
      const body: unknown = JSON.parse(raw);
      this.enqueue({
        hookId: hook.id,
        event,
        raw,
        body,
        idempotencyKey: randomUUID(),
        eventUuid,
        force: false,
      });
    }
  }

  /** Resolves once every job queued so far has been attempted. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Sends a recorded delivery again with the same body and `Idempotency-Key`, even to a disabled hook. */
  resend(delivery: GitLabDelivery): Promise<number> {
    const job = this.jobs.get(delivery);
    const raw = job?.raw ?? JSON.stringify(delivery.body);
    const again: DeliveryJob = {
      hookId: delivery.hookId,
      event: delivery.event,
      raw,
      body: JSON.parse(raw),
      idempotencyKey: delivery.idempotencyKey,
      eventUuid: undefined,
      force: true,
    };
    return this.enqueue(again).then((d) => d?.status ?? 0);
  }

  /** Aborts deliveries in flight and ignores later events. */
  async stop(): Promise<void> {
    this.aborter.abort();
    await this.settle();
  }

  private executable(hook: HookRecord): boolean {
    return hookAlertStatus(hook, Date.now()) === 'executable';
  }

  private enqueue(job: DeliveryJob): Promise<GitLabDelivery | undefined> {
    const previous = this.chains.get(job.hookId) ?? Promise.resolve();
    const run = previous.then(() => this.attempt(job));
    this.chains.set(job.hookId, run);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async attempt(job: DeliveryJob): Promise<GitLabDelivery | undefined> {
    const hook = this.store.hooks.get(job.hookId);
    // A hook disabled (or deleted) after the event was queued does not run it: `WebHookService#execute` checks again.
    if (!hook || (!job.force && !this.executable(hook)) || this.aborter.signal.aborted) return undefined;
    const headers = this.headers(hook, job);
    const delivery: GitLabDelivery = {
      hookId: hook.id,
      event: job.event,
      headers,
      body: job.body,
      idempotencyKey: job.idempotencyKey,
    };
    try {
      delivery.status = await this.post(hook.url, headers, job.raw);
    } catch (err) {
      delivery.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    this.jobs.set(delivery, job);
    this.deliveries.push(delivery);
    this.recordOutcome(hook, delivery.status);
    return delivery;
  }

  private headers(hook: HookRecord, job: DeliveryJob): Record<string, string> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': GITLAB_USER_AGENT,
      'X-Gitlab-Event': job.event,
      'X-Gitlab-Webhook-UUID': randomUUID(),
      'X-Gitlab-Instance': this.settings.instanceUrl,
      'X-Gitlab-Event-UUID': job.eventUuid ?? randomUUID(),
      'Idempotency-Key': job.idempotencyKey,
    };
    if (hook.token) headers['X-Gitlab-Token'] = hook.token.replace(/[\r\n]/g, '');
    return headers;
  }

  private async post(url: string, headers: Record<string, string>, raw: string): Promise<number> {
    const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.settings.timeoutMs)]);
    // GitLab does not follow redirects: a 3xx is itself a success.
    const res = await fetch(url, { method: 'POST', headers, body: raw, redirect: 'manual', signal });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  }

  /** Success is 2xx or 3xx (`response.success? || response.redirection?`). */
  private recordOutcome(hook: HookRecord, status: number | undefined): void {
    if (status !== undefined && status >= 200 && status < 400) {
      hook.recentFailures = 0;
      hook.backoffCount = 0;
      hook.disabledUntil = null;
      return;
    }
    if (hook.recentFailures > PERMANENTLY_DISABLED_AFTER) return;
    const failuresBefore = hook.recentFailures;
    hook.recentFailures += 1;
    if (hook.recentFailures > PERMANENTLY_DISABLED_AFTER) {
      hook.disabledUntil = null;
    } else if (failuresBefore >= TEMPORARILY_DISABLED_AFTER) {
      const backoff = Math.min(this.settings.backoffMs * 2 ** hook.backoffCount, MAX_BACKOFF_MS);
      hook.backoffCount += 1;
      hook.disabledUntil = Date.now() + backoff;
    }
  }
}

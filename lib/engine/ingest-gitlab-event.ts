import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProjectConfig } from '../config/sync-config.js';
import { deduplicationIdOf } from '../domain/sync-command.js';
import type { Audit } from '../ports/audit.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { HookReader, UnusableHook } from '../ports/hook-reader.js';
import type { DeliveryStore } from '../ports/link-store.js';
import type { Log } from '../ports/sync-ports.js';

/** API Gateway's own body limit (CONTRACT §3). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What the receiver needs: the secret, the configured projects, the queue and the delivery memory. */
export interface IngestDeps {
  webhookSecret: string;
  account: string;
  projects: readonly ProjectConfig[];
  queue: CommandQueue;
  deliveries: DeliveryStore;
  readHook: HookReader;
  /** Where an unusable delivery for a configured project is recorded (`audit`, `status`). */
  audit: Pick<Audit, 'record'>;
  log: Log;
  now?: () => Date;
}

/** A webhook request with lower-cased header names and the raw body. */
export interface HookRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

/** The HTTP answer (CONTRACT §3): 2xx queued/ignored/duplicate/unusable, 400 not JSON, 401 bad token, 413 too large. */
export interface HookAnswer {
  status: 200 | 202 | 400 | 401 | 413 | 503;
  body: Record<string, unknown>;
}

const RECOGNISED = new Set([
  'Issue Hook',
  'Confidential Issue Hook',
  'Note Hook',
  'Confidential Note Hook',
  'Milestone Hook',
]);

/** Checks, parses and queues one GitLab webhook delivery. Throws only when queueing itself failed (→ 5xx). */
export async function ingestGitLabEvent(deps: IngestDeps, request: HookRequest): Promise<HookAnswer> {
  if (!tokenMatches(request.headers['x-gitlab-token'], deps.webhookSecret)) {
    return { status: 401, body: { error: 'missing or wrong X-Gitlab-Token' } };
  }
  if (Buffer.byteLength(request.body) > MAX_BODY_BYTES)
    return { status: 413, body: { error: 'body over 10 MiB' } };
  const event = request.headers['x-gitlab-event'] ?? '';
  if (!RECOGNISED.has(event)) return ignored(`event "${event}" is not synced`);
  let json: unknown;
  try {
    json = JSON.parse(request.body);
  } catch {
    return { status: 400, body: { error: 'body is not JSON' } };
  }
  const parsed = deps.readHook(event, json, (path) => projectFor(deps, path));
  if ('unusable' in parsed) return unusable(deps, event, parsed.unusable);
  if ('ignored' in parsed) {
    deps.log.info('webhook ignored', { event, reason: parsed.ignored });
    return ignored(parsed.ignored);
  }
  const key =
    request.headers['idempotency-key'] || `body:${createHash('sha256').update(request.body).digest('hex')}`;
  // Hashed: a header of any length fits SQS's 128-character id and DynamoDB's key limit.
  const id = deduplicationIdOf(key);
  if (await deps.deliveries.seen(id)) return { status: 200, body: { duplicate: true } };
  await deps.queue.send(parsed.command, id);
  await deps.deliveries.remember(id);
  return { status: 202, body: { queued: parsed.command.kind } };
}

/** Constant-time comparison (of equal-length digests, so the secret's length does not leak either). */
export function tokenMatches(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/**
 * A recognised event for our project that the sync cannot use: 2xx (since GitLab 17.11 every 4xx counts toward
 * disabling the hook), nothing queued, the reason logged and recorded in the item's (or project's) history and
 * the project's activity feed. A failed record is logged, never a 5xx: the sender did nothing wrong.
 */
async function unusable(deps: IngestDeps, event: string, hook: UnusableHook): Promise<HookAnswer> {
  deps.log.warn('webhook not usable', { event, reason: hook.reason, problems: hook.problems });
  const entry = {
    at: (deps.now?.() ?? new Date()).toISOString(),
    kind: 'webhook',
    action: 'unusable',
    detail: `${hook.reason} (${hook.problems.join('; ')})`,
  };
  await deps.audit.record(hook.auditKey, hook.spiraProjectId, entry).catch((error: unknown) =>
    deps.log.error('could not record an unusable webhook', {
      error: error instanceof Error ? error.name : 'unknown',
    }),
  );
  return { status: 200, body: { ignored: hook.reason, problems: hook.problems } };
}

function ignored(reason: string): HookAnswer {
  return { status: 200, body: { ignored: reason } };
}

function projectFor(deps: IngestDeps, pathWithNamespace: string): ProjectConfig | undefined {
  const path = pathWithNamespace.toLowerCase();
  return deps.projects.find(
    (p) =>
      p.active &&
      (p.gitlabProject.toLowerCase() === path || `${deps.account}/${p.gitlabProject}`.toLowerCase() === path),
  );
}

import { Logger } from '@aws-lambda-powertools/logger';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { createAwsClients } from '../aws/clients.js';
import { SqsCommandQueue } from '../aws/sqs-command-queue.js';
import { processEnv, type RuntimeEnv, readRuntimeEnv } from '../config/runtime-env.js';
import { type ResolvedConfig, resolveSecrets, type SsmReader } from '../config/secrets.js';
import { loadSyncConfig } from '../config/sync-config.js';
import { GitLabClient } from '../connectors/gitlab/gitlab-client.js';
import { readGitLabHook } from '../connectors/gitlab/webhook-mapper.js';
import { SpiraClient } from '../connectors/spira/spira-client.js';
import type { IngestDeps } from '../engine/ingest-gitlab-event.js';
import type { MilestonePollDeps } from '../engine/poll-milestones.js';
import type { PollDeps } from '../engine/poll-spira.js';
import type { Parking } from '../engine/process-sync-record.js';
import { ProjectContexts } from '../engine/project-context.js';
import type { ReconcileDeps } from '../engine/reconcile-gitlab.js';
import type { SyncDeps } from '../engine/sync-deps.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { Log } from '../ports/sync-ports.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoCursorStore } from '../stores/dynamo-cursor-store.js';
import { DynamoDeliveryStore } from '../stores/dynamo-delivery-store.js';
import { DynamoLinkStore } from '../stores/dynamo-link-store.js';
import { DynamoParkingStore } from '../stores/dynamo-parking-store.js';
import { DynamoWatchStore } from '../stores/dynamo-watch-store.js';

/** Everything the three functions use, built once per container (or once per local process). */
export interface Runtime {
  config: ResolvedConfig;
  env: RuntimeEnv;
  ingest: IngestDeps;
  sync: SyncDeps & { parking: Parking; audit: DynamoAuditStore; queue: CommandQueue };
  poll: PollDeps;
  reconcile: ReconcileDeps;
  milestones: MilestonePollDeps;
  log: Log;
}

/** Optional replacements, for the local runtime and tests. */
export interface RuntimeOptions {
  env?: RuntimeEnv;
  config?: ResolvedConfig;
  log?: Log;
  readSsm?: SsmReader;
}

const readSsmWithPowertools: SsmReader = (name) => getParameter(name, { decrypt: true, maxAge: 300 });

/** Reads env and config (secrets from SSM through Powertools Parameters, cached 5 minutes) and wires the adapters. */
export async function buildRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = options.env ?? readRuntimeEnv();
  const log = options.log ?? powertoolsLog();
  const config =
    options.config ??
    (await resolveSecrets(
      await loadSyncConfig(env.SYNC_CONFIG),
      processEnv(),
      options.readSsm ?? readSsmWithPowertools,
    ));
  const { db, sqs } = createAwsClients(env);
  const gitlab = new GitLabClient({ baseUrl: config.gitlab.baseUrl, token: config.gitlab.token });
  const spira = new SpiraClient({
    baseUrl: config.spira.baseUrl,
    username: config.spira.username,
    apiKey: config.spira.apiKey,
  });
  const queue = new SqsCommandQueue(sqs, env.QUEUE_URL);
  const links = new DynamoLinkStore(db, env.TABLE_NAME);
  const ingest: IngestDeps = {
    webhookSecret: config.gitlab.webhookSecret,
    account: config.gitlab.account,
    projects: config.projects,
    queue,
    deliveries: new DynamoDeliveryStore(db, env.TABLE_NAME),
    readHook: readGitLabHook,
  };
  const sync = {
    gitlab,
    spira,
    links,
    contexts: new ProjectContexts(config, spira, gitlab),
    parking: new DynamoParkingStore(db, env.TABLE_NAME),
    audit: new DynamoAuditStore(db, env.TABLE_NAME),
    queue,
    log,
    mentions: config.gitlab.mentions,
    onIncidentDeleted: config.spira.onIncidentDeleted,
  };
  const gitlabIds = new Map<string, Promise<number>>();
  const poll: PollDeps = {
    spira,
    queue,
    links,
    cursors: new DynamoCursorStore(db, env.TABLE_NAME),
    watches: new DynamoWatchStore(db, env.TABLE_NAME),
    commentBudget: config.spira.commentPollBudget,
    releasePollEveryMs: config.spira.releasePollCycles * config.pollIntervalSeconds * 1000,
    projects: config.projects,
    timeOffsetHours: config.timeOffsetHours,
    overlapMs: 2 * 60_000,
    log,
    gitlabProjectId: (project) => {
      const path = project.gitlabProject.includes('/')
        ? project.gitlabProject
        : `${config.gitlab.account}/${project.gitlabProject}`;
      if (!gitlabIds.has(path))
        gitlabIds.set(
          path,
          gitlab.project(path).then((p) => p.id),
        );
      return gitlabIds.get(path) as Promise<number>;
    },
  };
  const reconcile: ReconcileDeps = {
    gitlab,
    gitlabProjectId: poll.gitlabProjectId,
    queue,
    links,
    cursors: poll.cursors,
    audit: sync.audit,
    projects: config.projects,
    everyMinutes: config.gitlab.reconcileMinutes,
    log,
    now: () => new Date(),
  };
  const milestones: MilestonePollDeps = {
    gitlab,
    gitlabProjectId: poll.gitlabProjectId,
    queue,
    cursors: poll.cursors,
    projects: config.projects,
    enabled: config.gitlab.pollMilestones,
    log,
  };
  return { config, env, ingest, sync, poll, reconcile, milestones, log };
}

/** Powertools Logger behind the engine's small Log port (JSON lines to CloudWatch). */
function powertoolsLog(): Log {
  const logger = new Logger({ serviceName: 'spira-gitlab-sync' });
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

/** Memoises the runtime for a Lambda container; a failed build is retried on the next invocation. */
export function lazyRuntime(build: () => Promise<Runtime> = buildRuntime): () => Promise<Runtime> {
  let pending: Promise<Runtime> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

import { Logger } from '@aws-lambda-powertools/logger';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { createAwsClients } from '../aws/clients.js';
import { SqsCommandQueue } from '../aws/sqs-command-queue.js';
import { processEnv, type RuntimeEnv, readRuntimeEnv } from '../config/runtime-env.js';
import { type ResolvedConfig, resolveSecrets, type SsmReader } from '../config/secrets.js';
import { loadSyncConfig } from '../config/sync-config.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { Log } from '../ports/sync-ports.js';

/** Optional replacements, for the local runtime and tests. */
export interface RuntimeOptions {
  env?: RuntimeEnv;
  config?: ResolvedConfig;
  log?: Log;
  readSsm?: SsmReader;
  /** Replaces the SQS queue (the local runtime's journaled queue). */
  queue?: (sqs: SqsCommandQueue) => CommandQueue;
}

/** What every function builds first: env, config with secrets, log, AWS clients and the queue. */
export interface Basics {
  env: RuntimeEnv;
  config: ResolvedConfig;
  log: Log;
  aws: ReturnType<typeof createAwsClients>;
  queue: CommandQueue;
}

const readSsmWithPowertools: SsmReader = (name) => getParameter(name, { decrypt: true, maxAge: 300 });

/** Reads env and config (secrets from SSM through Powertools Parameters, cached 5 minutes). */
export async function buildBasics(options: RuntimeOptions = {}): Promise<Basics> {
  const env = options.env ?? readRuntimeEnv();
  const log = options.log ?? powertoolsLog();
  const config =
    options.config ??
    (await resolveSecrets(
      await loadSyncConfig(env.SYNC_CONFIG),
      processEnv(),
      options.readSsm ?? readSsmWithPowertools,
    ));
  const aws = createAwsClients(env);
  const sqsQueue = new SqsCommandQueue(aws.sqs, env.QUEUE_URL);
  return { env, config, log, aws, queue: options.queue?.(sqsQueue) ?? sqsQueue };
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

/** Memoises a builder for a Lambda container; a failed build is retried on the next invocation. */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

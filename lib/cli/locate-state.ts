import { resolve } from 'node:path';
import { isRunning, readLocalEndpoints } from '../local/local-endpoints.js';
import type { StateLocation } from '../ops/sync-state.js';
import { CliError, type CliIo } from './io.js';
import { readStackOutputs, stackNameFor } from './stack-outputs.js';

/** Options every command shares (see `spira-gitlab-sync --help`). */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  stage?: string;
  stack?: string;
  region?: string;
  table?: string;
  queueUrl?: string;
}

/** The data folder of `npm start` (`--data-dir`, `SYNC_DATA_DIR`, or `.data`). */
export function dataDirOf(options: GlobalOptions, io: CliIo): string {
  return resolve(io.cwd, options.dataDir ?? io.env.SYNC_DATA_DIR ?? '.data');
}

function regionOf(options: GlobalOptions, io: CliIo): string {
  return options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/**
 * Finds the table and queue: explicit `--table`/`--queue-url` (or TABLE_NAME/QUEUE_URL), else a deployed
 * stack (`--stack`, or `--stage` → `spira-gitlab-sync-<stage>`), else the running `npm start` of the data folder.
 */
export async function locateState(options: GlobalOptions, io: CliIo): Promise<StateLocation> {
  const region = regionOf(options, io);
  const table = options.table ?? io.env.TABLE_NAME;
  const queueUrl = options.queueUrl ?? io.env.QUEUE_URL;
  if (table && queueUrl) {
    const dynamoEndpoint = io.env.AWS_ENDPOINT_URL_DYNAMODB;
    const sqsEndpoint = io.env.AWS_ENDPOINT_URL_SQS;
    return {
      source: 'flags',
      origin: `table ${table}`,
      region,
      table,
      queueUrl,
      ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
      ...(sqsEndpoint ? { sqsEndpoint } : {}),
    };
  }
  if (table || queueUrl) throw new CliError('--table and --queue-url go together: pass both');
  const stack = options.stack ?? (options.stage ? stackNameFor(options.stage) : undefined);
  if (stack) {
    // Other endpoints (AWS_ENDPOINT_URL_*) are passed on explicitly: fauxqs finds queues only that way.
    const dynamoEndpoint = io.env.AWS_ENDPOINT_URL_DYNAMODB;
    const sqsEndpoint = io.env.AWS_ENDPOINT_URL_SQS;
    return {
      ...(await fromStack(stack, region)),
      ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
      ...(sqsEndpoint ? { sqsEndpoint } : {}),
    };
  }
  return fromLocal(dataDirOf(options, io));
}

async function fromStack(stack: string, region: string): Promise<StateLocation> {
  const outputs = await readStackOutputs(stack, region);
  if (!outputs.TableName || !outputs.QueueUrl)
    throw new CliError(`stack ${stack} has no TableName/QueueUrl outputs: deploy this version once more`);
  return {
    source: 'stack',
    origin: `stack ${stack}`,
    region,
    table: outputs.TableName,
    queueUrl: outputs.QueueUrl,
    ...(outputs.DeadLetterQueueUrl ? { dlqUrl: outputs.DeadLetterQueueUrl } : {}),
    ...(outputs.WebhookUrl ? { webhookUrl: outputs.WebhookUrl } : {}),
  };
}

async function fromLocal(dataDir: string): Promise<StateLocation> {
  const local = await readLocalEndpoints(dataDir);
  if (!local || !isRunning(local.pid)) {
    throw new CliError(
      `no running sync found: start it with \`npm start\` (it writes ${dataDir}/local.json), or name a deployed one with --stage/--stack, or pass --table and --queue-url`,
    );
  }
  return {
    source: 'local',
    origin: `npm start (pid ${local.pid}, ${local.url})`,
    region: local.region,
    table: local.tableName,
    queueUrl: local.queueUrl,
    dynamoEndpoint: local.dynamoEndpoint,
    sqsEndpoint: local.sqsEndpoint,
    webhookUrl: `${local.url}/webhooks/gitlab`,
    ...(local.configPath ? { configPath: local.configPath } : {}),
  };
}

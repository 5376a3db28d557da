import { resolve } from 'node:path';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../aws/clients.js';
import { type QueueDepth, queueDepth } from '../aws/queue-depth.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoCursorStore } from '../stores/dynamo-cursor-store.js';
import { DynamoLinkStore } from '../stores/dynamo-link-store.js';
import { DynamoParkingStore } from '../stores/dynamo-parking-store.js';
import { CliError, type CliIo } from './io.js';
import { isRunning, readLocalEndpoints } from './local-endpoints.js';
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

/** Where the sync keeps its state, and how that was found. */
export interface StateLocation {
  source: 'flags' | 'stack' | 'local';
  /** Human-readable origin for messages: `npm start (pid 123)`, `stack spira-gitlab-sync-prod`… */
  origin: string;
  region: string;
  table: string;
  queueUrl: string;
  dlqUrl?: string;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** The sync's webhook endpoint, when the origin knows it. */
  webhookUrl?: string;
  /** A config the origin made (demo mode). */
  configPath?: string;
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

/** The stores and queue clients over a located state. */
export interface SyncState {
  location: StateLocation;
  sqs: SQSClient;
  links: DynamoLinkStore;
  audit: DynamoAuditStore;
  parking: DynamoParkingStore;
  cursors: DynamoCursorStore;
  /** The dead-letter queue's URL: from the stack, else the queue's name with `-dlq` (as deployed and locally). */
  dlqUrl(): Promise<string>;
  /** Messages waiting, in flight and delayed in a queue. */
  depth(queueUrl: string): Promise<QueueDepth>;
}

export type { QueueDepth };

/** Opens the stores on a located state (local endpoints use dummy credentials). */
export function openState(location: StateLocation): SyncState {
  const { db, sqs } = createAwsClients({
    AWS_REGION: location.region,
    ...(location.dynamoEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: location.dynamoEndpoint } : {}),
    ...(location.sqsEndpoint ? { AWS_ENDPOINT_URL_SQS: location.sqsEndpoint } : {}),
  });
  const table = location.table;
  return {
    location,
    sqs,
    links: new DynamoLinkStore(db, table),
    audit: new DynamoAuditStore(db, table),
    parking: new DynamoParkingStore(db, table),
    cursors: new DynamoCursorStore(db, table),
    dlqUrl: async () => {
      if (location.dlqUrl) return location.dlqUrl;
      const name = (location.queueUrl.split('/').pop() ?? '').replace(/\.fifo$/, '-dlq.fifo');
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      if (!QueueUrl) throw new CliError(`dead-letter queue ${name} not found`);
      return QueueUrl;
    },
    depth: (queueUrl) => queueDepth(sqs, queueUrl),
  };
}

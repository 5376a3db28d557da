import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../aws/clients.js';
import { type QueueDepth, queueDepth } from '../aws/queue-depth.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoCursorStore } from '../stores/dynamo-cursor-store.js';
import { DynamoLinkStore } from '../stores/dynamo-link-store.js';
import { DynamoParkingStore } from '../stores/dynamo-parking-store.js';
import { CliError } from './errors.js';

/*
 * The sync's state as the operator reads it: the table and queues of a deployed stack or of `npm start`,
 * opened on the same stores the functions use. Shared by the CLI (which finds the location: cli/locate-state.ts)
 * and the local status page (which knows it).
 */

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

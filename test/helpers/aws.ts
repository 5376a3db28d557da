import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createAwsClients } from '../../lib/aws/clients.js';
import { provisionQueues, provisionTable } from '../../lib/aws/provision.js';

/** AWS clients on the run's stand-ins plus a fresh table and FIFO queue pair for one test file. */
export async function freshAws() {
  const clients = createAwsClients({
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
  });
  const name = `t${randomUUID().slice(0, 8)}`;
  await provisionTable(clients.dynamo, name, inject('dynamoSupportsTtl'));
  const queues = await provisionQueues(clients.sqs, name, 3);
  return {
    ...clients,
    table: name,
    ...queues,
    endpoints: { dynamo: inject('dynamoEndpoint'), sqs: inject('sqsEndpoint') },
  };
}

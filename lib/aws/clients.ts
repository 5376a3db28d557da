import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RuntimeEnv } from '../config/runtime-env.js';

/** AWS clients; locally pointed at the stand-ins (fauxqs finds queues only by its own URL: no queue-URL endpoint). */
export function createAwsClients(
  env: Pick<RuntimeEnv, 'AWS_REGION' | 'AWS_ENDPOINT_URL_DYNAMODB' | 'AWS_ENDPOINT_URL_SQS'>,
) {
  const local = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamo = new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, ...local } : {}),
  });
  const sqs = new SQSClient({
    region: env.AWS_REGION,
    ...(env.AWS_ENDPOINT_URL_SQS
      ? { endpoint: env.AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false, ...local }
      : {}),
  });
  return {
    db: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    dynamo,
    sqs,
  };
}

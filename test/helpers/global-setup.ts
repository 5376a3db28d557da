import type { TestProject } from 'vitest/node';
import { startDynamo } from '../../lib/local/dynamo-emulator.js';
import { startSqs } from '../../lib/local/sqs-emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    dynamoSupportsTtl: boolean;
    sqsEndpoint: string;
  }
}

/** One DynamoDB Local (or dynalite without Java) and one fauxqs for the whole run. */
export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('dynamoSupportsTtl', dynamo.supportsTtl);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

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
  // One after the other: DynamoDB Local is told a free port it binds only later, and fauxqs started
  // meanwhile on port 0 could be given the same one (DynamoDB requests then reach fauxqs).
  const dynamo = await startDynamo();
  const sqs = await startSqs();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('dynamoSupportsTtl', dynamo.supportsTtl);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processSyncRecord } from '../engine/process-sync-record.js';
import type { WorkerRuntime } from '../runtime/worker-runtime.js';

/** The sync-worker Lambda: applies each queued change; a failed record fails only the rest of its group. */
export function createWorkerHandler(runtime: () => Promise<WorkerRuntime>) {
  const processor = new SqsFifoPartialProcessorAsync();
  const work = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const { sync } = await runtime();
    return processPartialResponse(event, (record: SQSRecord) => processSyncRecord(sync, record), processor, {
      context,
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
  };
  return middy(work);
}

import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processSyncRecord } from '../lib/engine/process-sync-record.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

const runtime = lazyRuntime();
const processor = new SqsFifoPartialProcessorAsync();

/** Applies each queued change; a failed record fails the rest of its group only (FIFO order kept). */
async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const { sync } = await runtime();
  return processPartialResponse(event, (record: SQSRecord) => processSyncRecord(sync, record), processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
}

export const handler = middy(work);

import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processSyncRecord } from '../engine/process-sync-record.js';
import type { WorkerRuntime } from '../runtime/worker-runtime.js';

/**
 * The sync-worker Lambda. A batch may hold several message groups (items): each group runs through its own
 * Powertools FIFO processor, in order, and stops at its first failure (the rest of that group is reported
 * back so SQS keeps the order); the groups run side by side, since one item never waits on another.
 */
export function createWorkerHandler(runtime: () => Promise<WorkerRuntime>) {
  const work = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const { sync } = await runtime();
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      groups.set(group, [...(groups.get(group) ?? []), record]);
    }
    const answers = await Promise.all(
      [...groups.values()].map((Records) =>
        processPartialResponse(
          { Records },
          (record: SQSRecord) => processSyncRecord(sync, record),
          new SqsFifoPartialProcessorAsync(),
          {
            context,
            throwOnFullBatchFailure: false,
          },
        ),
      ),
    );
    return { batchItemFailures: answers.flatMap((answer) => answer.batchItemFailures) };
  };
  return middy(work);
}

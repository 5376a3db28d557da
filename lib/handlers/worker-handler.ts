import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processSyncRecord, RetryScheduled } from '../engine/process-sync-record.js';
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
      [...groups.values()].map(async (Records) => {
        let delay = 0;
        const answer = await processPartialResponse(
          { Records },
          (record: SQSRecord) =>
            processSyncRecord(sync, record).catch((error: unknown) => {
              if (error instanceof RetryScheduled) delay = error.delaySeconds;
              throw error;
            }),
          new SqsFifoPartialProcessorAsync(),
          { context, throwOnFullBatchFailure: false },
        );
        // The records behind the failed one were not tried: they come back with it, not after the whole
        // visibility timeout (SQS hands a group's messages out in order, so they still follow it).
        const skipped = new Set(answer.batchItemFailures.slice(1).map((f) => f.itemIdentifier));
        await Promise.all(
          Records.filter((r) => skipped.has(r.messageId)).map((r) =>
            sync.queue.retryLater(r.receiptHandle, delay).catch(() => undefined),
          ),
        );
        return answer;
      }),
    );
    return { batchItemFailures: answers.flatMap((answer) => answer.batchItemFailures) };
  };
  return middy(work);
}

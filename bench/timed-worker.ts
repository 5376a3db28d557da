import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { createWorkerHandler } from '../lib/handlers/worker-handler.js';
import { QueueLoop, type WorkerHandler } from '../lib/local/queue-loop.js';
import type { Runtime } from '../lib/runtime/build-runtime.js';

/** One worker invocation (one SQS batch), as Lambda would bill it. */
/** What the bench reads of a queued command. */
export interface BatchCommand {
  kind: string;
  /** The FIFO message group (SQS attribute). */
  group?: string;
  iid?: number;
  incidentId?: number;
}

export interface WorkerBatch {
  at: number;
  ms: number;
  /** The records' commands (kind and item ids), in batch order. */
  commands: BatchCommand[];
  failed: number;
}

/**
 * The sync-worker handler, built exactly as functions/sync-worker.ts builds it, driven by the local runtime's
 * QueueLoop but timed per invocation. It replaces the loop startLocalRuntime starts, so it can be paused
 * (to let a backlog build up) and so each batch's duration is known for the cost model.
 */
export class TimedWorker {
  readonly batches: WorkerBatch[] = [];
  private loop: QueueLoop | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly runtime: Runtime,
    private concurrency: number,
  ) {}

  start(concurrency = this.concurrency): void {
    if (this.loop) return;
    this.concurrency = concurrency;
    const handler = createWorkerHandler(() => Promise.resolve(this.runtime));
    const timed: WorkerHandler = async (event, context) => {
      const at = performance.now();
      let response: SQSBatchResponse | undefined;
      try {
        response = await handler(event, context);
        return response;
      } finally {
        this.batches.push({
          at,
          ms: performance.now() - at,
          commands: event.Records.map((r) => ({ ...commandOf(r.body), group: r.attributes.MessageGroupId })),
          failed: response ? response.batchItemFailures.length : event.Records.length,
        });
      }
    };
    this.loop = new QueueLoop(this.sqs, this.queueUrl, timed, { concurrency });
    this.loop.start();
  }

  async pause(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    await loop?.stop();
  }

  /** Waits until the queue is empty and no batch is running. */
  async drained(timeoutMs = 120_000): Promise<void> {
    if (!this.loop) throw new Error('the worker is paused: nothing would drain the queue');
    await this.loop.drained(timeoutMs);
  }

  mark(): number {
    return this.batches.length;
  }

  since(mark: number): WorkerBatch[] {
    return this.batches.slice(mark);
  }
}

function commandOf(body: string): BatchCommand {
  try {
    const { kind, iid, incidentId } = JSON.parse(body) as BatchCommand;
    return { kind: String(kind), ...(iid ? { iid } : {}), ...(incidentId ? { incidentId } : {}) };
  } catch {
    return { kind: 'unparsable' };
  }
}

import { createWorkerHandler } from '../lib/handlers/worker-handler.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

/** SQS FIFO consumer with ReportBatchItemFailures. */
export const handler = createWorkerHandler(lazyRuntime());

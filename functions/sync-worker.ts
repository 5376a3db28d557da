import { createWorkerHandler } from '../lib/handlers/worker-handler.js';
import { lazy } from '../lib/runtime/basics.js';
import { buildWorkerRuntime } from '../lib/runtime/worker-runtime.js';

/** SQS FIFO consumer with ReportBatchItemFailures. */
export const handler = createWorkerHandler(lazy(buildWorkerRuntime));

import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toHookRequest, toHttpResult } from '../aws/http-event.js';
import { ingestGitLabEvent } from '../engine/ingest-gitlab-event.js';
import type { IngestRuntime } from '../runtime/ingest-runtime.js';

/** The gitlab-webhook Lambda: check, parse, queue, answer fast (CONTRACT §3). */
export function createWebhookHandler(runtime: () => Promise<IngestRuntime>) {
  const receive = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { ingest } = await runtime();
    return toHttpResult(await ingestGitLabEvent(ingest, toHookRequest(event)));
  };
  // 5xx only when queueing itself failed (or the function cannot start); the body never echoes internals.
  const queueFailure: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = {
    onError: async (request) => {
      const log = await runtime().then(
        (r) => r.log,
        () => console,
      );
      log.error('webhook not queued', {
        error: request.error instanceof Error ? request.error.name : 'unknown',
      });
      request.response = toHttpResult({ status: 503, body: { error: 'could not queue the event' } });
    },
  };
  return middy(receive).use(queueFailure);
}

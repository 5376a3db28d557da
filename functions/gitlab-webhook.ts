import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toHookRequest, toHttpResult } from '../lib/aws/http-event.js';
import { ingestGitLabEvent } from '../lib/engine/ingest-gitlab-event.js';
import { lazyRuntime } from '../lib/runtime/build-runtime.js';

const runtime = lazyRuntime();

/** POST /webhooks/gitlab: check, parse, queue, answer fast (CONTRACT §3). */
async function receive(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const { ingest } = await runtime();
  return toHttpResult(await ingestGitLabEvent(ingest, toHookRequest(event)));
}

/** 5xx only when queueing itself failed; the body never echoes internals. */
const queueFailure: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = {
  onError: async (request) => {
    const { log } = await runtime().catch(() => ({ log: console }));
    log.error('webhook not queued', { error: String(request.error) });
    request.response = toHttpResult({ status: 503, body: { error: 'could not queue the event; GitLab may retry' } });
  },
};

export const handler = middy(receive).use(queueFailure);

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HookAnswer, HookRequest } from '../engine/ingest-gitlab-event.js';

/** API Gateway HTTP API event → webhook request (header names lower-cased, base64 bodies decoded). */
export function toHookRequest(event: APIGatewayProxyEventV2): HookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  return { headers, body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw };
}

/** Webhook answer → API Gateway result (small JSON bodies: GitLab stores them). */
export function toHttpResult(answer: HookAnswer): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(answer.body),
  };
}

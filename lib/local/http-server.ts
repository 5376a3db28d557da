import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../engine/ingest-gitlab-event.js';

/** The webhook handler as API Gateway calls it. */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: never,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Extra read-only routes of the local endpoint. */
export type LocalRoutes = Record<
  string,
  (request: IncomingMessage) => Promise<{ status: number; type: string; body: string }>
>;

/**
 * The deployed routes on 127.0.0.1: `POST /webhooks/gitlab` → the real webhook handler with an HTTP API v2
 * event; bodies over 10 MiB are refused with 413 before the handler runs, as API Gateway does.
 */
export async function startHttpServer(
  port: number,
  webhook: HttpHandler,
  routes: LocalRoutes,
): Promise<Server> {
  const server = createServer((request, response) => {
    serve(request, response, webhook, routes).catch(() =>
      answer(response, 500, 'application/json', '{"error":"internal"}'),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  return server;
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  webhook: HttpHandler,
  routes: LocalRoutes,
) {
  const path = new URL(request.url ?? '/', 'http://local').pathname;
  const route = request.method === 'GET' ? routes[path] : undefined;
  if (route) {
    const result = await route(request);
    return answer(response, result.status, result.type, result.body);
  }
  if (path !== '/webhooks/gitlab' || request.method !== 'POST') {
    return answer(response, 404, 'application/json', '{"message":"Not Found"}');
  }
  const body = await readBody(request);
  if (body === undefined)
    return answer(response, 413, 'application/json', '{"message":"Request Entity Too Large"}');
  const result = await webhook(toEvent(request, path, body), undefined as never);
  answer(response, result.statusCode ?? 200, 'application/json', result.body ?? '');
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => ok(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', fail);
  });
}

function toEvent(request: IncomingMessage, path: string, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = String(value);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

function answer(response: ServerResponse, status: number, type: string, body: string) {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': type });
  response.end(body);
}

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { OfflineFunction } from './offline-deployment.js';
import type { CloudFormationTemplate } from './package-service.js';

/** An HTTP API stand-in: the template's routes (`POST /webhooks/gitlab`) → payload v2.0 events. */
export async function startHttpApi(
  template: CloudFormationTemplate,
  functions: Record<string, OfflineFunction>,
) {
  const resources = template.Resources;
  const routes = new Map<string, string>();
  for (const r of Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')) {
    const integrationId = String(r.Properties?.Target?.['Fn::Join']?.[1]?.[1]?.Ref ?? '');
    const uri = resources[integrationId]?.Properties?.IntegrationUri;
    const fn = String(uri?.['Fn::GetAtt']?.[0] ?? '');
    routes.set(String(r.Properties?.RouteKey), fn);
  }
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const routeKey = `${req.method} ${path}`;
    const fn = functions[routes.get(routeKey) ?? ''];
    if (!fn) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
    );
    const body = Buffer.concat(chunks);
    // HTTP API passes text bodies as they are and base64-encodes the others.
    const text = /json|text|xml|form-urlencoded/.test(headers['content-type'] ?? '');
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: (req.url ?? '').split('?')[1] ?? '',
      headers,
      body: body.toString(text ? 'utf8' : 'base64'),
      isBase64Encoded: !text,
      requestContext: {
        accountId: '000000000000',
        apiId: 'offline',
        domainName: String(req.headers.host),
        domainPrefix: 'offline',
        http: {
          method: String(req.method),
          path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
    };
    try {
      const result = await fn.invoke(event);
      res.writeHead(result.statusCode ?? 200, result.headers ?? {}).end(result.body ?? '');
    } catch {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

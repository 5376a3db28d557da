import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, collectParams, Params } from './http.js';
import type { Route, RouteResult, Services } from './routing.js';
import type { UserRecord } from './store.js';
import type { GitLabRecordedRequest, GitLabStandInOptions } from './types.js';

/** GitLab.com's authenticated API throttle, shown in the `RateLimit-*` headers (not enforced). */
const RATE_LIMIT_PER_MINUTE = 2000;
const API_PREFIX = '/api/v4/';

interface ParsedBody {
  value: unknown;
  params: Map<string, unknown>;
}

function parseBody(contentType: string | undefined, raw: string): ParsedBody {
  if (raw === '') return { value: undefined, params: new Map() };
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(raw);
    const params = collectParams(form);
    return { value: Object.fromEntries(params), params };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    if (contentType?.includes('json'))
      throw new ApiError(400, { error: 'The request body is not valid JSON' });
    return { value: raw, params: new Map() };
  }
  const params = new Map<string, unknown>();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) params.set(k.endsWith('[]') ? k.slice(0, -2) : k, v);
  }
  return { value, params };
}

function flatQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The URL as the client addressed it (its `Host` is used in `Link` headers). */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  } catch {
    return new URL('http://127.0.0.1/');
  }
}

async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The REST front door: records, delays, intercepts, authenticates, routes and answers. */
export class RestFront {
  private readonly hanging = new Set<ServerResponse>();
  private readonly windows = new Map<number, { start: number; count: number }>();

  constructor(
    private readonly services: Services,
    private readonly routes: Route[],
    private readonly options: GitLabStandInOptions,
    private readonly record: (req: GitLabRecordedRequest) => void,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const rawPath = url.pathname.startsWith(API_PREFIX)
      ? url.pathname.slice(API_PREFIX.length)
      : url.pathname.slice(1);
    const user = this.authenticate(req, url);
    const recorded: GitLabRecordedRequest = {
      method: req.method ?? 'GET',
      path: safeDecode(rawPath),
      query: flatQuery(url),
      body: undefined,
      ...(user ? { userId: user.id } : {}),
    };
    this.record(recorded);
    let result: RouteResult;
    try {
      const body = parseBody(req.headers['content-type'], await readRaw(req));
      recorded.body = body.value;
      if (this.options.latencyMs) await delay(this.options.latencyMs);
      const canned = this.options.intercept?.(recorded);
      if (canned === 'timeout') {
        this.hanging.add(res);
        return;
      }
      result = canned ?? this.dispatch(req, url, rawPath, user, body.params);
    } catch (err) {
      if (!(err instanceof ApiError)) console.error('gitlab stand-in: internal error', err);
      result =
        err instanceof ApiError ? err : { status: 500, body: { message: '500 Internal Server Error' } };
    }
    recorded.status = result.status;
    this.send(res, result, user);
  }

  /** Ends the requests an `intercept` chose never to answer. */
  releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  private authenticate(req: IncomingMessage, url: URL): UserRecord | undefined {
    const header = req.headers['private-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token =
      (Array.isArray(header) ? header[0] : header) ??
      bearer ??
      url.searchParams.get('private_token') ??
      url.searchParams.get('access_token');
    return token ? this.services.store.userByToken(token.trim()) : undefined;
  }

  private dispatch(
    req: IncomingMessage,
    url: URL,
    rawPath: string,
    user: UserRecord | undefined,
    bodyParams: Map<string, unknown>,
  ): RouteResult {
    if (!url.pathname.startsWith(API_PREFIX)) return { status: 404, body: { error: '404 Not Found' } };
    if (!user) return { status: 401, body: { message: '401 Unauthorized' } };
    const candidates = this.routes
      .map((r) => ({ r, m: r.pattern.exec(rawPath) }))
      .filter((c): c is { r: Route; m: RegExpExecArray } => c.m !== null);
    const hit = candidates.find((c) => c.r.method === req.method);
    if (!hit) {
      return candidates.length > 0
        ? { status: 405, body: { error: '405 Not Allowed' } }
        : { status: 404, body: { error: '404 Not Found' } };
    }
    const params = collectParams(url.searchParams);
    for (const [k, v] of bodyParams) params.set(k, v);
    const eventUuid = req.headers['x-gitlab-event-uuid'];
    const actor = { user, eventUuid: typeof eventUuid === 'string' ? eventUuid : undefined };
    return hit.r.handle({ services: this.services, actor, params: new Params(params), url }, [...hit.m]);
  }

  private rateLimitHeaders(user: UserRecord | undefined): Record<string, string> {
    if (!user) return {};
    const now = Date.now();
    const start = now - (now % 60_000);
    const window = this.windows.get(user.id);
    const current = window && window.start === start ? window : { start, count: 0 };
    current.count += 1;
    this.windows.set(user.id, current);
    return {
      'RateLimit-Name': 'throttle_authenticated_api',
      'RateLimit-Limit': String(RATE_LIMIT_PER_MINUTE),
      'RateLimit-Observed': String(current.count),
      'RateLimit-Remaining': String(Math.max(RATE_LIMIT_PER_MINUTE - current.count, 0)),
      'RateLimit-Reset': String(Math.floor((start + 60_000) / 1000)),
    };
  }

  private send(res: ServerResponse, result: RouteResult, user: UserRecord | undefined): void {
    const textual = typeof result.body === 'string';
    const headers: Record<string, string> = {
      'Content-Type': textual ? 'text/plain' : 'application/json',
      'Cache-Control': 'max-age=0, private, must-revalidate',
      'X-Request-Id': randomUUID().replaceAll('-', '').slice(0, 26),
      'X-Content-Type-Options': 'nosniff',
      ...this.rateLimitHeaders(user),
      ...result.headers,
    };
    const payload =
      result.status === 204 || result.body === undefined
        ? ''
        : textual
          ? String(result.body)
          : JSON.stringify(result.body);
    res.writeHead(result.status, headers);
    res.end(payload);
  }
}

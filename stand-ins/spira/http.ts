import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Path prefix of the v7.0 REST service. */
export const BASE_PATH = '/Services/v7_0/RestService.svc/';

/** Login + API key presented by a caller. */
export interface Credentials {
  userName: string;
  apiKey: string;
}

/** A response to write: status, optional JSON body (undefined = empty) or raw `text`, and extra headers. */
export interface Answer {
  status: number;
  body?: unknown;
  /** A body that is not JSON (an IIS or proxy page), sent as is with `text/html` unless headers say otherwise. */
  text?: string;
  headers?: Record<string, string>;
}

/**
 * Spira's JSON formatter (NewtonsoftJsonDispatchFormatter) reads the request's Content-Type whenever an
 * Accept header without XML is present: with Accept and no Content-Type it dereferences null after the
 * operation ran, and the call fails with a server error (docs/spira-api.md §0a.1).
 */
export function formatterFails(headers: IncomingHttpHeaders): boolean {
  const accept = single(headers.accept);
  if (accept === undefined) return false;
  if (/application\/xml|text\/xml/i.test(accept)) return false;
  return single(headers['content-type']) === undefined;
}

/** What IIS answers when the formatter throws: a 500 page, not JSON. */
export const FORMATTER_FAILURE: Answer = {
  status: 500,
  text: '<html><head><title>Request Error</title></head><body><p>The server encountered an error processing the request. Object reference not set to an instance of an object.</p></body></html>',
};

/** A request body: parsed JSON, or the raw text when it is not JSON. */
export interface ParsedBody {
  value: unknown;
  malformed: boolean;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Credentials in the order Spira's RestServiceAuthorizationManager checks them: HTTP Basic
 * `username:apikey`, then the `username` + `api-key` headers, then the same names in the query.
 */
export function readCredentials(
  headers: IncomingHttpHeaders,
  query: Record<string, string>,
): Credentials | undefined {
  const auth = single(headers.authorization);
  if (auth && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    return at < 0
      ? { userName: decoded, apiKey: '' }
      : { userName: decoded.slice(0, at), apiKey: decoded.slice(at + 1) };
  }
  const headerUser = single(headers.username);
  const headerKey = single(headers['api-key']);
  if (headerUser !== undefined && headerKey !== undefined) return { userName: headerUser, apiKey: headerKey };
  const queryUser = query.username;
  const queryKey = query['api-key'];
  if (queryUser !== undefined && queryKey !== undefined) return { userName: queryUser, apiKey: queryKey };
  return undefined;
}

/** Reads the whole body as UTF-8 (a leading BOM is tolerated). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

/** Parses a JSON body; empty text is "no body". */
export function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { value: undefined, malformed: false };
  try {
    return { value: JSON.parse(text) as unknown, malformed: false };
  } catch {
    return { value: text, malformed: true };
  }
}

/** Writes an answer: JSON as UTF-8 without BOM, or an empty body. */
export function writeAnswer(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string | number> = { ...answer.headers };
  if (answer.text !== undefined) {
    const payload = Buffer.from(answer.text, 'utf8');
    res.writeHead(answer.status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': payload.length,
      ...headers,
    });
    res.end(payload);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, { ...headers, 'Content-Length': 0 });
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(answer.body), 'utf8');
  res.writeHead(answer.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': payload.length,
    ...headers,
  });
  res.end(payload);
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDomainError } from '../../lib/connectors/http-errors.js';
import { RemoteRetryableError } from '../../lib/domain/errors.js';

describe('toDomainError', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // Like GitLab: every answer carries RateLimit-Reset (epoch seconds of the window's end, here a minute away).
    server = createServer((req, res) => {
      const status = Number(req.url?.slice(1));
      res.writeHead(status, { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failWith = (status: number) =>
    got(`${base}/${status}`, { retry: { limit: 0 } }).then(
      () => expect.fail('the request should fail'),
      (error: unknown) => toDomainError('gitlab', 'probe', error),
    );

  it('keeps no request header (credentials) in the error, however deeply it is printed', async () => {
    const error = await got(`${base}/401`, {
      retry: { limit: 0 },
      headers: { 'private-token': 'glpat-secret-in-header' },
    }).then(
      () => expect.fail('the request should fail'),
      (e: unknown) => toDomainError('gitlab', 'probe', e),
    );
    expect(inspect(error, { depth: 20, showHidden: true })).toContain('HTTP 401');
    expect(inspect(error, { depth: 20, showHidden: true })).not.toContain('glpat-secret-in-header');
  });

  it('waits for RateLimit-Reset on a 429 only, not on a 500 that happens to carry it', async () => {
    const limited = await failWith(429);
    const broken = await failWith(500);
    expect(limited).toBeInstanceOf(RemoteRetryableError);
    expect((limited as RemoteRetryableError).retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(broken).toBeInstanceOf(RemoteRetryableError);
    expect((broken as RemoteRetryableError).retryAfterSeconds).toBeUndefined();
  });
});

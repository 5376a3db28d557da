import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDomainError } from '../../lib/connectors/http-errors.js';
import { spiraDomainError } from '../../lib/connectors/spira/spira-errors.js';
import { RemoteNotFoundError, RemotePermanentError, RemoteRetryableError } from '../../lib/domain/errors.js';

const HTML = '<!DOCTYPE html><html><body><h2>404 - File or directory not found.</h2></body></html>';
const json = (value: unknown) => JSON.stringify(value);

/** status, body, the class Spira's classification gives, and the one the shared (GitLab) rules give. */
const TABLE: [string, number, string, string, string][] = [
  ['real not found', 404, json('Unable to locate requested incident'), 'not-found', 'not-found'],
  ['IIS HTML 404', 404, HTML, 'retry', 'not-found'],
  ['empty 404', 404, '', 'retry', 'not-found'],
  ['SQL timeout 400', 400, json('SqlException: Execution Timeout Expired.'), 'retry', 'permanent'],
  ['deadlock 400', 400, json('Transaction was deadlocked on lock resources'), 'retry', 'permanent'],
  ['EF 400', 400, json('EntityCommandExecutionException: An error occurred'), 'retry', 'permanent'],
  [
    'TimeoutException 400',
    400,
    json('System.TimeoutException: The operation timed out'),
    'retry',
    'permanent',
  ],
  [
    'Validation Fault 400',
    400,
    json({ Summary: 'Validation Fault', Messages: [] }),
    'permanent',
    'permanent',
  ],
  [
    'other exception 400',
    400,
    json('Object reference not set to an instance of an object.'),
    'permanent',
    'permanent',
  ],
  [
    'licence 401',
    401,
    json('LicenseViolationException: concurrent users exceed the license'),
    'retry',
    'permanent',
  ],
  ['licence 403', 403, json('The number of concurrent licences is used up'), 'retry', 'permanent'],
  ['bad credentials 401', 401, json('Access is denied.'), 'permanent', 'permanent'],
  ['HTML 401', 401, '<html>Unauthorized</html>', 'permanent', 'permanent'],
  ['proxy HTML 403', 403, '<html>Forbidden by policy</html>', 'retry', 'permanent'],
  ['not a member 401', 401, json("You are not a member of product '5'."), 'permanent', 'permanent'],
  [
    'bad parameter 406',
    406,
    json("The passed in 'start_row' needs to be an integer"),
    'permanent',
    'permanent',
  ],
  ['server error 500', 500, HTML, 'retry', 'retry'],
];

function kindOf(error: Error): string {
  if (error instanceof RemoteNotFoundError) return 'not-found';
  if (error instanceof RemotePermanentError) return 'permanent';
  if (error instanceof RemoteRetryableError) return 'retry';
  return error.name;
}

describe('Spira errors are classified by body as well as status (GitLab unchanged)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const [, status, body] = TABLE[Number(req.url?.slice(1))] ?? ['', 500, ''];
      res.writeHead(status, { 'content-type': body.startsWith('<') ? 'text/html' : 'application/json' });
      res.end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  for (const [index, [name, status, , spira, shared]] of TABLE.entries()) {
    it(`${name} (${status}): Spira → ${spira}, GitLab → ${shared}`, async () => {
      const error = await got(`${base}/${index}`, { retry: { limit: 0 } }).then(
        () => expect.fail('the request should fail'),
        (e: unknown) => e,
      );
      expect(kindOf(spiraDomainError('GET probe', error))).toBe(spira);
      expect(kindOf(toDomainError('gitlab', 'GET probe', error))).toBe(shared);
    });
  }
});

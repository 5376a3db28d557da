import { inspect } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretValues } from '../../lib/config/secrets.js';
import { DEMO_AMY_API_KEY } from '../../lib/local/demo.js';
import type { Log } from '../../lib/ports/sync-ports.js';
import { type Harness, recordingLog, startHarness } from '../helpers/sync-harness.js';

/** Every form in which a secret could show up in a line: as is, any case, URL-encoded (once or twice), base64. */
function disguisesOf(secret: string): string[] {
  const once = encodeURIComponent(secret);
  const forms = [secret, once, encodeURIComponent(once), Buffer.from(secret).toString('base64')];
  // A Spira API key is a GUID in braces: the GUID alone is just as secret.
  const guid = /^\{([0-9a-f-]{36})\}$/i.exec(secret)?.[1];
  if (guid) forms.push(guid);
  return forms.map((form) => form.toLowerCase());
}

/** Credentials in URLs or headers, whatever their value: `api-key=…`, `private_token=…`, `PRIVATE-TOKEN: …`. */
const CREDENTIAL_FIELD =
  /(?:api[-_]?key|private[-_]token|access[-_]token|x-gitlab-token|authorization)["']?\s*[:=]\s*["']?(?!\*|\[redacted)[^\s"'&,;}]{4,}|\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Lines that hold one of the secrets in any disguise, or any credential-looking field. */
function findSecrets(lines: readonly string[], secrets: readonly string[]): string[] {
  const needles = secrets.flatMap(disguisesOf);
  return lines.filter((line) => {
    const lower = line.toLowerCase();
    return needles.some((needle) => lower.includes(needle)) || CREDENTIAL_FIELD.test(line);
  });
}

/** Every line written to stdout, stderr or the console until `restore()` (swallowed, not printed). */
function captureOutput() {
  const lines: string[] = [];
  const keep = (chunk: unknown) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) stream.write = keep as typeof stream.write;
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((name) => console[name]);
  for (const name of methods) console[name] = (...args: unknown[]) => keep(args.map(show).join(' '));
  return {
    lines,
    restore: () => {
      streams.forEach((stream, i) => {
        stream.write = writes[i] as typeof stream.write;
      });
      methods.forEach((name, i) => {
        console[name] = originals[i] as (typeof console)[typeof name];
      });
    },
  };
}

/** Deep, like `console.log` would print it: an object logged later in full is scanned in full. */
function show(value: unknown): string {
  return typeof value === 'string'
    ? value
    : inspect(value, { depth: 10, breakLength: Number.POSITIVE_INFINITY });
}

/**
 * What the Lambda Node.js runtime prints for an error a handler throws (its `toFormatted`): name, message,
 * code and stack plus every own enumerable property, nested errors included.
 */
function asLambdaPrintsIt(error: unknown): string {
  return JSON.stringify(error, (_key, value: unknown) =>
    value instanceof Error
      ? {
          errorType: value.name,
          errorMessage: value.message,
          code: (value as { code?: unknown }).code,
          ...value,
          stack: value.stack?.split('\n'),
        }
      : value,
  );
}

describe('the secret scanner', () => {
  const secret = '{7A05FD06-83C3-4436-B37F-51BCF0060483}';

  it('finds a planted secret however it is written', () => {
    const planted = [
      `GET /incidents?username=syncbot&api-key=${encodeURIComponent(secret)}`,
      `retrying with key ${secret.toLowerCase()}`,
      `{"headers":{"x-key":"${secret.toUpperCase()}"}}`,
      `guid ${secret.slice(1, -1)}`,
      `double ${encodeURIComponent(encodeURIComponent(secret))}`,
    ];

    expect(findSecrets(planted, [secret])).toEqual(planted);
  });

  it('finds credential fields whatever their value, and passes clean or redacted lines', () => {
    const leaks = [
      'GET https://gitlab.example/api/v4/projects?private_token=glpat-unknownvalue',
      '{"PRIVATE-TOKEN":"glpat-unknownvalue"}',
      'fetch https://syncbot:hunter22@spira.example/Services',
    ];
    const clean = [
      'applied {"messageId":"m-1","kind":"gitlab-issue","action":"created"}',
      '{"api-key":"***"}',
      'spira POST new incident: HTTP 401 Authentication failed',
    ];

    expect(findSecrets([...leaks, ...clean], [secret])).toEqual(leaks);
  });
});

describe('no secret reaches a log line during a full two-way sync with failures', () => {
  let h: Harness;
  let output: ReturnType<typeof captureOutput>;
  const recorded = recordingLog();
  const thrown: string[] = [];
  const faults = {
    spiraCreate: 'Secret denied',
    failNextComment: false,
    failNextNote: false,
    failNextSearch: false,
  };
  const once = (flag: 'failNextComment' | 'failNextNote' | 'failNextSearch', matches: boolean) => {
    if (!faults[flag] || !matches) return false;
    faults[flag] = false;
    return true;
  };
  const denied = { status: 401, body: 'Authentication failed: the API key is not valid' };

  beforeAll(async () => {
    output = captureOutput();
    // Production writes through Powertools Logger (JSON on stdout): each line goes there too.
    const powertools = new Logger({ serviceName: 'spira-gitlab-sync' });
    const both =
      (level: keyof Log) =>
      (message: string, extra?: Record<string, unknown>): void => {
        recorded.log[level](message, extra);
        powertools[level](message, extra ?? {});
      };
    const tee: Log = { info: both('info'), warn: both('warn'), error: both('error') };
    h = await startHarness({
      log: tee,
      spira: {
        intercept: (req) => {
          const name = (req.body as { Name?: unknown } | undefined)?.Name;
          if (req.method === 'POST' && req.path.endsWith('/incidents') && name === faults.spiraCreate)
            return denied;
          if (once('failNextSearch', req.path.endsWith('/incidents/search'))) return denied;
          if (once('failNextComment', req.method === 'POST' && req.path.endsWith('/comments')))
            return { status: 500, body: 'Internal Server Error' };
          return undefined;
        },
      },
      gitlab: {
        intercept: (req) =>
          once('failNextNote', req.method === 'POST' && req.path.endsWith('/notes'))
            ? { status: 401, body: { message: '401 Unauthorized' } }
            : undefined,
      },
    });
    await h.local.pollNow(); // the first poll only records Spira's clock
  });
  afterAll(async () => {
    output?.restore();
    await h?.stop();
  });

  const gpid = () => h.world.gitlabProjectId;
  const pid = () => h.world.spiraProjectId;
  const cycle = async () => {
    h.spira.advanceClock(1_000);
    await h.local.pollNow();
    await h.settle();
  };

  it('logs a substantial trail of both directions and their failures, none of it secret', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Secret A',
      description: 'from **GitLab**',
    });
    await h.settle();
    faults.failNextComment = true; // Spira answers 500 to the comment: retried through the queue
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { title: 'Secret A2' });
    await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${issue.iid}/notes`, { body: 'a note' });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, { Name: 'Secret B' });
    await cycle();
    h.spira.updateIncident(pid(), incident.IncidentId, h.world.spira.amy, { Name: 'Secret B2' });
    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.amy, '<p>a comment</p>');
    faults.failNextNote = true; // GitLab answers 401 to the note: parked
    await cycle();
    await cycle();
    await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: faults.spiraCreate }); // Spira 401: parked
    await h.settle();
    const hook = { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook' };
    const badToken = await h.deliver({ ...hook, 'x-gitlab-token': 'not-the-secret' }, '{}');
    const noToken = await h.deliver(hook, '{}');
    faults.failNextSearch = true; // Spira answers 401 to the poller's search: the function fails
    h.spira.advanceClock(1_000);
    await h.local.pollNow().catch((error: unknown) => void thrown.push(asLambdaPrintsIt(error)));

    const lines = [
      ...recorded.lines.map((l) => `${l.level} ${l.message} ${show(l.extra ?? {})}`),
      ...output.lines,
      ...thrown,
    ];
    const errors = (message: string) =>
      recorded.lines.filter((l) => l.message === message).map((l) => String(l.extra?.error));
    expect(h.spira.incidents(pid()).map((i) => i.Name)).toContain('Secret A2');
    expect(h.gitlab.issues(gpid()).map((i) => i.title)).toContain('Secret B2');
    expect([badToken.status, noToken.status]).toEqual([401, 401]);
    expect(recorded.lines.map((l) => l.message)).toEqual(expect.arrayContaining(['applied', 'polled Spira']));
    expect(errors('will retry')).toEqual([expect.stringContaining('spira POST new comment: HTTP 500')]);
    expect(errors('parked').sort()).toEqual([
      expect.stringContaining('gitlab POST new note: HTTP 401'),
      expect.stringContaining('spira POST new incident: HTTP 401'),
    ]);
    expect(thrown).toEqual([expect.stringContaining('HTTP 401')]);
    expect(output.lines.length).toBeGreaterThanOrEqual(recorded.lines.length);
    expect(lines.length).toBeGreaterThan(30);
    const secrets = [
      ...secretValues(h.world.config),
      ...Object.values(h.world.gitlab).map((user) => user.token),
      DEMO_AMY_API_KEY,
    ];
    expect(findSecrets(lines, secrets)).toEqual([]);
  });
});

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../lib/handlers/webhook-handler.js';
import { type Harness, startHarness } from '../helpers/sync-harness.js';
import {
  type Expected,
  expectedAnswer,
  type FuzzCase,
  type FuzzMode,
  type FuzzWorld,
  fuzzCaseArb,
  RECOGNISED,
  type Seed,
} from './webhook-fuzz-cases.js';

const HANDLER_RUNS = 1_000;
const HTTP_RUNS = 300;

interface Answer {
  status: number;
  type: string | undefined;
  text: string;
}

describe('the webhook receiver under property-based fuzzing (CONTRACT §3)', () => {
  let h: Harness;
  let world: FuzzWorld;
  let handler: ReturnType<typeof createWebhookHandler>;
  /** Commands the receiver put on the queue. */
  let queued = 0;
  /** Unusable deliveries the receiver recorded for `audit` / `status`. */
  let recorded = 0;
  /** Delivery keys the receiver accepted (202) so far: a repeat must be answered 200 `duplicate`. */
  const accepted = new Set<string>();
  const tally = new Map<string, number>();

  beforeAll(async () => {
    // Real deliveries from the GitLab stand-in are the seeds: an issue, an edit, a close, a note, a milestone.
    h = await startHarness();
    const gpid = h.world.gitlabProjectId;
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
      title: 'Fuzz seed',
      description: 'Seed *description*',
    });
    await h.gitlabAs('joe', 'POST', `projects/${gpid}/issues/${issue.iid}/notes`, { body: 'A seed note' });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/issues/${issue.iid}`, { state_event: 'close' });
    await h.gitlabAs('fred', 'POST', `projects/${gpid}/milestones`, { title: 'Seed milestone' });
    await h.settle();
    const seeds: Seed[] = h.gitlab.deliveries
      .filter((d) => RECOGNISED.includes(d.event))
      .map((d) => ({ kind: kindOf(d.event), event: d.event, body: d.body as Record<string, unknown> }));
    expect(new Set(seeds.map((s) => s.kind))).toEqual(new Set(['issue', 'note', 'milestone']));
    world = { secret: h.world.webhookSecret, projectPath: h.world.gitlabPath, seeds };
    handler = createWebhookHandler(async () => h.local.runtime);
    const queue = h.local.runtime.ingest.queue;
    h.local.runtime.ingest.queue = {
      ...queue,
      send: async (command, deduplicationId) => {
        queued++;
        await queue.send(command, deduplicationId);
      },
    };
    const audit = h.local.runtime.ingest.audit;
    h.local.runtime.ingest.audit = {
      record: async (key, project, entry) => {
        recorded++;
        await audit.record(key, project, entry);
      },
    };
  }, 60_000);
  afterAll(async () => {
    console.log(`webhook fuzzing: ${HANDLER_RUNS + HTTP_RUNS} cases\n${table(tally)}`);
    await h?.stop();
  });

  const viaHandler = async (c: FuzzCase): Promise<Answer> => {
    const result = (await handler(apiGatewayEvent(c), {} as Context)) as APIGatewayProxyStructuredResultV2;
    const type = result.headers?.['content-type'];
    return { status: result.statusCode ?? 200, type: String(type), text: result.body ?? '' };
  };
  const viaHttp = async (c: FuzzCase): Promise<Answer> => {
    const response = await fetch(`${h.local.url}/webhooks/gitlab`, {
      method: 'POST',
      headers: c.headers,
      body: c.body,
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? undefined,
      text: await response.text(),
    };
  };

  /** Sends one case and checks the answer against the oracle, the queue and the duplicate memory. */
  const check = async (mode: FuzzMode, c: FuzzCase) => {
    const expected = expectedAnswer(world, c, mode);
    const before = queued;
    const recordedBefore = recorded;
    const answer = await (mode === 'http' ? viaHttp(c) : viaHandler(c));
    const count = `${mode} ${c.label} → ${answer.status}`;
    tally.set(count, (tally.get(count) ?? 0) + 1);
    expect(answer.status, 'never a 5xx').toBeLessThan(500);
    expect(answer.type).toBe('application/json');
    const json = JSON.parse(answer.text) as Record<string, unknown>;
    assertAnswer(expected, answer.status, json, accepted);
    expect(queued - before, 'queued exactly when answered 202').toBe(answer.status === 202 ? 1 : 0);
    if ('unusable' in expected) expect(recorded - recordedBefore, 'an unusable delivery is recorded').toBe(1);
    if (answer.status !== 200 || !('problems' in json))
      expect(recorded - recordedBefore, 'only unusable deliveries are recorded').toBe(0);
  };

  it(`answers ${HANDLER_RUNS.toLocaleString('en')} fuzzed API Gateway events per CONTRACT §3, never with a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCaseArb(world, 'handler'), (c) => check('handler', c)),
      { numRuns: HANDLER_RUNS },
    );
  }, 300_000);

  it(`answers ${HTTP_RUNS} fuzzed requests over the local HTTP endpoint the same way, health intact throughout`, async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCaseArb(world, 'http'), async (c) => {
        await check('http', c);
        if (++sent % 50 === 0) expect((await fetch(`${h.local.url}/health`)).status).toBe(200);
      }),
      { numRuns: HTTP_RUNS },
    );
    const health = await fetch(`${h.local.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
  }, 300_000);

  it('answers 413 to a body over 10 MiB (after the token check in the handler; before it over HTTP)', async () => {
    const huge = `{"object_kind":"issue","x":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const authentic = { 'x-gitlab-token': world.secret, 'x-gitlab-event': 'Issue Hook' };
    const cases = [
      await viaHandler({
        label: '',
        headers: authentic,
        body: huge,
        base64: false,
        bodyExpectation: { kind: 'valid' },
      }),
      await viaHandler({
        label: '',
        headers: { 'x-gitlab-event': 'Issue Hook' },
        body: huge,
        base64: false,
        bodyExpectation: { kind: 'valid' },
      }),
      await viaHttp({
        label: '',
        headers: authentic,
        body: huge,
        base64: false,
        bodyExpectation: { kind: 'valid' },
      }),
    ];
    expect(cases.map((c) => c.status)).toEqual([413, 401, 413]);
    expect((await fetch(`${h.local.url}/health`)).status).toBe(200);
  }, 60_000);

  it('answers 2xx to a long Idempotency-Key (GitLab sends UUIDs, but the header is the sender’s)', async () => {
    const body = JSON.stringify(world.seeds.find((s) => s.kind === 'issue')?.body);
    const answers = [];
    for (const length of [1_000, 2_100, 5_000, 64_000]) {
      answers.push(
        (
          await viaHandler({
            label: '',
            headers: {
              'x-gitlab-token': world.secret,
              'x-gitlab-event': 'Issue Hook',
              'idempotency-key': 'k'.repeat(length),
            },
            body,
            base64: false,
            bodyExpectation: { kind: 'valid' },
          })
        ).status,
      );
    }
    expect(answers).toEqual([202, 202, 202, 202]);
  });
});

/** Checks one answer against the oracle; a valid delivery is 202 the first time and 200 `duplicate` after. */
function assertAnswer(
  expected: Expected,
  status: number,
  json: Record<string, unknown>,
  accepted: Set<string>,
) {
  if ('deliveryKey' in expected) {
    if (accepted.has(expected.deliveryKey)) {
      expect({ status, json }).toEqual({ status: 200, json: { duplicate: true } });
    } else {
      expect(status).toBe(202);
      expect(json.queued).toMatch(/^gitlab\.(issue|note|milestone)$/);
      accepted.add(expected.deliveryKey);
    }
    return;
  }
  if ('ignoredOrUnusable' in expected) {
    expect(status).toBe(200);
    expect(typeof json.ignored).toBe('string');
    return;
  }
  expect(status).toBe(expected.status);
  if ('ignored' in expected) {
    expect(typeof json.ignored).toBe('string');
    expect(json.problems, 'not for us: nothing to record').toBeUndefined();
  } else if ('unusable' in expected) {
    // For our project but lacking a field the sync reads: 2xx (never 4xx), the field's path named.
    expect(typeof json.ignored).toBe('string');
    expect(json.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${escapeRegExp(expected.unusable)}: `))]),
    );
  } else expect(typeof json.error).toBe('string');
}

function apiGatewayEvent(c: FuzzCase): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/gitlab',
    rawPath: '/webhooks/gitlab',
    rawQueryString: '',
    headers: c.headers,
    body: c.base64 ? Buffer.from(c.body, 'utf8').toString('base64') : c.body,
    isBase64Encoded: c.base64,
  } as APIGatewayProxyEventV2;
}

function kindOf(event: string): Seed['kind'] {
  return event.includes('Issue') ? 'issue' : event.includes('Note') ? 'note' : 'milestone';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function table(tally: Map<string, number>): string {
  return [...tally.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([what, n]) => `${String(n).padStart(5)}  ${what}`)
    .join('\n');
}

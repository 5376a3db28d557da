import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabIssueLike, GitLabStandIn } from '../gitlab/index.js';
import { extractQuickActions, findMentions } from '../gitlab/markdown.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook and REST bodies are asserted field by field.
type Json = any;

interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: Json }[];
  status: number;
  close(): Promise<void>;
}

/** A tiny webhook receiver that records what it gets and answers `receiver.status`. */
async function startReceiver(): Promise<Receiver> {
  const receiver = { received: [], status: 200 } as unknown as Receiver;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    receiver.received.push({
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    res.writeHead(receiver.status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

const HOOK_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/;
const REST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let gl: GitLabStandIn;
let receiver: Receiver;
let alice: { id: number; token: string };
let bob: { id: number; token: string };
let projectId: number;
let hookId: number;

async function call(token: string | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = token ? { 'PRIVATE-TOKEN': token } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${gl.baseUrl}/api/v4/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
}

const asAlice = (method: string, path: string, body?: unknown) => call(alice.token, method, path, body);

async function createIssue(fields: Record<string, unknown>): Promise<GitLabIssueLike> {
  const res = await asAlice('POST', `projects/${projectId}/issues`, fields);
  expect(res.status).toBe(201);
  return res.body;
}

/** Deliveries after `settle()`, as the receiver saw them. */
async function delivered(): Promise<Json[]> {
  await gl.settle();
  return receiver.received.map((r) => r.body);
}

beforeEach(async () => {
  gl = await GitLabStandIn.start({ instanceUrl: 'https://gitlab.example.com' });
  receiver = await startReceiver();
  alice = gl.addUser({ username: 'alice', name: 'Alice Liddell', email: 'alice@example.com' });
  bob = gl.addUser({ username: 'bob', name: 'Bob Builder' });
  projectId = gl.addProject({ namespace: 'acme', path: 'web', memberUserIds: [alice.id, bob.id] }).id;
  hookId = gl.addHook(projectId, {
    url: receiver.url,
    token: 's3cret',
    issues_events: true,
    note_events: true,
    milestone_events: true,
  });
});

afterEach(async () => {
  await gl.stop();
  await receiver.close();
});

describe('authentication', () => {
  it('answers 401 without a token or with a bad one, and 404 to non-members', async () => {
    expect(await call(undefined, 'GET', 'user')).toMatchObject({
      status: 401,
      body: { message: '401 Unauthorized' },
    });
    expect((await call('glpat-wrong', 'GET', `projects/${projectId}/issues`)).status).toBe(401);
    const bearer = await fetch(`${gl.baseUrl}/api/v4/user`, {
      headers: { Authorization: `Bearer ${bob.token}` },
    });
    expect(((await bearer.json()) as Json).username).toBe('bob');
    const carol = gl.addUser({ username: 'carol', name: 'Carol' });
    const res = await call(carol.token, 'GET', `projects/${encodeURIComponent('acme/web')}`);
    expect(res).toMatchObject({ status: 404, body: { message: '404 Project Not Found' } });
    expect((await asAlice('GET', `projects/${encodeURIComponent('acme/web')}`)).body.id).toBe(projectId);
    expect(gl.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: 'projects/acme/web',
      userId: alice.id,
      status: 200,
    });
  });
});

describe('issues and Issue Hooks', () => {
  it('creates an issue and delivers an open hook with real headers and UTC timestamps', async () => {
    const issue = await createIssue({ title: 'Login fails', description: 'Steps', labels: 'bug,ui' });
    expect(issue).toMatchObject({
      iid: 1,
      state: 'opened',
      type: 'ISSUE',
      labels: ['bug', 'ui'],
      author: { id: alice.id },
    });
    expect(issue.id).not.toBe(issue.iid);
    expect(issue.created_at).toMatch(REST_TIME);
    const [hook] = await delivered();
    const headers: IncomingHttpHeaders = receiver.received[0]?.headers ?? {};
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'GitLab/18.6.0',
      'x-gitlab-event': 'Issue Hook',
      'x-gitlab-token': 's3cret',
      'x-gitlab-instance': 'https://gitlab.example.com',
    });
    for (const name of ['idempotency-key', 'x-gitlab-event-uuid', 'x-gitlab-webhook-uuid']) {
      expect(headers[name]).toMatch(UUID);
    }
    expect(hook).toMatchObject({
      object_kind: 'issue',
      event_type: 'issue',
      user: { id: alice.id, username: 'alice' },
    });
    expect(hook.object_attributes).toMatchObject({ id: issue.id, iid: 1, action: 'open', state: 'opened' });
    expect(hook.object_attributes.created_at).toMatch(HOOK_TIME);
    expect(hook.object_attributes.updated_at).toMatch(HOOK_TIME);
    expect(hook.object_attributes.labels.map((l: Json) => l.title)).toEqual(['bug', 'ui']);
    expect(hook.object_attributes.url).toBe('https://gitlab.example.com/acme/web/-/issues/1');
    expect(hook.changes.title).toEqual({ previous: null, current: 'Login fails' });
    expect(hook).not.toHaveProperty('assignees');
    expect(gl.deliveries[0]).toMatchObject({ hookId, event: 'Issue Hook', status: 200 });
  });

  it('ignores state_event on create and validates the title', async () => {
    const issue = await createIssue({ title: 'Still open', state_event: 'close' });
    expect(issue.state).toBe('opened');
    expect((await delivered()).map((h) => h.object_attributes.action)).toEqual(['open']);
    const missing = await asAlice('POST', `projects/${projectId}/issues`, { description: 'x' });
    expect(missing).toMatchObject({ status: 400, body: { message: '400 (Bad request) "title" not given' } });
    expect((await asAlice('POST', `projects/${projectId}/issues`, { title: 'x'.repeat(256) })).status).toBe(
      400,
    );
  });

  it('fires close and reopen hooks and writes system notes', async () => {
    await createIssue({ title: 'A' });
    expect(
      (await asAlice('PUT', `projects/${projectId}/issues/1`, { state_event: 'close' })).body.state,
    ).toBe('closed');
    await asAlice('PUT', `projects/${projectId}/issues/1?state_event=reopen`);
    const hooks = await delivered();
    expect(hooks.map((h) => h.object_attributes.action)).toEqual(['open', 'close', 'reopen']);
    expect(hooks[1].changes.state_id).toEqual({ previous: 1, current: 2 });
    expect(hooks[1].object_attributes.closed_at).toMatch(HOOK_TIME);
    expect(gl.notes(projectId, 1).map((n) => [n.body, n.system])).toEqual([
      ['closed', true],
      ['reopened', true],
    ]);
    const events = await asAlice('GET', `projects/${projectId}/issues/1/resource_state_events`);
    expect(events.status).toBe(200);
    expect(events.body.map((e: { state: string }) => e.state)).toEqual(['closed', 'reopened']);
    expect(events.body[0]).toMatchObject({ resource_type: 'Issue', user: { username: 'alice' } });
    expect(events.body[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('fires close then update for one PUT that closes and retitles', async () => {
    await createIssue({ title: 'Old title' });
    await asAlice('PUT', `projects/${projectId}/issues/1`, { state_event: 'close', title: 'New title' });
    const hooks = await delivered();
    expect(hooks.map((h) => h.object_attributes.action)).toEqual(['open', 'close', 'update']);
    expect(hooks[2].changes.title).toEqual({ previous: 'Old title', current: 'New title' });
    expect(gl.notes(projectId, 1).map((n) => n.body)).toContain(
      'changed title from **{-Old-} title** to **{+New+} title**',
    );
  });

  it('fires an update hook for a no-op PUT and touches updated_at', async () => {
    const issue = await createIssue({ title: 'Same' });
    const res = await call(bob.token, 'PUT', `projects/${projectId}/issues/1`, { title: 'Same' });
    expect(res.body.updated_at > issue.updated_at).toBe(true);
    const update = (await delivered())[1];
    expect(update.object_attributes.action).toBe('update');
    expect(update.user.id).toBe(bob.id);
    expect(Object.keys(update.changes).sort()).toEqual(['updated_at', 'updated_by_id']);
    expect(update.changes.updated_by_id).toEqual({ previous: null, current: bob.id });
    expect((await asAlice('PUT', `projects/${projectId}/issues/1`, { foo: 1 })).status).toBe(400);
  });

  it('keeps only the first known assignee (Free tier) and unassigns with 0', async () => {
    await createIssue({ title: 'A', assignee_ids: [bob.id, alice.id] });
    expect(gl.issue(projectId, 1)?.assignees.map((a) => a.id)).toEqual([bob.id]);
    await asAlice('PUT', `projects/${projectId}/issues/1`, { assignee_ids: [999] });
    expect(gl.issue(projectId, 1)?.assignees.map((a) => a.id)).toEqual([bob.id]);
    await asAlice('PUT', `projects/${projectId}/issues/1`, { assignee_ids: [0] });
    expect(gl.issue(projectId, 1)?.assignees).toEqual([]);
    const hooks = await delivered();
    expect(hooks[0].assignees.map((a: Json) => a.username)).toEqual(['bob']);
    expect(hooks.at(-1).changes.assignees.current).toEqual([]);
  });

  it('sends confidential issues only to hooks with confidential_issues_events', async () => {
    await createIssue({ title: 'Secret', confidential: true });
    expect(await delivered()).toEqual([]);
    await asAlice('PUT', `projects/${projectId}/hooks/${hookId}`, { confidential_issues_events: true });
    await asAlice('PUT', `projects/${projectId}/issues/1`, { title: 'Still secret' });
    expect(await delivered()).toHaveLength(1);
    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Confidential Issue Hook');
  });
});

describe('quick actions and mentions', () => {
  it('executes /close from an edited description and removes the line', async () => {
    await createIssue({ title: 'A', description: 'Text\n/close' });
    expect(gl.issue(projectId, 1)).toMatchObject({ state: 'opened', description: 'Text' });
    await asAlice('PUT', `projects/${projectId}/issues/1`, {
      description: 'Text\n/close\n```\n/reopen\n```',
    });
    expect(gl.issue(projectId, 1)).toMatchObject({ state: 'closed', description: 'Text\n```\n/reopen\n```' });
    expect((await delivered()).map((h) => h.object_attributes.action)).toEqual(['open', 'close', 'update']);
  });

  it('adds existing labels with /label and ignores unknown ones', async () => {
    await createIssue({ title: 'Seed', labels: 'bug,needs review' });
    await createIssue({ title: 'B', description: 'Body\n/label ~bug ~"needs review" ~nope' });
    expect(gl.issue(projectId, 2)).toMatchObject({ labels: ['bug', 'needs review'], description: 'Body' });
    await asAlice('PUT', `projects/${projectId}/issues/2`, { description: 'Body\n/unlabel ~bug' });
    expect(gl.issue(projectId, 2)?.labels).toEqual(['needs review']);
  });

  it('records @mentions but not inside code or when escaped', async () => {
    await createIssue({ title: 'A', description: 'Ping @bob and @alice' });
    await createIssue({ title: 'B', description: 'Not `@bob`, not \\@bob, not me@bob.com\n```\n@bob\n```' });
    expect(gl.mentions).toEqual([
      { username: 'bob', by: alice.id, where: 'https://gitlab.example.com/acme/web/-/issues/1' },
    ]);
    await asAlice('PUT', `projects/${projectId}/issues/1`, { description: 'Ping @bob again' });
    expect(gl.mentions).toHaveLength(1);
  });

  it('extracts commands like GitLab and finds mentions', () => {
    expect(extractQuickActions('a\r\n/LABEL ~x\n\n/assign @bob\nb  ')).toEqual({
      content: 'a\nb',
      commands: [
        { name: 'label', arg: '~x' },
        { name: 'assign', arg: '@bob' },
      ],
    });
    expect(extractQuickActions(' /close\n>>>\n/close\n>>>').commands).toEqual([]);
    expect(findMentions('@Bob. `@x` ``@y` z`` \\\\@zed')).toEqual(['bob', 'zed']);
  });
});

describe('notes and Note Hooks', () => {
  it('delivers create and update hooks with the issue global id as noteable_id', async () => {
    const issue = await createIssue({ title: 'A' });
    const created = await call(bob.token, 'POST', `projects/${projectId}/issues/1/notes`, { body: 'Hello' });
    expect(created).toMatchObject({
      status: 201,
      body: { body: 'Hello', system: false, noteable_id: issue.id },
    });
    const path = `projects/${projectId}/issues/1/notes/${created.body.id}`;
    expect((await asAlice('PUT', path, { body: 'Hijack' })).status).toBe(403);
    await call(bob.token, 'PUT', path, { body: 'Hello' });
    await call(bob.token, 'PUT', path, { body: 'Hello, edited' });
    const notes = (await delivered()).filter((h) => h.object_kind === 'note');
    expect(notes.map((n) => n.object_attributes.action)).toEqual(['create', 'update']);
    expect(notes[0]).toMatchObject({ user: { id: bob.id }, issue: { id: issue.id, iid: 1 } });
    expect(notes[0].object_attributes).toMatchObject({
      noteable_type: 'Issue',
      noteable_id: issue.id,
      system: false,
    });
    expect(notes[0].object_attributes.url).toBe(
      `https://gitlab.example.com/acme/web/-/issues/1#note_${created.body.id}`,
    );
    expect(notes[1].object_attributes.note).toBe('Hello, edited');
    expect(receiver.received.at(-1)?.headers['x-gitlab-event']).toBe('Note Hook');
  });

  it('does not store a comment made only of quick actions but applies them', async () => {
    await createIssue({ title: 'A' });
    const res = await asAlice('POST', `projects/${projectId}/issues/1/notes`, { body: '/close' });
    expect(res).toMatchObject({ status: 202, body: { commands_changes: { state_event: 'close' } } });
    expect(gl.issue(projectId, 1)?.state).toBe('closed');
    expect(gl.notes(projectId, 1).filter((n) => !n.system)).toEqual([]);
    const hooks = await delivered();
    expect(hooks.map((h) => `${h.object_kind}:${h.object_attributes.action}`)).toEqual([
      'issue:open',
      'issue:close',
    ]);
  });

  it('lists notes newest first with system notes and pagination headers', async () => {
    await createIssue({ title: 'A' });
    for (const body of ['one', 'two', 'three'])
      await asAlice('POST', `projects/${projectId}/issues/1/notes`, { body });
    const res = await asAlice('GET', `projects/${projectId}/issues/1/notes?per_page=2`);
    expect(res.body.map((n: Json) => n.body)).toEqual(['three', 'two']);
    expect(res.headers.get('x-total')).toBe('3');
    expect(res.headers.get('x-next-page')).toBe('2');
  });
});

describe('milestones and Milestone Hooks', () => {
  it('fires create and close hooks with a top-level action and no user', async () => {
    const created = await asAlice('POST', `projects/${projectId}/milestones`, {
      title: 'v1.0',
      due_date: '2030-01-31',
    });
    expect(created).toMatchObject({
      status: 201,
      body: { title: 'v1.0', state: 'active', due_date: '2030-01-31' },
    });
    const id = created.body.id;
    await asAlice('PUT', `projects/${projectId}/milestones/${id}`, { description: 'edited' });
    await asAlice('PUT', `projects/${projectId}/milestones/${id}`, { state_event: 'close' });
    const hooks = await delivered();
    expect(hooks.map((h) => h.action)).toEqual(['create', 'close']);
    expect(hooks[0]).not.toHaveProperty('user');
    expect(hooks[0].object_attributes).not.toHaveProperty('action');
    expect(hooks[1].object_attributes).toMatchObject({ id, iid: 1, state: 'closed' });
    expect(hooks[1].object_attributes.updated_at).toMatch(HOOK_TIME);
    expect(receiver.received[0]?.headers['x-gitlab-event']).toBe('Milestone Hook');
    expect(gl.milestones(projectId)[0]).toMatchObject({ state: 'closed', description: 'edited' });
  });
});

describe('webhook delivery', () => {
  it('resends a delivery with the same Idempotency-Key and body', async () => {
    await createIssue({ title: 'A' });
    await gl.settle();
    const first = gl.deliveries[0];
    if (!first) throw new Error('no delivery');
    expect(await gl.resend(first)).toBe(200);
    const [a, b] = receiver.received;
    expect(b?.headers['idempotency-key']).toBe(a?.headers['idempotency-key']);
    expect(b?.headers['x-gitlab-webhook-uuid']).not.toBe(a?.headers['x-gitlab-webhook-uuid']);
    expect(b?.body).toEqual(a?.body);
  });

  it('disables a hook after 4 consecutive failures and drops later events', async () => {
    receiver.status = 500;
    await createIssue({ title: 'A' });
    for (const title of ['B', 'C', 'D']) await asAlice('PUT', `projects/${projectId}/issues/1`, { title });
    await gl.settle();
    const hook = (await asAlice('GET', `projects/${projectId}/hooks/${hookId}`)).body;
    expect(hook.alert_status).toBe('temporarily_disabled');
    expect(hook.disabled_until).toMatch(REST_TIME);
    receiver.status = 200;
    await asAlice('PUT', `projects/${projectId}/issues/1`, { title: 'E' });
    await gl.settle();
    expect(gl.deliveries.map((d) => d.status)).toEqual([500, 500, 500, 500]);
  });

  it('re-enables a temporarily disabled hook when its backoff ends', async () => {
    await gl.stop();
    gl = await GitLabStandIn.start({ hookBackoffMs: 100 });
    alice = gl.addUser({ username: 'alice', name: 'Alice' });
    projectId = gl.addProject({ namespace: 'acme', path: 'web' }).id;
    hookId = gl.addHook(projectId, { url: receiver.url, issues_events: true });
    receiver.status = 503;
    for (const title of ['A', 'B', 'C', 'D']) await createIssue({ title });
    await gl.settle();
    expect((await asAlice('GET', `projects/${projectId}/hooks`)).body[0].alert_status).toBe(
      'temporarily_disabled',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    receiver.status = 200;
    await createIssue({ title: 'E' });
    await gl.settle();
    expect(gl.deliveries.map((d) => d.status)).toEqual([503, 503, 503, 503, 200]);
    expect((await asAlice('GET', `projects/${projectId}/hooks/${hookId}`)).body.alert_status).toBe(
      'executable',
    );
  });

  it('injects faults through intercept', async () => {
    await gl.stop();
    gl = await GitLabStandIn.start({
      intercept: (req) => {
        if (req.path === 'users') return 'timeout';
        return req.path === 'user'
          ? { status: 429, headers: { 'Retry-After': '7' }, body: 'Retry later' }
          : undefined;
      },
    });
    alice = gl.addUser({ username: 'alice', name: 'Alice' });
    const headers = { 'PRIVATE-TOKEN': alice.token };
    const raw = await fetch(`${gl.baseUrl}/api/v4/user`, { headers });
    expect([raw.status, raw.headers.get('retry-after'), await raw.text()]).toEqual([429, '7', 'Retry later']);
    const hanging = fetch(`${gl.baseUrl}/api/v4/users`, { headers, signal: AbortSignal.timeout(300) });
    await expect(hanging).rejects.toThrow();
    expect(gl.requests.map((r) => [r.path, r.status])).toEqual([
      ['user', 429],
      ['users', undefined],
    ]);
  });
});

describe('issue lists', () => {
  it('paginates with x-* and Link headers', async () => {
    for (const title of ['one', 'two', 'three']) await createIssue({ title });
    const res = await asAlice('GET', `projects/${projectId}/issues?per_page=2&order_by=created_at&sort=asc`);
    expect(res.body.map((i: Json) => i.title)).toEqual(['one', 'two']);
    expect(
      ['x-page', 'x-per-page', 'x-next-page', 'x-total', 'x-total-pages'].map((h) => res.headers.get(h)),
    ).toEqual(['1', '2', '2', '3', '2']);
    expect(res.headers.get('link')).toContain(
      `<${gl.baseUrl}/api/v4/projects/${projectId}/issues?order_by=created_at&page=2&per_page=2&sort=asc>; rel="next"`,
    );
    expect(res.headers.get('ratelimit-limit')).toBe('2000');
    const second = await asAlice('GET', `projects/${projectId}/issues?per_page=2&page=2&sort=asc`);
    expect(second.body.map((i: Json) => i.title)).toEqual(['three']);
    expect(second.headers.get('x-next-page')).toBe('');
  });

  it('accepts form bodies, namespaced project ids and keyset pagination', async () => {
    const form = await fetch(`${gl.baseUrl}/api/v4/projects/acme%2Fweb/issues`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': alice.token, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'From a form', labels: 'a,b' }).toString(),
    });
    expect(form.status).toBe(201);
    for (const title of ['two', 'three']) await createIssue({ title });
    const titles: string[] = [];
    let next: string | undefined =
      `projects/${projectId}/issues?pagination=keyset&order_by=updated_at&sort=asc&per_page=2`;
    while (next) {
      const page = await asAlice('GET', next);
      titles.push(...page.body.map((i: Json) => i.title));
      next = /<[^>]*\/api\/v4\/([^>]*)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    expect(titles).toEqual(['From a form', 'two', 'three']);
    expect(gl.issue(projectId, 1)?.labels).toEqual(['a', 'b']);
  });

  it('filters with an inclusive updated_after', async () => {
    await createIssue({ title: 'one' });
    const two = await createIssue({ title: 'two' });
    await createIssue({ title: 'three' });
    const res = await asAlice(
      'GET',
      `projects/${projectId}/issues?updated_after=${two.updated_at}&order_by=updated_at`,
    );
    expect(res.body.map((i: Json) => i.title)).toEqual(['three', 'two']);
  });
});

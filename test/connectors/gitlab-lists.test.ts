import {
  type GitLabInterceptAnswer,
  type GitLabRecordedRequest,
  GitLabStandIn,
} from '@spira-gitlab-sync/stand-ins/gitlab';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProjectConfig } from '../../lib/config/sync-config.js';
import { GitLabClient } from '../../lib/connectors/gitlab/gitlab-client.js';
import type { SyncCommand } from '../../lib/domain/sync-command.js';
import { pollGitLabMilestones } from '../../lib/engine/poll-milestones.js';

/**
 * gitlab-api.md §0a.4: every GitLab list is paginated (default 20, at most 100 per page, `X-Next-Page`), and
 * milestones come in due-date order. The stand-in does the same; each test fails for a client that reads only
 * the first page (audit #5, #6, #7, #13) or takes one odd element or write answer for a broken list or write (#16).
 */
describe('GitLabClient reads whole lists from a paginating GitLab', () => {
  let gitlab: GitLabStandIn;
  let client: GitLabClient;
  let bot: { id: number; token: string };
  let projectId: number;
  const warnings: { message: string; extra?: Record<string, unknown> }[] = [];
  let intercept: ((req: GitLabRecordedRequest) => GitLabInterceptAnswer | undefined) | undefined;
  beforeAll(async () => {
    gitlab = await GitLabStandIn.start({ intercept: (req) => intercept?.(req) });
    bot = gitlab.addUser({ username: 'syncbot', name: 'Sync Bot' });
    // No member list: every user (also those added later) is a member, as inherited group members are.
    projectId = gitlab.addProject({ namespace: 'acme', path: 'web' }).id;
    client = new GitLabClient({
      baseUrl: gitlab.baseUrl,
      token: bot.token,
      log: { warn: (message, extra) => void warnings.push({ message, ...(extra ? { extra } : {}) }) },
    });
  });
  afterAll(async () => gitlab?.stop());
  afterEach(() => {
    intercept = undefined;
    vi.useRealTimers();
  });

  const rest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gitlab.baseUrl}/api/v4/${path}`, {
      method,
      headers: { 'private-token': bot.token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return (await response.json()) as { id: number; iid: number };
  };
  const calls = (path: string) => gitlab.requests.filter((r) => r.method === 'GET' && r.path.endsWith(path));

  it('reads all 151 members of members/all, not the first 100 (audit #6)', async () => {
    for (let i = 1; i <= 150; i++) gitlab.addUser({ username: `u${i}`, name: `User ${i}` });
    gitlab.clearRequests();
    const members = await client.projectMembers(projectId);
    expect(members).toHaveLength(151);
    expect(members.map((m) => m.username)).toContain('u150');
    expect(calls('members/all').map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
  });

  it('reads all notes of an issue, so the newest (a crashed create’s orphan) is found (audit #5)', async () => {
    const issue = await rest('POST', `projects/${projectId}/issues`, { title: 'Busy issue' });
    for (let i = 1; i <= 150; i++)
      await rest('POST', `projects/${projectId}/issues/${issue.iid}/notes`, { body: `note ${i}` });
    const notes = await client.notes(projectId, issue.iid);
    expect(notes.filter((n) => !n.system)).toHaveLength(150);
    expect(notes.at(-1)?.body).toBe('note 150');
  });

  it('reads all state events, so the newest close is known (audit #13)', async () => {
    const issue = await rest('POST', `projects/${projectId}/issues`, { title: 'Flapping' });
    for (let i = 0; i < 110; i++)
      await rest('PUT', `projects/${projectId}/issues/${issue.iid}`, {
        state_event: i % 2 === 0 ? 'close' : 'reopen',
      });
    const events = await client.stateEvents(projectId, issue.iid);
    expect(events).toHaveLength(110);
    expect(events.at(-1)?.state).toBe('reopened');
  });

  it('reads all milestones and all hooks (adoption by marker, disabled-hook checks)', async () => {
    for (let i = 1; i <= 105; i++) await rest('POST', `projects/${projectId}/milestones`, { title: `M${i}` });
    for (let i = 1; i <= 21; i++) gitlab.addHook(projectId, { url: `http://127.0.0.1:9/h${i}` });
    expect(await client.milestones(projectId)).toHaveLength(105);
    expect(await client.hooks(projectId)).toHaveLength(21);
  });

  it('asks for 100 per page and makes one call when the list fits on one page (BENCHMARKS rows)', async () => {
    const issue = await rest('POST', `projects/${projectId}/issues`, { title: 'Quiet' });
    for (let i = 1; i <= 30; i++)
      await rest('POST', `projects/${projectId}/issues/${issue.iid}/notes`, { body: `n${i}` });
    gitlab.clearRequests();
    expect(await client.notes(projectId, issue.iid)).toHaveLength(30);
    expect(await client.stateEvents(projectId, issue.iid)).toEqual([]);
    expect(gitlab.requests.map((r) => [r.path.split('/').at(-1), r.query.per_page, r.query.page])).toEqual([
      ['notes', '100', undefined],
      ['resource_state_events', '100', undefined],
    ]);
  });

  it('skips (and logs) a list element that does not fit, using the rest (audit #16)', async () => {
    intercept = (req) =>
      req.path.endsWith('members/all')
        ? {
            status: 200,
            body: [
              { id: 1, username: 'a', name: 'A' },
              { id: 'two', username: null },
              { id: 3, username: 'c', name: 'C', state: 'a_state_from_the_future' },
            ],
          }
        : undefined;
    warnings.length = 0;
    expect((await client.projectMembers(projectId)).map((m) => m.id)).toEqual([1, 3]);
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'GitLab list element skipped',
        extra: expect.objectContaining({ index: 1 }),
      }),
    ]);
  });

  it('takes a write’s answer for its id only: the write already happened (audit #16)', async () => {
    const issue = await rest('POST', `projects/${projectId}/issues`, { title: 'Written' });
    intercept = (req) =>
      req.method === 'POST' && req.path.endsWith('/notes')
        ? { status: 201, body: { id: 4242, body: null, author: null, created_at: 'soon' } }
        : req.method === 'PUT' && req.path.endsWith(`/issues/${issue.iid}`)
          ? { status: 200, body: { id: issue.id, iid: issue.iid, title: null, state: 'locked' } }
          : undefined;
    expect(await client.createNote(projectId, issue.iid, 'hello')).toEqual({ id: 4242 });
    // An issue write whose answer does not fit is read again (its callers keep the whole issue).
    const updated = await client.updateIssue(projectId, issue.iid, { title: 'x' });
    expect(updated).toMatchObject({ iid: issue.iid, title: 'Written', state: 'opened' });
  });
});

describe('the milestone poll against GitLab’s due-date order (audit #7)', () => {
  let gitlab: GitLabStandIn;
  let client: GitLabClient;
  let token: string;
  let projectId: number;
  // Later than now: the stand-in's clock never runs backwards.
  const T0 = Date.parse('2027-06-01T00:00:00Z');
  beforeAll(async () => {
    gitlab = await GitLabStandIn.start();
    const bot = gitlab.addUser({ username: 'syncbot', name: 'Sync Bot' });
    token = bot.token;
    projectId = gitlab.addProject({ namespace: 'acme', path: 'plans' }).id;
    client = new GitLabClient({ baseUrl: gitlab.baseUrl, token });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await gitlab?.stop();
  });

  const at = (ms: number) => vi.setSystemTime(new Date(ms));
  const rest = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${gitlab.baseUrl}/api/v4/${path}`, {
      method,
      headers: { 'private-token': token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as { id: number };
  };
  const cursors = new Map<string, string>();
  const poll = async (pid = projectId) => {
    const sent: SyncCommand[] = [];
    await pollGitLabMilestones({
      gitlab: client,
      gitlabProjectId: async () => pid,
      queue: { send: async (command) => void sent.push(command) },
      cursors: {
        get: async (name) => cursors.get(name),
        set: async (name, value) => void cursors.set(name, value),
      },
      projects: [{ spiraProjectId: 1, gitlabProject: 'acme/plans', active: true } as ProjectConfig],
      enabled: true,
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    return sent.map((c) => (c.kind === 'gitlab.milestone' ? c.milestoneId : -1));
  };

  it('records the newest updated_at of every page on its first run and queues no pre-existing milestone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // 150 milestones, each made 10 minutes after the one before, due one day later: the newest are on page 2.
    const ids: number[] = [];
    for (let i = 0; i < 150; i++) {
      at(T0 + i * 600_000);
      const day = new Date(T0 + i * 86_400_000).toISOString().slice(0, 10);
      ids.push(
        (await rest('POST', `projects/${projectId}/milestones`, { title: `S${i}`, due_date: day })).id,
      );
    }
    at(T0 + 150 * 600_000);
    expect(await poll()).toEqual([]);
    expect(cursors.get(`gitlab-milestones#${projectId}`)).toBe(new Date(T0 + 149 * 600_000).toISOString());
    at(T0 + 151 * 600_000);
    // Only the milestone at the watermark is read again (the poll's one-minute overlap); none of the others.
    expect(await poll()).toEqual([ids[149]]);
  });

  it('starts an empty project at the epoch, so its first milestone is queued on the next cycle', async () => {
    const empty = gitlab.addProject({ namespace: 'acme', path: 'empty' }).id;
    expect(await poll(empty)).toEqual([]);
    expect(cursors.get(`gitlab-milestones#${empty}`)).toBe('1970-01-01T00:00:00.000Z');
    const first = await rest('POST', `projects/${empty}/milestones`, { title: 'First' });
    expect(await poll(empty)).toEqual([first.id]);
  });

  it('queues every milestone changed in one window, more than a page of them', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const all = await client.milestones(projectId);
    const byDue = all.sort((a, b) => (a.due_date ?? '').localeCompare(b.due_date ?? ''));
    // 120 edits, latest due date first: the newest edit is on page 1, the 20 oldest edits on page 2.
    const edited = byDue.slice(30).reverse();
    let t = T0 + 200 * 600_000;
    for (const m of edited) {
      t += 1_000;
      at(t);
      await rest('PUT', `projects/${projectId}/milestones/${m.id}`, { description: 'moved' });
    }
    at(t + 600_000);
    const queued = await poll();
    expect(new Set(queued)).toEqual(new Set(edited.map((m) => m.id)));
    expect(cursors.get(`gitlab-milestones#${projectId}`)).toBe(new Date(t).toISOString());
  });
});

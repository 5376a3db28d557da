import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Capture, startCapture } from '../helpers/capture.js';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

const NEW = 1;
const ASSIGNED = 3;
const CLOSED = 5;

describe('GitLab → Spira through webhook, FIFO queue, worker and DynamoDB', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  const incidentFor = (title: string) => h.spira.incidents(pid()).filter((i) => i.Name === title);
  const createIssue = async (user: 'fred' | 'alice', fields: Record<string, unknown>) => {
    const { status, json } = await h.gitlabAs(user, 'POST', `projects/${gpid()}/issues`, fields);
    expect(status).toBe(201);
    return json as { iid: number; id: number };
  };

  it('creates one incident with sanitized HTML, the mapped opener and the primary status', async () => {
    await createIssue('fred', {
      title: 'Login fails',
      description: '**Steps**\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))',
    });
    await h.settle();

    const [incident, ...others] = incidentFor('Login fails');
    expect(others).toHaveLength(0);
    expect(incident?.Description).toContain('<strong>Steps</strong>');
    expect(incident?.Description).not.toMatch(/script|javascript:/i);
    expect(incident?.OpenerId).toBe(h.world.spira.fred);
    expect(incident?.IncidentStatusId).toBe(NEW);
  });

  it('falls back to the sync user with an attribution line for an unmapped author', async () => {
    await createIssue('alice', { title: 'From Alice', description: 'hello' });
    await h.settle();

    const [incident] = incidentFor('From Alice');
    expect(incident?.OpenerId).toBe(h.world.spira.syncbot);
    expect(incident?.Description).toContain('Reported in GitLab by @alice (Alice Developer)');
  });

  it('closes and reopens with the primary statuses, and leaves "Assigned" alone on a title edit', async () => {
    const issue = await createIssue('fred', { title: 'Crash on save' });
    await h.settle();
    const [incident] = incidentFor('Crash on save');
    const id = incident?.IncidentId as number;

    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    expect(h.spira.incident(pid(), id)?.IncidentStatusId).toBe(CLOSED);

    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'reopen' });
    await h.settle();
    expect(h.spira.incident(pid(), id)?.IncidentStatusId).toBe(NEW);

    h.spira.updateIncident(pid(), id, h.world.spira.amy, { IncidentStatusId: ASSIGNED });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { title: 'Crash on save (2)' });
    await h.settle();
    expect(h.spira.incident(pid(), id)).toMatchObject({
      Name: 'Crash on save (2)',
      IncidentStatusId: ASSIGNED,
    });
  });

  it('posts a note once, ignores its duplicate delivery and adds one follow-up comment per edit', async () => {
    const issue = await createIssue('fred', { title: 'Has notes' });
    await h.settle();
    const note = await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${issue.iid}/notes`, {
      body: 'I can *reproduce* it',
    });
    await h.settle();
    const noteDelivery = h.gitlab.deliveries.filter((d) => d.event === 'Note Hook').at(-1);
    await h.gitlab.resend(noteDelivery as never);
    await h.settle();
    const id = incidentFor('Has notes')[0]?.IncidentId as number;
    expect(h.spira.comments(pid(), id).map((c) => c.Text)).toEqual([
      expect.stringContaining('<em>reproduce</em>'),
    ]);
    expect(h.spira.comments(pid(), id)[0]?.UserId).toBe(h.world.spira.joe);

    await h.gitlabAs('joe', 'PUT', `projects/${gpid()}/issues/${issue.iid}/notes/${note.json.id}`, {
      body: 'Cannot reproduce any more',
    });
    await h.settle();
    const texts = h.spira.comments(pid(), id).map((c) => c.Text);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(/Edited in GitLab by @joe[\s\S]*Cannot reproduce any more/);
  });
});

describe('GitLab deliveries replayed by hand: duplicates, concurrency, reordering', () => {
  let h: Harness;
  let capture: Capture;
  beforeAll(async () => {
    h = await startHarness({ noHook: true });
    capture = await startCapture();
    h.gitlab.addHook(h.world.gitlabProjectId, {
      url: capture.url,
      token: h.world.webhookSecret,
      issues_events: true,
      note_events: true,
    });
  });
  afterAll(async () => {
    await capture?.stop();
    await h?.stop();
  });

  const gpid = () => h.world.gitlabProjectId;
  const captured = async (event: string, title: string) => {
    await h.gitlab.settle();
    const found = capture.requests.find(
      (r) => r.headers['x-gitlab-event'] === event && r.body.includes(title),
    );
    if (!found) throw new Error(`no ${event} captured for ${title}`);
    return found;
  };

  it('makes exactly one incident from five concurrent deliveries (same and different Idempotency-Key)', async () => {
    await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'Delivered five times' });
    const hook = await captured('Issue Hook', 'Delivered five times');
    const keys = [
      hook.headers['idempotency-key'],
      hook.headers['idempotency-key'],
      hook.headers['idempotency-key'],
      'other-1',
      'other-2',
    ];

    const answers = await Promise.all(
      keys.map((key) => h.deliver({ ...hook.headers, 'idempotency-key': key as string }, hook.body)),
    );
    await h.settle();

    expect(answers.every((a) => a.status >= 200 && a.status < 300)).toBe(true);
    expect(
      h.spira.incidents(h.world.spiraProjectId).filter((i) => i.Name === 'Delivered five times'),
    ).toHaveLength(1);
  });

  it('syncs the issue first when its note arrives before the issue', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Note first',
    });
    await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${issue.iid}/notes`, { body: 'early note' });
    const note = await captured('Note Hook', 'early note');
    const opened = await captured('Issue Hook', 'Note first');

    expect((await h.deliver(note.headers, note.body)).status).toBe(202);
    await h.settle();
    expect((await h.deliver(opened.headers, opened.body)).status).toBe(202);
    await h.settle();

    const incidents = h.spira.incidents(h.world.spiraProjectId).filter((i) => i.Name === 'Note first');
    expect(incidents).toHaveLength(1);
    expect(h.spira.comments(h.world.spiraProjectId, incidents[0]?.IncidentId as number)).toHaveLength(1);
  });
});

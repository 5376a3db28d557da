import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

describe('edits on both sides before either is synced', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  const cycle = async () => {
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();
  };
  const pair = async (title: string) => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title });
    await h.settle();
    await cycle();
    const incident = h.spira.incidents(pid()).find((i) => i.Name === title);
    return { iid: issue.iid as number, id: incident?.IncidentId as number };
  };

  it('carries both changes when they touch different fields', async () => {
    const { iid, id } = await pair('Two fields');
    h.spira.updateIncident(pid(), id, h.world.spira.amy, { OwnerId: h.world.spira.joe });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${iid}`, { title: 'Two fields, renamed' });
    await h.settle();
    await cycle();

    expect(h.spira.incident(pid(), id)).toMatchObject({
      Name: 'Two fields, renamed',
      OwnerId: h.world.spira.joe,
    });
    expect(h.gitlab.issue(gpid(), iid)?.assignees.map((a) => a.username)).toEqual(['joe']);
  });

  it('resolves a field changed on both sides by the later change and records the conflict', async () => {
    const { iid, id } = await pair('Both edit');
    h.spira.updateIncident(pid(), id, h.world.spira.amy, { Name: 'Spira title' });
    await new Promise((ok) => setTimeout(ok, 20));
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${iid}`, { title: 'GitLab title' });
    await h.settle();
    await cycle();
    await cycle();

    expect(h.spira.incident(pid(), id)?.Name).toBe('GitLab title');
    expect(h.gitlab.issue(gpid(), iid)?.title).toBe('GitLab title');
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#${iid}`);
    expect(history.filter((e) => e.kind === 'conflict').map((e) => e.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^title\/name changed on both sides .*GitLab wins/)]),
    );
  });

  it('skips a late delivery older than what was applied, without any API call', async () => {
    const { iid } = await pair('Late');
    const hook = h.gitlab.deliveries
      .filter((d) => d.event === 'Issue Hook' && JSON.stringify(d.body).includes('"Late"'))
      .at(0);
    await new Promise((ok) => setTimeout(ok, 1100));
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${iid}`, { title: 'Late 2' });
    await h.settle();
    h.gitlab.clearRequests();
    h.spira.clearRequests();

    const answer = await h.deliver(
      { ...(hook?.headers ?? {}), 'idempotency-key': 'late-copy' },
      JSON.stringify(hook?.body),
    );
    await h.settle();

    expect(answer.status).toBe(202);
    expect([h.gitlab.requests.length, h.spira.requests.length]).toEqual([0, 0]);
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#${iid}`);
    expect(history.at(-1)?.detail).toMatch(/^stale event/);
  });
});

describe('descriptions edited on the other side', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  it('gives an issue made in GitLab no "Reported in Spira" line when Spira edits its description', async () => {
    const gpid = h.world.gitlabProjectId;
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
      title: 'Edited in Spira',
      description: 'original',
    });
    await h.settle();
    const incident = h.spira.incidents(h.world.spiraProjectId).find((i) => i.Name === 'Edited in Spira');
    h.spira.updateIncident(h.world.spiraProjectId, incident?.IncidentId as number, h.world.spira.amy, {
      Description: '<p>rewritten in <em>Spira</em></p>',
    });
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();

    const description = h.gitlab.issue(gpid, issue.iid)?.description ?? '';
    expect(description).toMatch(/^rewritten in _Spira_/);
    expect(description).not.toContain('Reported in Spira');
  });
});

describe('a GitLab state changed away and back', () => {
  let h: Harness;
  beforeAll(async () => {
    // No webhook: the close and the reopen reach the sync only through the issue's state events.
    h = await startHarness({ noHook: true });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  /** An incident made in Spira as Amy, and its issue once the poll has made it. */
  const spiraBornPair = async (name: string) => {
    const incident = h.spira.createIncident(h.world.spiraProjectId, h.world.spira.amy, { Name: name });
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();
    const iid = h.gitlab.issues(h.world.gitlabProjectId).find((i) => i.title === name)?.iid as number;
    return { incident, iid };
  };
  const pause = () => new Promise((ok) => setTimeout(ok, 1100));

  it('wins over an earlier Spira close (GitLab closed and reopened the issue later)', async () => {
    const pid = h.world.spiraProjectId;
    const gpid = h.world.gitlabProjectId;
    const { incident, iid } = await spiraBornPair('Reopened in GitLab');
    const closed = h.spira.statuses(pid).find((s) => s.Name === 'Closed')?.IncidentStatusId;
    h.spira.updateIncident(pid, incident.IncidentId, h.world.spira.amy, { IncidentStatusId: closed });
    await pause();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/issues/${iid}`, { state_event: 'close' });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/issues/${iid}`, { state_event: 'reopen' });
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();

    expect(h.gitlab.issue(gpid, iid)?.state).toBe('opened');
    const status = h.spira.incident(pid, incident.IncidentId)?.IncidentStatusId;
    expect(h.spira.statuses(pid).find((s) => s.IncidentStatusId === status)?.Open).toBe(true);
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid}#${iid}`);
    expect(history.map((e) => e.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^state\/status changed on both sides .*GitLab wins/)]),
    );
  });

  it('decides a conflict by when each side changed that field, not by the items’ last updates', async () => {
    const pid = h.world.spiraProjectId;
    const gpid = h.world.gitlabProjectId;
    const { incident, iid } = await spiraBornPair('Per field');
    h.spira.updateIncident(pid, incident.IncidentId, h.world.spira.amy, { Name: 'Spira name (earlier)' });
    await pause();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/issues/${iid}`, { title: 'GitLab title (later)' });
    await pause();
    // A later Spira change of another field makes the incident the later item as a whole.
    h.spira.updateIncident(pid, incident.IncidentId, h.world.spira.amy, { Description: '<p>Later text</p>' });
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();

    expect(h.gitlab.issue(gpid, iid)?.title).toBe('GitLab title (later)');
    expect(h.spira.incident(pid, incident.IncidentId)?.Name).toBe('GitLab title (later)');
    expect(h.gitlab.issue(gpid, iid)?.description).toContain('Later text');
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid}#${iid}`);
    expect(history.map((e) => e.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^title\/name changed on both sides .*GitLab wins/)]),
    );
  });
});

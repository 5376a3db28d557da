import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

const CLOSED = 5;

describe('Spira → GitLab through the poller, FIFO queue and worker', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.local.pollNow(); // the first poll only records Spira's clock
  });
  afterAll(async () => h?.stop());

  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  const cycle = async () => {
    h.spira.advanceClock(1_000);
    await h.local.pollNow();
    await h.settle();
  };
  const issuesTitled = (title: string) => h.gitlab.issues(gpid()).filter((i) => i.title === title);

  it('makes exactly one issue, its comments notes once each, and closes it when the incident closes', async () => {
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, {
      Name: 'Printer on fire',
      Description: '<p>It <strong>burns</strong></p>',
    });
    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.amy, '<p>Still burning</p>');
    await cycle();
    await cycle();

    const [issue, ...more] = issuesTitled('Printer on fire');
    expect(more).toHaveLength(0);
    expect(issue?.description).toMatch(/^_Reported in Spira by Amy Tester: \[IN:\d+\]/);
    expect(issue?.description).toContain('It **burns**');
    const notes = () => h.gitlab.notes(gpid(), issue?.iid as number).filter((n) => !n.system);
    expect(notes().map((n) => n.body)).toEqual([
      expect.stringMatching(/Posted in Spira by Amy Tester[\s\S]*Still burning/),
    ]);

    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.fred, '<p>Extinguished</p>');
    h.spira.updateIncident(pid(), incident.IncidentId, h.world.spira.fred, { IncidentStatusId: CLOSED });
    await cycle();
    await cycle();

    expect(h.gitlab.issue(gpid(), issue?.iid as number)?.state).toBe('closed');
    expect(notes()).toHaveLength(2);
    expect(h.spira.comments(pid(), incident.IncidentId)).toHaveLength(2);
  });

  it('keeps quick actions inert and mentions nobody', async () => {
    const mentionsBefore = h.gitlab.mentions.length;
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, {
      Name: 'Sneaky text',
      Description: '<p>/close</p><p>ping @fred please</p><p>/assign @joe</p>',
    });
    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.amy, '<p>/close</p><p>cc @joe</p>');
    await cycle();
    await cycle();

    const [issue] = issuesTitled('Sneaky text');
    expect(issue?.state).toBe('opened');
    expect(issue?.assignees).toEqual([]);
    expect(issue?.description).toContain('`/close`');
    expect(h.gitlab.notes(gpid(), issue?.iid as number).filter((n) => !n.system)).toHaveLength(1);
    expect(h.gitlab.mentions.slice(mentionsBefore)).toEqual([]);
  });

  it('writes nothing on either side over 3 idle poll cycles after a mixed burst', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Burst A',
      description: 'from GitLab',
    });
    await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${issue.iid}/notes`, { body: 'a note' });
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, {
      Name: 'Burst B',
      Description: '<p>from Spira</p>',
    });
    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.amy, '<p>a comment</p>');
    await h.settle();
    await cycle();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, {
      title: 'Burst A2',
      state_event: 'close',
    });
    h.spira.updateIncident(pid(), incident.IncidentId, h.world.spira.amy, { Name: 'Burst B2' });
    await h.settle();
    await cycle();
    await cycle();

    h.gitlab.clearRequests();
    h.spira.clearRequests();
    for (let i = 0; i < 3; i++) await cycle();

    const writes = (requests: { method: string }[]) =>
      requests.filter(
        (r) =>
          r.method !== 'GET' && !(r.method === 'POST' && 'path' in r && String(r.path).endsWith('/search')),
      );
    expect(writes(h.gitlab.requests)).toEqual([]);
    expect(writes(h.spira.requests)).toEqual([]);
    expect(issuesTitled('Burst B2')).toHaveLength(1);
    expect(h.spira.incidents(pid()).filter((i) => i.Name === 'Burst A2')).toHaveLength(1);
  });
});

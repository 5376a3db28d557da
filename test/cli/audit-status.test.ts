import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseItemRef } from '../../lib/cli/commands/audit.js';
import { type CliHarness, startCliHarness } from './cli-harness.js';

describe('audit and status', () => {
  let h: CliHarness;
  let incidentId: number;
  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  beforeAll(async () => {
    h = await startCliHarness();
    await h.local.pollNow();
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Audited',
    });
    await h.settle();
    incidentId = h.spira.incidents(pid()).find((i) => i.Name === 'Audited')?.IncidentId as number;
    // A conflict: both sides change the title before either is synced.
    h.spira.updateIncident(pid(), incidentId, h.world.spira.amy, { Name: 'Spira title' });
    await new Promise((ok) => setTimeout(ok, 20));
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { title: 'GitLab title' });
    await h.settle();
    // A parked message: Spira ignores the status change.
    h.spira.setStatusBulkEdit(h.spira.templateIdOf(pid()), false);
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, { state_event: 'close' });
    await h.settle();
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();
  });
  afterAll(async () => h?.stop());

  it('parses GitLab and Spira references', () => {
    expect(parseItemRef('velociraptor#12')).toEqual({ side: 'gitlab', project: 'velociraptor', iid: 12 });
    expect(parseItemRef('group/sub/p#3')).toEqual({ side: 'gitlab', project: 'group/sub/p', iid: 3 });
    expect(parseItemRef('#4')).toEqual({ side: 'gitlab', iid: 4 });
    expect(parseItemRef('IN:42')).toEqual({ side: 'spira', incidentId: 42 });
    expect(parseItemRef('in42')).toEqual({ side: 'spira', incidentId: 42 });
    expect(() => parseItemRef('42')).toThrow(/expected a GitLab issue .* or a Spira incident \(IN:42\)/);
  });

  it('shows the whole history of an issue: writes, the conflict, and what is parked', async () => {
    const { code, out } = await h.cli(['audit', 'velociraptor#1']);

    expect(code).toBe(0);
    expect(out).toMatch(
      new RegExp(`^velociraptor#1 ⇄ IN:${incidentId}\\nlink: linked \\(gl-issue#${gpid()}#1 → ${incidentId}`),
    );
    expect(out).toMatch(/gitlab\.issue\s+created\s+incident \d+/);
    expect(out).toMatch(/conflict\s+conflict\s+title\/name changed on both sides/);
    expect(out).toMatch(/^parked now: .* Spira kept incident \d+ in status/m);
    expect(out).toMatch(/replay: spira-gitlab-sync replay /);
  });

  it('finds the same history from the Spira side, and as JSON', async () => {
    const { code, out } = await h.cli(['audit', `IN:${incidentId}`, '--json']);
    const report = JSON.parse(out);

    expect(code).toBe(0);
    expect(report.title).toBe(`IN:${incidentId} ⇄ velociraptor#1`);
    expect(report.history.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['created', 'conflict']),
    );
    expect(report.parked).toHaveLength(1);
  });

  it('says so when nothing is recorded for an item', async () => {
    const issue = await h.cli(['audit', 'velociraptor#999']);
    const incident = await h.cli(['audit', 'IN:999']);

    expect(issue.code).toBe(1);
    expect(issue.out).toMatch(/link: none recorded\n\nno history recorded/);
    expect(incident.code).toBe(1);
    expect(incident.err).toMatch(/IN:999: nothing recorded/);
  });

  it('reports per project the last poll, the queue, the last error and the conflicts', async () => {
    const { code, out } = await h.cli(['status']);

    expect(code).toBe(0);
    expect(out).toMatch(/^queue {10}0 waiting, 0 in flight, 0 delayed$/m);
    expect(out).toMatch(/^dead letters {3}0 waiting/m);
    expect(out).toMatch(/^Spira \d+ ⇄ gitlab-examples\/velociraptor$/m);
    expect(out).toMatch(/^ {2}last poll {6}\d{4}-\d\d-\d\dT.*\(Spira's clock\)$/m);
    expect(out).toMatch(/^ {2}last error {5}.* Spira kept incident \d+ in status .* \(parked .*\)$/m);
    expect(out).toMatch(/^ {2}parked {9}1 \(spira-gitlab-sync replay\)$/m);
    expect(out).toMatch(
      /^ {2}conflicts {6}1 in the latest \d+ events; last: .*title\/name changed on both sides/m,
    );
  });

  it('gives the same status as JSON', async () => {
    const { out } = await h.cli(['status', '--json']);
    const status = JSON.parse(out);

    expect(status.queue).toEqual({ waiting: 0, inFlight: 0, delayed: 0 });
    expect(status.projects[0]).toMatchObject({
      spiraProjectId: pid(),
      gitlabPath: 'gitlab-examples/velociraptor',
      active: true,
    });
    expect(status.projects[0].parked).toHaveLength(1);
  });

  it('shows a webhook delivery it could not use in the issue’s audit and in status (CONTRACT §3)', async () => {
    const seed = h.gitlab.deliveries.find((d) => d.event === 'Issue Hook')?.body as {
      object_attributes: Record<string, unknown>;
    };
    const body = { ...seed, object_attributes: { ...seed.object_attributes, updated_at: 'a while ago' } };
    const answer = await h.deliver(
      { 'x-gitlab-token': h.world.webhookSecret, 'x-gitlab-event': 'Issue Hook' },
      JSON.stringify(body),
    );
    expect(answer.status).toBe(200);

    const audit = await h.cli(['audit', `velociraptor#${seed.object_attributes.iid}`]);
    expect(audit.out).toMatch(
      /webhook\s+unusable\s+Issue Hook for gitlab-examples\/velociraptor .*updated_at/,
    );
    const status = await h.cli(['status']);
    expect(status.out).toMatch(/^ {2}webhook {8}ALERT .* webhook unusable: .*not a GitLab timestamp/m);
  });

  it('explains how to reach the sync when none is running', async () => {
    const { code, err } = await h.cli(['status'], { SYNC_DATA_DIR: `${h.dir}/empty` });

    expect(code).toBe(1);
    expect(err).toMatch(/no running sync found: start it with `npm start`/);
  });
});

/**
 * What the sync does when Spira (or what stands in front of it) answers with a fault that is not about the
 * item: an HTML 404 from IIS or a proxy is no deletion (audit finding 8), an SQL timeout answered 400 is no
 * reason to park (finding 4). Both are retried and the change arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, recordingLog, startHarness } from '../helpers/sync-harness.js';

describe('Spira infrastructure faults', () => {
  let h: Harness;
  const recorded = recordingLog();
  beforeAll(async () => {
    h = await startHarness({ log: recorded.log });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());
  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  const cycle = async () => {
    h.spira.advanceClock(1_000);
    await h.local.pollNow().catch(() => undefined);
    await h.settle();
  };
  const issueNamed = (title: string) => h.gitlab.issues(gpid()).find((i) => i.title === title);
  const userNotes = (iid: number) => h.gitlab.notes(gpid(), iid).filter((n) => !n.system);

  it('an HTML 404 on an incident is retried, not taken as "incident deleted"', async () => {
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, { Name: 'Behind IIS' });
    await cycle();
    const path = new RegExp(`^projects/${pid()}/incidents/${incident.IncidentId}(/comments)?$`);
    h.spira.injectFault('html404', { method: 'GET', path }, 2);
    h.spira.updateIncident(pid(), incident.IncidentId, h.world.spira.amy, { Name: 'Behind IIS, renamed' });
    await cycle();
    h.spira.addComment(pid(), incident.IncidentId, h.world.spira.amy, '<p>still watched</p>');
    await cycle();

    const issue = issueNamed('Behind IIS, renamed');
    expect(issue?.state).toBe('opened');
    const notes = userNotes(issue?.iid as number).map((n) => n.body);
    expect(notes).toEqual([expect.stringContaining('still watched')]);
    expect(notes.join('\n')).not.toMatch(/was deleted/);
  });

  it('an SQL timeout answered 400 is retried, not parked', async () => {
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, { Name: 'Slow database' });
    await cycle();
    const parkedBefore = recorded.lines.filter((l) => l.message === 'parked').length;
    const path = new RegExp(`^projects/${pid()}/incidents/${incident.IncidentId}$`);
    h.spira.injectFault('sqlTimeout', { method: 'GET', path });
    h.spira.updateIncident(pid(), incident.IncidentId, h.world.spira.amy, { Name: 'Slow database, renamed' });
    await cycle();

    expect(recorded.lines.filter((l) => l.message === 'parked')).toHaveLength(parkedBefore);
    expect(issueNamed('Slow database, renamed')).toBeDefined();
  });
});

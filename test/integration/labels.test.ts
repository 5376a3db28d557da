import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, recordingLog, startHarness } from '../helpers/sync-harness.js';

const HIGH = 2;
const LOW = 4;
const CRITICAL = 1;

describe('labels ⇄ priority, severity and Tags', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      configure: (c) => ({
        ...c,
        projects: c.projects.map((p) => ({
          ...p,
          labels: {
            priority: { 'priority::high': HIGH, 'priority::low': LOW },
            severity: { 'severity::critical': CRITICAL },
            type: {},
            otherLabelsAsTags: true,
          },
        })),
      }),
    });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;

  it('maps a label change to priority::high onto PriorityId, other labels onto Tags, and back', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Labelled',
      labels: 'frontend',
    });
    await h.settle();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, {
      labels: 'priority::high,severity::critical,frontend',
    });
    await h.settle();
    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'Labelled');
    expect(incident).toMatchObject({ PriorityId: HIGH, SeverityId: CRITICAL, Tags: 'frontend' });

    h.spira.updateIncident(pid(), incident?.IncidentId as number, h.world.spira.amy, {
      PriorityId: LOW,
      Tags: 'frontend, backend',
    });
    h.spira.advanceClock(1);
    await h.local.pollNow();
    await h.settle();

    expect([...(h.gitlab.issue(gpid(), issue.iid)?.labels ?? [])].sort()).toEqual([
      'backend',
      'frontend',
      'priority::low',
      'severity::critical',
    ]);
  });
});

describe('label maps are checked against the live template', () => {
  it('parks the change with an error naming the config path of an unknown id', async () => {
    const recorded = recordingLog();
    const h = await startHarness({
      log: recorded.log,
      configure: (c) => ({
        ...c,
        projects: c.projects.map((p) => ({
          ...p,
          labels: { priority: { 'priority::urgent': 99 }, severity: {}, type: {}, otherLabelsAsTags: false },
        })),
      }),
    });
    try {
      await h.gitlabAs('fred', 'POST', `projects/${h.world.gitlabProjectId}/issues`, { title: 'Bad map' });
      await h.settle();
      const parked = recorded.lines.filter((l) => l.message === 'parked').map((l) => String(l.extra?.error));
      expect(parked).toEqual([
        expect.stringContaining(
          'projects[0].labels.priority["priority::urgent"]: Spira priority 99 does not exist',
        ),
      ]);
    } finally {
      await h.stop();
    }
  });
});

describe('status mappings are checked against the live template', () => {
  it('parks the change naming the unmapped Spira status', async () => {
    const recorded = recordingLog();
    const h = await startHarness({
      log: recorded.log,
      configure: (c) => ({
        ...c,
        projects: c.projects.map((p) => ({
          ...p,
          incidentStatuses: p.incidentStatuses.filter((s) => s.spiraStatusId !== 3 || s.primary),
        })),
      }),
    });
    try {
      await h.gitlabAs('fred', 'POST', `projects/${h.world.gitlabProjectId}/issues`, { title: 'Unmapped' });
      await h.settle();
      const parked = recorded.lines.filter((l) => l.message === 'parked').map((l) => String(l.extra?.error));
      expect(parked).toEqual([
        expect.stringContaining('projects[0].incidentStatuses: Spira statuses 3 "Assigned" are not mapped'),
      ]);
      expect(h.spira.incidents(h.world.spiraProjectId)).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

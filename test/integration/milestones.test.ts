import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

describe('milestones ⇄ releases', () => {
  let h: Harness;
  let pairedRelease: number;
  let pairedMilestone: number;
  beforeAll(async () => {
    h = await startHarness({
      configure: (c) => ({
        ...c,
        spira: { ...c.spira, releasePollCycles: 1 },
        projects: c.projects.map((p) => ({
          ...p,
          releases: [{ spiraReleaseId: pairedRelease, gitlabMilestoneId: pairedMilestone }],
        })),
      }),
      before: async (gitlab, spira, world) => {
        // Existing on both sides before the sync starts, paired in the config.
        pairedRelease = spira.createRelease(world.spiraProjectId, world.spira.amy, {
          Name: 'Sprint 1',
          VersionNumber: '1.0',
        }).ReleaseId;
        const response = await fetch(
          `${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/milestones`,
          {
            method: 'POST',
            headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
            body: JSON.stringify({ title: 'Sprint 1' }),
          },
        );
        pairedMilestone = ((await response.json()) as { id: number }).id;
      },
    });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;
  const cycle = async () => {
    // One poll interval of Spira's clock (releases are read once per interval here: releasePollCycles 1).
    h.spira.advanceClock(h.world.config.pollIntervalSeconds * 1000);
    await h.local.pollNow();
    await h.settle();
  };
  const releasesNamed = (name: string) => h.spira.releases(pid()).filter((r) => r.Name === name);

  it('makes one Spira iteration from a milestone created in GitLab', async () => {
    await h.gitlabAs('fred', 'POST', `projects/${gpid()}/milestones`, {
      title: 'Sprint 2',
      due_date: '2026-12-24',
      start_date: '2026-12-10',
    });
    await h.settle();
    await cycle();

    const [release, ...more] = releasesNamed('Sprint 2');
    expect(more).toHaveLength(0);
    expect(release).toMatchObject({ ReleaseTypeId: 3, VersionNumber: expect.stringMatching(/^GL-\d+$/) });
    expect(release?.StartDate.slice(0, 10)).toBe('2026-12-10');
    expect(release?.EndDate.slice(0, 10)).toBe('2026-12-24');
  });

  it('carries a milestone edit (GitLab sends no hook for it) within one poll cycle', async () => {
    const milestone = h.gitlab.milestones(gpid()).find((m) => m.title === 'Sprint 2');
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/milestones/${milestone?.id}`, {
      title: 'Sprint 2 (stretched)',
      due_date: '2026-12-31',
    });
    await h.settle();
    await cycle();

    expect(releasesNamed('Sprint 2 (stretched)')[0]?.EndDate.slice(0, 10)).toBe('2026-12-31');
  });

  it('makes one milestone from a release created in Spira, and never duplicates the configured pair', async () => {
    h.spira.createRelease(pid(), h.world.spira.amy, { Name: 'Release 3.0', VersionNumber: '3.0' });
    await cycle();
    await cycle();

    expect(h.gitlab.milestones(gpid()).filter((m) => m.title === 'Release 3.0')).toHaveLength(1);
    expect(h.gitlab.milestones(gpid()).filter((m) => m.title === 'Sprint 1')).toHaveLength(1);
    expect(releasesNamed('Sprint 1')).toHaveLength(1);
  });

  it('moves the incident to the paired release when its issue moves to a synced milestone, and back', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Planned work',
    });
    await h.settle();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid()}/issues/${issue.iid}`, {
      milestone_id: pairedMilestone,
    });
    await h.settle();
    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'Planned work');
    expect(incident?.ResolvedReleaseId).toBe(pairedRelease);

    const release3 = releasesNamed('Release 3.0')[0]?.ReleaseId as number;
    h.spira.updateIncident(pid(), incident?.IncidentId as number, h.world.spira.amy, {
      ResolvedReleaseId: release3,
    });
    await cycle();

    const milestone3 = h.gitlab.milestones(gpid()).find((m) => m.title === 'Release 3.0');
    expect(h.gitlab.issue(gpid(), issue.iid)?.milestone?.id).toBe(milestone3?.id);
  });

  it('creates the counterpart milestone first when an issue names one never synced', async () => {
    const { json: milestone } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/milestones`, {
      title: 'Hotfix',
    });
    await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Urgent',
      milestone_id: milestone.id,
    });
    await h.settle();

    const [release, ...more] = releasesNamed('Hotfix');
    expect(more).toHaveLength(0);
    expect(h.spira.incidents(pid()).find((i) => i.Name === 'Urgent')?.ResolvedReleaseId).toBe(
      release?.ReleaseId,
    );
  });
});

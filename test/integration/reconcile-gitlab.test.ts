import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

describe('opt-in GitLab reconciliation (gitlab.reconcileMinutes)', () => {
  let h: Harness;
  beforeAll(async () => {
    // No webhook at all: every change below is one GitLab never delivered.
    h = await startHarness({
      noHook: true,
      configure: (c) => ({ ...c, gitlab: { ...c.gitlab, reconcileMinutes: 5, pollMilestones: false } }),
    });
  });
  afterAll(async () => h?.stop());

  it('syncs issues and notes whose webhooks were lost and reports the missing webhook', async () => {
    const gpid = h.world.gitlabProjectId;
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
      title: 'Never delivered',
    });
    await h.gitlabAs('joe', 'POST', `projects/${gpid}/issues/${issue.iid}/notes`, { body: 'lost note' });

    await h.local.pollNow();
    await h.settle();

    const [incident, ...more] = h.spira
      .incidents(h.world.spiraProjectId)
      .filter((i) => i.Name === 'Never delivered');
    expect(more).toHaveLength(0);
    expect(h.spira.comments(h.world.spiraProjectId, incident?.IncidentId as number)).toHaveLength(1);
    const recent = await h.local.runtime.sync.audit.recent(h.world.spiraProjectId);
    expect(recent.map((e) => e.detail)).toEqual(
      expect.arrayContaining([expect.stringMatching(/no GitLab webhook points at the sync/)]),
    );
  });

  it('costs one issue list and one hook list per project when nothing changed', async () => {
    const later = Date.now() + 6 * 60_000;
    h.local.runtime.reconcile.now = () => new Date(later);
    h.gitlab.clearRequests();

    await h.local.pollNow();
    await h.settle();

    expect(h.gitlab.requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, ':id')}`)).toEqual([
      'GET projects/:id/hooks',
      'GET projects/:id/issues',
    ]);
  });

  it('does not run again before it is due', async () => {
    h.gitlab.clearRequests();
    await h.local.pollNow();
    expect(h.gitlab.requests).toEqual([]);
  });
});

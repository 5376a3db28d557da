import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

describe('Spira → GitLab on the real poll timer', () => {
  let h: Harness;
  const interval = 1_000;
  beforeAll(async () => {
    h = await startHarness({ pollIntervalMs: interval });
    await new Promise((ok) => setTimeout(ok, interval * 1.5)); // the first poll records Spira's clock
  });
  afterAll(async () => h?.stop());

  it('shows a new incident in GitLab within one poll interval + 2 s', async () => {
    const started = Date.now();
    h.spira.createIncident(h.world.spiraProjectId, h.world.spira.amy, { Name: 'Timed' });
    while (Date.now() - started < interval + 2_000) {
      if (h.gitlab.issues(h.world.gitlabProjectId).some((i) => i.title === 'Timed')) break;
      await new Promise((ok) => setTimeout(ok, 25));
    }
    expect(h.gitlab.issues(h.world.gitlabProjectId).filter((i) => i.title === 'Timed')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThanOrEqual(interval + 2_000);
  });
});

describe('Spira deletions and GitLab rate limits', () => {
  let h: Harness;
  let limitNextNote = false;
  beforeAll(async () => {
    h = await startHarness({
      gitlab: {
        intercept: (req) => {
          // GitLab.com's note creation limit answers 429 with Retry-After (no RateLimit headers for it).
          if (limitNextNote && req.method === 'POST' && req.path.endsWith('/notes')) {
            limitNextNote = false;
            return { status: 429, headers: { 'retry-after': '1' }, body: 'Retry later' };
          }
          return undefined;
        },
      },
    });
    await h.local.pollNow();
  });
  afterAll(async () => h?.stop());

  const cycle = async () => {
    h.spira.advanceClock(1_000);
    await h.local.pollNow();
    await h.settle();
  };

  it('waits out a 429 and posts the note exactly once', async () => {
    const incident = h.spira.createIncident(h.world.spiraProjectId, h.world.spira.amy, {
      Name: 'Rate limited',
    });
    await cycle();
    limitNextNote = true;
    h.spira.addComment(
      h.world.spiraProjectId,
      incident.IncidentId,
      h.world.spira.amy,
      '<p>after the limit</p>',
    );
    await cycle();
    await new Promise((ok) => setTimeout(ok, 1_200));
    await h.settle();

    const issue = h.gitlab.issues(h.world.gitlabProjectId).find((i) => i.title === 'Rate limited');
    const notes = h.gitlab.notes(h.world.gitlabProjectId, issue?.iid as number).filter((n) => !n.system);
    expect(limitNextNote).toBe(false);
    expect(notes.map((n) => n.body)).toEqual([expect.stringContaining('after the limit')]);
  });

  it('leaves the issue open with one note when its incident is deleted in Spira', async () => {
    const incident = h.spira.createIncident(h.world.spiraProjectId, h.world.spira.amy, { Name: 'Doomed' });
    await cycle();
    h.spira.deleteIncident(h.world.spiraProjectId, incident.IncidentId);
    for (let i = 0; i < 3; i++) await cycle();

    const issue = h.gitlab.issues(h.world.gitlabProjectId).find((i) => i.title === 'Doomed');
    expect(issue?.state).toBe('opened');
    const notes = h.gitlab.notes(h.world.gitlabProjectId, issue?.iid as number).filter((n) => !n.system);
    expect(notes.map((n) => n.body)).toEqual([
      expect.stringMatching(/incident IN:\d+ was deleted\. This issue stays open/),
    ]);
  });
});

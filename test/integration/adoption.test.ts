import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPoint } from '../../lib/ports/sync-ports.js';
import { type Harness, recordingLog, startHarness } from '../helpers/sync-harness.js';

const rec = recordingLog();

const CLOSED = 5;

/**
 * A crashed create leaves a counterpart nobody recorded. Its retry must adopt it even when people changed it
 * in between, finish what the create left undone, and keep what the people changed.
 */
describe('a retry adopts the counterpart of a crashed create', () => {
  let h: Harness;
  /** Runs once at the next fault point whose key contains `match`, then crashes the worker there. */
  let crashAt: { point: FaultPoint; match: string; before?: () => void | Promise<void> } | undefined;
  const crashes: string[] = [];
  let failClose = 0;
  beforeAll(async () => {
    h = await startHarness({
      log: rec.log,
      fault: async (point, key) => {
        const at = crashAt;
        if (!at || point !== at.point || !key.includes(at.match)) return;
        crashAt = undefined;
        await at.before?.();
        crashes.push(`${point} ${key}`);
        throw new Error(`injected crash ${point}`);
      },
      gitlab: {
        intercept: (req) => {
          const closing = (req.body as { state_event?: string } | undefined)?.state_event === 'close';
          if (req.method !== 'PUT' || !closing || failClose === 0) return undefined;
          failClose--;
          return { status: 500, body: { message: '500 Internal Server Error' } };
        },
      },
    });
    await h.local.pollNow();
  });
  afterAll(async () => {
    if (process.env.DEBUG_LOG) for (const l of rec.lines) console.log(JSON.stringify(l));
    await h?.stop();
  });
  const pid = () => h.world.spiraProjectId;
  const gpid = () => h.world.gitlabProjectId;

  it('keeps one incident when a person replaced its text (and our marker) before the retry', async () => {
    const title = 'Adopt after a person edit';
    crashAt = {
      point: 'after-create',
      match: 'gl-issue#',
      before: () => {
        const made = h.spira.incidents(pid()).find((i) => i.Name === title);
        if (!made) throw new Error('the incident was not created before the crash');
        h.spira.updateIncident(pid(), made.IncidentId, h.world.spira.amy, {
          Description: '<p>Rewritten by Amy</p>',
        });
      },
    };
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title,
      description: 'Steps',
    });
    await h.settle();
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    expect(crashes).toContain(`after-create gl-issue#${gpid()}#${issue.iid}`);
    expect(h.spira.incidents(pid()).filter((i) => i.Name === title)).toHaveLength(1);
    // Amy's edit came after the issue was written: it wins and reaches GitLab, one conflict on record.
    expect(h.gitlab.issue(gpid(), issue.iid)?.description).toContain('Rewritten by Amy');
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#${issue.iid}`);
    expect(history.filter((entry) => entry.kind === 'conflict').map((entry) => entry.detail)).toEqual([
      expect.stringMatching(/^description\/description changed on both sides .*Spira wins/),
    ]);
  });

  it('closes an issue whose create succeeded and whose close failed', async () => {
    const name = 'Closed before it was synced';
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, {
      Name: name,
      IncidentStatusId: CLOSED,
    });
    failClose = 2; // the client does not repeat a PUT: the message fails twice and comes back
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();
    expect(failClose).toBe(0);
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    const issues = h.gitlab.issues(gpid()).filter((i) => i.title === name);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.state).toBe('closed');
    expect(h.spira.incident(pid(), incident.IncidentId)?.IncidentStatusId).toBe(CLOSED);
  });

  it('saves the hashes with the completion, so the pair is whole at every crash point', async () => {
    const title = 'Whole at completion';
    let seen: unknown;
    crashAt = {
      point: 'after-complete',
      match: 'gl-issue#',
      before: async () => {
        const iid = h.gitlab.issues(gpid()).find((i) => i.title === title)?.iid as number;
        seen = await h.local.runtime.sync.links.get(`gl-issue#${gpid()}#${iid}`);
      },
    };
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title });
    await h.settle();

    expect(seen).toMatchObject({
      state: 'linked',
      gitlabHashes: { title: expect.any(String), state: expect.any(String) },
      spiraHashes: { name: expect.any(String), status: expect.any(String) },
    });
    const incident = h.spira.incidents(pid()).find((i) => i.Name === title);
    h.spira.updateIncident(pid(), incident?.IncidentId as number, h.world.spira.amy, {
      Name: 'Whole at completion, renamed in Spira',
    });
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();
    expect(h.gitlab.issue(gpid(), issue.iid)?.title).toBe('Whole at completion, renamed in Spira');
  });

  it('never makes an incident from an issue the sync made whose marker a person removed', async () => {
    const name = 'Spira-born, marker removed';
    const incident = h.spira.createIncident(pid(), h.world.spira.amy, {
      Name: name,
      Description: '<p>Amy wrote this</p>',
    });
    crashAt = {
      point: 'after-create',
      match: `sp-incident#${pid()}#${incident.IncidentId}`,
      before: async () => {
        const made = h.gitlab.issues(gpid()).find((i) => i.title === name);
        if (!made) throw new Error('the issue was not created before the crash');
        await h.gitlabAs('joe', 'PUT', `projects/${gpid()}/issues/${made.iid}`, {
          description: 'Joe rewrote this',
        });
      },
    };
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    expect(crashes).toContain(`after-create sp-incident#${pid()}#${incident.IncidentId}`);
    const issues = h.gitlab.issues(gpid()).filter((i) => i.title === name);
    expect(issues).toHaveLength(1);
    expect(h.spira.incidents(pid()).filter((i) => i.Name === name)).toHaveLength(1);
    // Both sides changed the text since the create; Spira's clock here runs ahead of GitLab's (earlier tests
    // advanced it), so Spira's is the later change: it wins on both sides and the conflict is recorded.
    expect(h.gitlab.issue(gpid(), issues[0]?.iid as number)?.description).toContain('Amy wrote this');
    expect(h.spira.incident(pid(), incident.IncidentId)?.Description).toContain('Amy wrote this');
    const history = await h.local.runtime.sync.audit.history(`gl-issue#${gpid()}#${issues[0]?.iid}`);
    expect(
      history.some((entry) => entry.kind === 'conflict' && entry.detail.startsWith('description/')),
    ).toBe(true);
  });

  it('posts one comment, with the edited text, for a note edited between a crashed claim and its retry', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'Noted' });
    await h.settle();
    let noteId = 0;
    crashAt = {
      point: 'after-claim',
      match: 'gl-note#',
      before: async () => {
        await h.gitlabAs('joe', 'PUT', `projects/${gpid()}/issues/${issue.iid}/notes/${noteId}`, {
          body: 'Second thoughts',
        });
      },
    };
    ({
      json: { id: noteId },
    } = await h.gitlabAs('joe', 'POST', `projects/${gpid()}/issues/${issue.iid}/notes`, { body: 'First' }));
    await h.settle();

    expect(crashes).toContain(`after-claim gl-note#${gpid()}#${noteId}`);
    const incident = h.spira.incidents(pid()).find((i) => i.Name === 'Noted');
    const texts = h.spira.comments(pid(), incident?.IncidentId as number).map((c) => c.Text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Second thoughts');
  });

  it('gives no issue of its own to an incident we made whose text and name people changed before the link', async () => {
    const title = 'Made, then renamed in Spira';
    let made = 0;
    crashAt = {
      point: 'after-create',
      match: 'gl-issue#',
      before: async () => {
        made = h.spira.incidents(pid()).find((i) => i.Name === title)?.IncidentId ?? 0;
        h.spira.updateIncident(pid(), made, h.world.spira.amy, { Description: '<p>Amy rewrote it</p>' });
        h.spira.updateIncident(pid(), made, h.world.spira.amy, { Name: 'Renamed by Amy' });
        // The poll sees an unmarked incident no link knows before the crashed create is retried.
        h.spira.advanceClock(1000);
        await h.local.pollNow();
      },
    };
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title });
    await h.settle();
    h.spira.advanceClock(1000);
    await h.local.pollNow();
    await h.settle();

    expect(made).toBeGreaterThan(0);
    expect(
      h.gitlab.issues(gpid()).filter((i) => i.title === 'Renamed by Amy' || i.title === title),
    ).toHaveLength(1);
    expect(
      h.spira.incidents(pid()).filter((i) => i.Name === 'Renamed by Amy' || i.Name === title),
    ).toHaveLength(1);
    const pair = await h.local.runtime.sync.links.get(`sp-incident#${pid()}#${made}`);
    expect(pair?.targetId).toBe(`gl-issue#${gpid()}#${issue.iid}`);
  });
});

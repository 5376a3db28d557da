import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';

/**
 * gitlab-api.md §0a.1–3 and §0a.5, reproduced by the GitLab stand-in and delivered through its webhook
 * dispatcher (which, like GitLab 17.11+, counts every 4xx toward disabling the hook) to the local runtime.
 */
describe('webhooks as real GitLab versions send them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ gitlab: { issueHookKind: 'work_item' } });
  });
  afterAll(async () => h?.stop());

  const gpid = () => h.world.gitlabProjectId;
  const hookId = () => h.gitlab.deliveries[0]?.hookId as number;
  const incidents = (name: string) =>
    h.spira.incidents(h.world.spiraProjectId).filter((i) => i.Name === name);

  it('syncs an issue GitLab 17.7 sent as object_kind "work_item" of type Issue (§0a.1, audit #3)', async () => {
    const { status } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, { title: 'From 17.7' });
    expect(status).toBe(201);
    await h.settle();
    const delivery = h.gitlab.deliveries.find((d) => d.event === 'Issue Hook');
    expect(delivery?.body).toMatchObject({ object_kind: 'work_item', object_attributes: { type: 'Issue' } });
    expect(delivery?.status).toBe(202);
    expect(incidents('From 17.7')).toHaveLength(1);
  });

  it('answers a group milestone’s hook (project: null) 2xx and syncs nothing (§0a.2, audit #12)', async () => {
    const before = h.gitlab.deliveries.length;
    for (let i = 0; i < 5; i++) h.gitlab.groupMilestoneHook(gpid(), `Group sprint ${i}`);
    await h.settle();
    const answers = h.gitlab.deliveries.slice(before).map((d) => d.status);
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    expect(h.gitlab.hookStatus(hookId())).toBe('executable');
    expect(h.spira.releases(h.world.spiraProjectId).filter((r) => r.Name.startsWith('Group sprint'))).toEqual(
      [],
    );
  });

  it('keeps the hook enabled through deliveries with new values and without unread fields (§0a.3, §0a.5, audit #10)', async () => {
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid()}/issues`, {
      title: 'Future',
    });
    await h.settle();
    const seed = h.gitlab.deliveries.filter((d) => d.event === 'Issue Hook').at(-1)?.body as Record<
      string,
      // biome-ignore lint/suspicious/noExplicitAny: a webhook body edited the way a later GitLab may send it
      any
    >;
    expect(seed.object_attributes.iid).toBe(issue.iid);
    const before = h.gitlab.deliveries.length;
    for (const action of ['archive', 'lock', 'pin', 'move', 'approve']) {
      const body = structuredClone(seed);
      delete body.user;
      delete body.object_attributes.title;
      delete body.object_attributes.created_at;
      body.event_type = `issue_${action}`;
      body.object_attributes.action = action;
      body.object_attributes.state = 'locked';
      h.gitlab.deliverAs(gpid(), 'issue_hooks', body);
    }
    await h.settle();
    expect(h.gitlab.deliveries.slice(before).map((d) => d.status)).toEqual([202, 202, 202, 202, 202]);
    expect(h.gitlab.hookStatus(hookId())).toBe('executable');
  });

  it('answers deliveries it cannot use for our project 2xx, records why, and the hook stays enabled (CONTRACT §3)', async () => {
    const seed = h.gitlab.deliveries.filter((d) => d.event === 'Issue Hook').at(-1)?.body as Record<
      string,
      // biome-ignore lint/suspicious/noExplicitAny: a webhook body edited the way a later GitLab may send it
      any
    >;
    const before = h.gitlab.deliveries.length;
    for (let i = 0; i < 5; i++) {
      const body = structuredClone(seed);
      body.object_attributes.updated_at = `in ${i} minutes`;
      h.gitlab.deliverAs(gpid(), 'issue_hooks', body);
    }
    await h.settle();
    expect(h.gitlab.deliveries.slice(before).map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
    expect(h.gitlab.hookStatus(hookId())).toBe('executable');
    const key = `gl-issue#${gpid()}#${seed.object_attributes.iid}`;
    const recorded = (await h.local.runtime.sync.audit.history(key)).filter((e) => e.action === 'unusable');
    expect(recorded).toHaveLength(5);
    expect(recorded[0]?.detail).toMatch(/object_attributes\.updated_at: not a GitLab timestamp/);
  });
});

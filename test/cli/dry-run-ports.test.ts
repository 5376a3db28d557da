import { describe, expect, it } from 'vitest';
import { DryRunLinkStore } from '../../lib/cli/backfill/dry-run-links.js';
import { DryRunUnsupportedError, dryRunGitLab, dryRunSpira } from '../../lib/cli/backfill/dry-run-ports.js';
import { reasonOf } from '../../lib/cli/backfill/summary.js';
import type { GitLabClient } from '../../lib/connectors/gitlab/gitlab-client.js';
import type { SpiraClient } from '../../lib/connectors/spira/spira-client.js';
import type { LinkRecord } from '../../lib/domain/link.js';
import type { LinkStore } from '../../lib/ports/link-store.js';

/** A client that records every method called on it. */
function spy<T>(answers: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const client = new Proxy(
    {},
    {
      get: (_t, prop) => async () => {
        calls.push(String(prop));
        return answers[String(prop)];
      },
    },
  ) as T;
  return { client, calls };
}

describe('dry-run ports', () => {
  it('refuse any write they do not simulate, without calling the real client', async () => {
    const gitlab = spy<GitLabClient>();
    const spira = spy<SpiraClient>();
    const port = dryRunGitLab(gitlab.client) as unknown as Record<string, () => unknown>;
    const spiraPort = dryRunSpira(spira.client) as unknown as Record<string, () => unknown>;

    expect(() => port.createMilestone?.()).toThrow(DryRunUnsupportedError);
    expect(() => port.deleteHook?.()).toThrow(/a dry run cannot simulate deleteHook: nothing was sent/);
    expect(() => spiraPort.createRelease?.()).toThrow(DryRunUnsupportedError);
    expect([...gitlab.calls, ...spira.calls]).toEqual([]);
  });

  it('keep simulated writes in memory and read them back, passing only reads on', async () => {
    const user = { id: 1, username: 'syncbot', name: 'Sync Bot' };
    const gitlab = spy<GitLabClient>({ currentUser: user, projectMembers: [user] });
    const spira = spy<SpiraClient>();
    const port = dryRunGitLab(gitlab.client);
    const spiraPort = dryRunSpira(spira.client);

    const issue = await port.createIssue(7, { title: 'T', assignee_ids: [1], labels: 'b,a' });
    await port.updateIssue(7, issue.iid, { state_event: 'close' });
    const id = await spiraPort.createIncident(3, {
      Name: 'N',
      Description: '',
      IncidentStatusId: 5,
      OpenerId: null,
      OwnerId: null,
      ResolvedReleaseId: null,
    });
    await spiraPort.addComment(3, id, '<p>c</p>', null);

    expect(issue.iid).toBeLessThan(0);
    expect(await port.issue(7, issue.iid)).toMatchObject({
      state: 'closed',
      labels: ['a', 'b'],
      assignees: [user],
    });
    expect(await spiraPort.incident(3, id)).toMatchObject({ Name: 'N', IncidentStatusId: 5 });
    expect((await spiraPort.comments(3, id)).map((c) => c.Text)).toEqual(['<p>c</p>']);
    expect(gitlab.calls.sort()).toEqual(['currentUser', 'projectMembers']);
    expect(spira.calls).toEqual([]);
  });

  it('keep the link store’s claim and version rules without writing', async () => {
    const real: LinkStore = {
      get: async () => undefined,
      claim: async () => {
        throw new Error('wrote');
      },
      save: async () => {
        throw new Error('wrote');
      },
      overwrite: async () => {
        throw new Error('wrote');
      },
    };
    const links = new DryRunLinkStore(real);

    const first = await links.claim('k', {});
    const second = await links.claim('k', {});
    const saved = await links.save({ ...(first.record as LinkRecord), state: 'linked' });

    expect([first.claimed, second.claimed]).toEqual([true, false]);
    expect(saved.version).toBe(1);
    await expect(links.save(first.record)).rejects.toThrow(/changed since it was read/);
  });

  it('count alike skip reasons together', () => {
    expect(reasonOf('comment already synced (gl-note#1#5)')).toBe('comment already synced');
    expect(reasonOf('Spira already matches (title, description)')).toBe('Spira already matches');
  });
});

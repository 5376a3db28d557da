import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLabClient } from '../../lib/connectors/gitlab/gitlab-client.js';
import { RemoteRetryableError } from '../../lib/domain/errors.js';

describe('GitLabClient retries reads only', () => {
  let gitlab: GitLabStandIn;
  let client: GitLabClient;
  let projectId: number;
  // The next request with this method gets a 500 (once).
  let failNext: string | undefined;
  beforeAll(async () => {
    gitlab = await GitLabStandIn.start({
      intercept: (req) => {
        if (req.method !== failNext) return undefined;
        failNext = undefined;
        return { status: 500, body: { message: '500 Internal Server Error' } };
      },
    });
    const bot = gitlab.addUser({ username: 'syncbot', name: 'Sync Bot' });
    projectId = gitlab.addProject({ namespace: 'acme', path: 'web', memberUserIds: [bot.id] }).id;
    client = new GitLabClient({ baseUrl: gitlab.baseUrl, token: bot.token });
  });
  afterAll(async () => gitlab?.stop());

  const statuses = (method: string) =>
    gitlab.requests.filter((r) => r.method === method).map((r) => r.status);

  it('repeats a read after a 500', async () => {
    const made = await client.createIssue(projectId, { title: 'Readable' });
    failNext = 'GET';

    expect((await client.issue(projectId, made.iid)).title).toBe('Readable');
    expect(statuses('GET')).toEqual([500, 200]);
  });

  it('does not repeat an issue update after a 500: the message is retried, reading the issue first', async () => {
    const made = await client.createIssue(projectId, { title: 'Before' });
    failNext = 'PUT';

    await expect(client.updateIssue(projectId, made.iid, { title: 'After' })).rejects.toBeInstanceOf(
      RemoteRetryableError,
    );
    expect(statuses('PUT')).toEqual([500]);
    expect(gitlab.issue(projectId, made.iid)?.title).toBe('Before');
  });
});

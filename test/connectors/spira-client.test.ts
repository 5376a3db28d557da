import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpiraClient } from '../../lib/connectors/spira/spira-client.js';
import { RemoteRetryableError } from '../../lib/domain/errors.js';

const API_KEY = '{5B2E7C10-4A6D-4F3E-8B9A-0C1D2E3F4A5B}';

describe('SpiraClient retries reads only', () => {
  let spira: SpiraStandIn;
  let client: SpiraClient;
  let projectId: number;
  let userId: number;
  // The next request to a path ending so gets a 500 (once).
  let failNext: { method: string; suffix: string } | undefined;
  beforeAll(async () => {
    spira = await SpiraStandIn.start({
      intercept: (req) => {
        if (!failNext || req.method !== failNext.method || !req.path.endsWith(failNext.suffix))
          return undefined;
        failNext = undefined;
        return { status: 500, body: 'Internal Server Error' };
      },
    });
    userId = spira.addUser({ firstName: 'Sync', lastName: 'Bot', userName: 'syncbot', apiKey: API_KEY });
    projectId = spira.addProject({ name: 'Retries', memberUserIds: [userId] });
    client = new SpiraClient({ baseUrl: spira.baseUrl, username: 'syncbot', apiKey: API_KEY });
  });
  afterAll(async () => spira?.stop());

  const posts = (suffix: string) =>
    spira.requests.filter((r) => r.method === 'POST' && r.path.endsWith(suffix)).map((r) => r.status);

  it('repeats an incident search (a POST that only reads) after a 500', async () => {
    spira.createIncident(projectId, userId, { Name: 'Findable' });
    failNext = { method: 'POST', suffix: '/incidents/search' };

    const found = await client.searchIncidents(projectId, [], 1, 50, 'IncidentId');

    expect(found.map((i) => i.Name)).toEqual(['Findable']);
    expect(posts('/incidents/search')).toEqual([500, 200]);
  });

  it('does not repeat a create POST after a 500: the error goes back to the queue', async () => {
    failNext = { method: 'POST', suffix: `projects/${projectId}/incidents` };

    const created = client.createIncident(projectId, {
      Name: 'Once',
      Description: '',
      OpenerId: userId,
      OwnerId: null,
      IncidentStatusId: null,
      ResolvedReleaseId: null,
    });

    await expect(created).rejects.toBeInstanceOf(RemoteRetryableError);
    expect(posts(`projects/${projectId}/incidents`)).toEqual([500]);
    expect(spira.incidents(projectId).filter((i) => i.Name === 'Once')).toEqual([]);
  });
});

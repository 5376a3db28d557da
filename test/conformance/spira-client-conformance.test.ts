import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../helpers/sync-harness.js';
import { loadSpiraSpec } from './spira-openapi.js';

const SPEC_PATH = resolve(process.cwd(), '../shared/spec/spira-rest-v7.0-openapi.json');

describe('every Spira request the sync makes matches the official v7.0 OpenAPI file', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it('checks path, method, query and body of each request of a full two-way scenario', async () => {
    const { spiraProjectId: pid, gitlabProjectId: gpid, spira: people } = h.world;
    // GitLab → Spira: create, note, edit, close (with a 409 on the way), title change.
    const { json: issue } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/issues`, {
      title: 'Conformance',
      description: 'x',
    });
    await h.settle();
    const { json: note } = await h.gitlabAs('alice', 'POST', `projects/${gpid}/issues/${issue.iid}/notes`, {
      body: 'note',
    });
    await h.gitlabAs('alice', 'PUT', `projects/${gpid}/issues/${issue.iid}/notes/${note.id}`, {
      body: 'edited',
    });
    await h.settle();
    const incidentId = h.spira.incidents(pid).find((i) => i.Name === 'Conformance')?.IncidentId as number;
    h.spira.updateIncident(pid, incidentId, people.amy, { OwnerId: people.joe });
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/issues/${issue.iid}`, {
      state_event: 'close',
      title: 'Conformance 2',
    });
    await h.settle();
    // Milestones ⇄ releases: a milestone (create), its edit found by polling (update), a Spira release.
    const { json: milestone } = await h.gitlabAs('fred', 'POST', `projects/${gpid}/milestones`, {
      title: 'M1',
    });
    await h.settle();
    await h.gitlabAs('fred', 'PUT', `projects/${gpid}/milestones/${milestone.id}`, { title: 'M1b' });
    h.spira.createRelease(pid, people.amy, { Name: 'R9', VersionNumber: '9.0' });
    // Spira → GitLab: a new incident found by the poller.
    await h.local.pollNow();
    h.spira.createIncident(pid, people.amy, { Name: 'From Spira', Description: '<p>hi</p>' });
    h.spira.advanceClock(h.world.config.spira.releasePollCycles * h.world.config.pollIntervalSeconds * 1000);
    await h.local.pollNow();
    await h.settle();

    const spec = loadSpiraSpec(SPEC_PATH);
    const problems = h.spira.requests.flatMap((r) =>
      spec.check({ method: r.method, path: r.path, query: r.query, body: r.body }),
    );
    const kinds = new Set(h.spira.requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, '{id}')}`));

    expect(problems).toEqual([]);
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        'POST projects/{id}/incidents',
        'PUT projects/{id}/incidents/{id}',
        'GET projects/{id}/incidents/{id}',
        'POST projects/{id}/incidents/{id}/comments',
        'POST projects/{id}/incidents/search',
        'GET system/settings/server-date-time',
        'GET project-templates/{id}/incidents/statuses',
        'POST projects/{id}/releases',
        'PUT projects/{id}/releases',
        'GET projects/{id}/releases/{id}',
        'POST projects/{id}/releases/search',
      ]),
    );
  });
});

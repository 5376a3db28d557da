import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RemoteIncidentLike, SpiraStandIn, type SpiraStandInOptions } from '../spira/index.js';

const API_KEY = '{7A1C9E04-1F2B-4C3D-9E8F-001122334455}';
const MIN_DATE = '0001-01-01T00:00:00.000Z';
const HOUR = 3_600_000;

interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

interface World {
  spira: SpiraStandIn;
  syncUserId: number;
  personId: number;
  projectId: number;
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;
}

async function startWorld(options: SpiraStandInOptions = {}): Promise<World> {
  const spira = await SpiraStandIn.start(options);
  const syncUserId = spira.addUser({
    firstName: 'Sync',
    lastName: 'Robot',
    userName: 'sync',
    apiKey: API_KEY,
  });
  const personId = spira.addUser({ firstName: 'Fred', lastName: 'Bloggs', userName: 'fred' });
  const projectId = spira.addProject({ name: 'Demo', memberUserIds: [syncUserId, personId] });
  const auth = { username: 'sync', 'api-key': API_KEY };
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = auth,
  ) => {
    const res = await fetch(`${spira.baseUrl}/Services/v7_0/RestService.svc/${path}`, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      headers: res.headers,
    };
  };
  return { spira, syncUserId, personId, projectId, call };
}

function lastUpdateFilter(start: string | null, end: string | null, considerTimes?: boolean): unknown[] {
  const range =
    considerTimes === undefined
      ? { StartDate: start, EndDate: end }
      : { StartDate: start, EndDate: end, ConsiderTimes: considerTimes };
  return [{ PropertyName: 'LastUpdateDate', DateRangeValue: range }];
}

describe('SpiraStandIn', () => {
  let w: World;

  beforeEach(async () => {
    w = await startWorld();
  });

  afterEach(async () => {
    await w.spira.stop();
  });

  describe('authentication', () => {
    it('accepts HTTP Basic, username/api-key headers and query-string credentials', async () => {
      // Prepare
      const basic = { authorization: `Basic ${Buffer.from(`sync:${API_KEY}`).toString('base64')}` };
      const query = `users?username=sync&api-key=${encodeURIComponent(API_KEY)}`;

      // Act
      const replies = [
        await w.call('GET', 'users', undefined, basic),
        await w.call('GET', 'users'),
        await w.call('GET', query, undefined, {}),
      ];

      // Assess
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(replies.map((r) => (r.body as { UserName: string }).UserName)).toEqual(['sync', 'sync', 'sync']);
      expect(w.spira.requests.map((r) => r.username)).toEqual(['sync', 'sync', 'sync']);
    });

    it('answers 401 with a JSON string for a wrong API key or no credentials', async () => {
      // Act
      const wrongKey = await w.call('GET', 'users', undefined, {
        username: 'sync',
        'api-key': '{00000000-0000-0000-0000-000000000000}',
      });
      const none = await w.call('GET', 'users', undefined, {});

      // Assess
      expect([wrongKey.status, none.status]).toEqual([401, 401]);
      expect(typeof wrongKey.body).toBe('string');
      expect(w.spira.requests.map((r) => r.status)).toEqual([401, 401]);
    });

    it('answers 401 with a membership message when the caller is not a member of the product', async () => {
      // Prepare
      const otherProject = w.spira.addProject({ name: 'Secret', memberUserIds: [w.personId] });

      // Act
      const reply = await w.call('GET', `projects/${otherProject}/incidents/count`);

      // Assess
      expect(reply.status).toBe(401);
      expect(reply.body).toMatch(new RegExp(`^You are not a member of product '${otherProject}'`));
    });
  });

  describe('incident updates', () => {
    it('rejects a PUT with a stale ConcurrencyDate (409) and accepts one with the current ConcurrencyDate', async () => {
      // Prepare
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Crash on save' });
      const stale = (await w.call('GET', `projects/${w.projectId}/incidents/${created.IncidentId}`))
        .body as RemoteIncidentLike;
      w.spira.updateIncident(w.projectId, created.IncidentId, w.personId, {
        Description: '<p>edited in the UI</p>',
      });

      // Act
      const conflict = await w.call('PUT', `projects/${w.projectId}/incidents/${created.IncidentId}`, {
        ...stale,
        Name: 'Mine',
      });
      const fresh = (await w.call('GET', `projects/${w.projectId}/incidents/${created.IncidentId}`))
        .body as RemoteIncidentLike;
      const accepted = await w.call('PUT', `projects/${w.projectId}/incidents/${created.IncidentId}`, {
        ...fresh,
        Name: 'Mine',
      });

      // Assess
      expect(conflict.status).toBe(409);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toBeUndefined();
      const after = w.spira.incident(w.projectId, created.IncidentId);
      expect(after?.Name).toBe('Mine');
      expect(after?.Description).toBe('<p>edited in the UI</p>');
      expect(after?.ConcurrencyDate).not.toBe(fresh.ConcurrencyDate);
      expect(after?.LastUpdateDate).toBe(after?.ConcurrencyDate);
    });

    it('records who changed which field when in the incident history, newest first', async () => {
      const created = w.spira.createIncident(w.projectId, w.personId, {
        Name: 'Old',
        Description: '<p>a</p>',
      });
      w.spira.updateIncident(w.projectId, created.IncidentId, w.personId, { Description: '<p>b</p>' });
      const current = (await w.call('GET', `projects/${w.projectId}/incidents/${created.IncidentId}`))
        .body as RemoteIncidentLike;
      await w.call('PUT', `projects/${w.projectId}/incidents/${created.IncidentId}`, {
        ...current,
        Name: 'New',
      });

      const history = await w.call(
        'GET',
        `projects/${w.projectId}/artifact-types/3/artifacts/${created.IncidentId}/history?start_row=1&number_rows=500&sort_property=ChangeDate&sort_direction=DESC`,
      );
      expect(history.status).toBe(200);
      const rows = history.body as {
        FieldName: string;
        OldValue: string;
        NewValue: string;
        ChangeSet: { UserId: number; ChangeDate: string };
      }[];
      // The "Added" change set has no field rows: Spira's outer join gives one row of nulls (§0a.2).
      expect(rows.map((r) => [r.FieldName, r.OldValue, r.NewValue, r.ChangeSet.UserId])).toEqual([
        ['Name', 'Old', 'New', w.syncUserId],
        ['Description', '<p>a</p>', '<p>b</p>', w.personId],
        [null, null, null, w.personId],
      ]);
      expect(rows[0]?.ChangeSet.ChangeDate).toBe(
        w.spira.incident(w.projectId, created.IncidentId)?.LastUpdateDate,
      );
    });

    it('records lookup fields in the history as their text, never the id (§0a.2)', async () => {
      const statuses = w.spira.statuses(w.projectId);
      const open = statuses.find((s) => s.Name === 'Open');
      const closed = statuses.find((s) => s.Name === 'Closed');
      const created = w.spira.createIncident(w.projectId, w.personId, {
        Name: 'Lookups',
        IncidentStatusId: open?.IncidentStatusId,
      });
      w.spira.updateIncident(w.projectId, created.IncidentId, w.personId, {
        IncidentStatusId: closed?.IncidentStatusId,
        OwnerId: w.syncUserId,
      });

      const history = await w.call(
        'GET',
        `projects/${w.projectId}/artifact-types/3/artifacts/${created.IncidentId}/history?start_row=1&number_rows=500`,
      );
      const rows = history.body as {
        FieldName: string | null;
        OldValue: string | null;
        NewValue: string | null;
      }[];
      expect(rows.filter((r) => r.FieldName).map((r) => [r.FieldName, r.OldValue, r.NewValue])).toEqual([
        ['IncidentStatusId', open?.Name, closed?.Name],
        ['OwnerId', null, 'Sync Robot'],
      ]);
    });

    it('runs a request that sends Accept without Content-Type, then fails it with a server error (§0a.1)', async () => {
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Doomed' });
      const path = `${w.spira.baseUrl}/Services/v7_0/RestService.svc/projects/${w.projectId}/incidents/${created.IncidentId}`;
      const auth = { username: 'sync', 'api-key': API_KEY };

      const both = await w.call('GET', `projects/${w.projectId}/incidents/${created.IncidentId}`);
      const get = await fetch(path, { headers: { ...auth, accept: 'application/json' } });
      const del = await fetch(path, { method: 'DELETE', headers: { ...auth, accept: 'application/json' } });

      expect(both.status).toBe(200);
      expect([get.status, del.status]).toEqual([500, 500]);
      expect(await get.text()).toMatch(/^<html>/);
      // The DELETE ran before the formatter failed.
      expect(w.spira.incident(w.projectId, created.IncidentId)).toBeUndefined();
    });

    it('clears OwnerId and Description when a PUT sends null or omits them', async () => {
      // Prepare
      const created = w.spira.createIncident(w.projectId, w.personId, {
        Name: 'Owned',
        OwnerId: w.personId,
        Description: '<p>x</p>',
      });
      const current = (await w.call('GET', `projects/${w.projectId}/incidents/${created.IncidentId}`))
        .body as RemoteIncidentLike;
      const { Description: _dropped, ...withoutDescription } = current;

      // Act
      const reply = await w.call('PUT', `projects/${w.projectId}/incidents/${created.IncidentId}`, {
        ...withoutDescription,
        OwnerId: null,
      });

      // Assess
      expect(reply.status).toBe(200);
      const after = w.spira.incident(w.projectId, created.IncidentId);
      expect(after?.OwnerId).toBeNull();
      expect(after?.OwnerName).toBeNull();
      expect(after?.Description).toBeNull();
      expect(after?.OpenerId).toBe(w.personId);
    });

    it('ignores a status change silently when Status Bulk Edit is off and applies it when on', async () => {
      // Prepare
      const closed = w.spira.statuses(w.projectId).find((s) => s.Name === 'Closed')?.IncidentStatusId;
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Status test' });
      const path = `projects/${w.projectId}/incidents/${created.IncidentId}`;
      w.spira.setStatusBulkEdit(w.spira.templateIdOf(w.projectId), false);
      const before = (await w.call('GET', path)).body as RemoteIncidentLike;

      // Act
      const ignored = await w.call('PUT', path, { ...before, IncidentStatusId: closed, Name: 'Renamed' });
      const afterOff = w.spira.incident(w.projectId, created.IncidentId);
      w.spira.setStatusBulkEdit(w.spira.templateIdOf(w.projectId), true);
      await w.call('PUT', path, { ...afterOff, IncidentStatusId: closed });

      // Assess
      expect(ignored.status).toBe(200);
      expect(afterOff?.IncidentStatusId).toBe(before.IncidentStatusId);
      expect(afterOff?.Name).toBe('Renamed');
      expect(w.spira.incident(w.projectId, created.IncidentId)?.IncidentStatusId).toBe(closed);
    });

    it('answers 401 when the body IncidentId belongs to another product', async () => {
      // Prepare
      const other = w.spira.addProject({ name: 'Other', memberUserIds: [w.syncUserId, w.personId] });
      const foreign = w.spira.createIncident(other, w.personId, { Name: 'Elsewhere' });

      // Act
      const reply = await w.call('PUT', `projects/${w.projectId}/incidents/${foreign.IncidentId}`, foreign);

      // Assess
      expect(reply.status).toBe(401);
      expect(w.spira.incident(other, foreign.IncidentId)?.ConcurrencyDate).toBe(foreign.ConcurrencyDate);
    });
  });

  describe('incident creation', () => {
    it('returns the submitted object with only IncidentId set, while a GET shows the server defaults', async () => {
      // Act
      const created = await w.call('POST', `projects/${w.projectId}/incidents`, {
        Name: 'From API',
        Unknown: 1,
      });
      const echo = created.body as RemoteIncidentLike;
      const stored = (await w.call('GET', `projects/${w.projectId}/incidents/${echo.IncidentId}`))
        .body as RemoteIncidentLike;

      // Assess
      expect(created.status).toBe(200);
      expect(echo).toMatchObject({
        Name: 'From API',
        ProjectId: w.projectId,
        IncidentStatusId: null,
        OpenerId: null,
      });
      expect(echo.ConcurrencyDate).toBe(MIN_DATE);
      expect(echo).not.toHaveProperty('Unknown');
      expect(stored.IncidentStatusName).toBe('New');
      expect(stored.IncidentTypeName).toBe('Incident');
      expect(stored.OpenerId).toBe(w.syncUserId);
      expect(stored.ConcurrencyDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(stored.ConcurrencyDate).not.toBe(MIN_DATE);
    });

    it('answers a Validation Fault when Name is missing', async () => {
      // Act
      const reply = await w.call('POST', `projects/${w.projectId}/incidents`, {
        Description: '<p>no name</p>',
      });

      // Assess
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ Summary: 'Validation Fault', Messages: [{ FieldName: 'Name' }] });
      expect(w.spira.incidents(w.projectId)).toHaveLength(0);
    });

    it('hides a soft-deleted incident from GET (404), search and count', async () => {
      // Prepare
      const kept = w.spira.createIncident(w.projectId, w.personId, { Name: 'Kept' });
      const gone = w.spira.createIncident(w.projectId, w.personId, { Name: 'Gone' });

      // Act
      const deleted = await w.call('DELETE', `projects/${w.projectId}/incidents/${gone.IncidentId}`);
      const get = await w.call('GET', `projects/${w.projectId}/incidents/${gone.IncidentId}`);
      const count = await w.call('GET', `projects/${w.projectId}/incidents/count`);
      const byIds = await w.call(
        'GET',
        `projects/${w.projectId}/incidents/search-by-ids?ids=${kept.IncidentId},${gone.IncidentId}`,
      );

      // Assess
      expect(deleted.status).toBe(200);
      expect(get).toMatchObject({ status: 404, body: 'Unable to locate requested incident' });
      expect(count.body).toBe(1);
      expect((byIds.body as RemoteIncidentLike[]).map((i) => i.IncidentId)).toEqual([kept.IncidentId]);
    });
  });

  describe('comments', () => {
    it('adds comments from an array without bumping LastUpdateDate or ConcurrencyDate', async () => {
      // Prepare
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Commented' });
      w.spira.advanceClock(60_000);

      // Act
      const reply = await w.call('POST', `projects/${w.projectId}/incidents/${created.IncidentId}/comments`, [
        { Text: '<p>first</p>' },
        { Text: '<p>second</p>', UserId: w.personId },
      ]);

      // Assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject([
        {
          ArtifactId: created.IncidentId,
          UserId: w.syncUserId,
          UserName: 'Sync Robot',
          Text: '<p>first</p>',
        },
        {
          ArtifactId: created.IncidentId,
          UserId: w.personId,
          UserName: 'Fred Bloggs',
          Text: '<p>second</p>',
        },
      ]);
      const after = w.spira.incident(w.projectId, created.IncidentId);
      expect(after?.LastUpdateDate).toBe(created.LastUpdateDate);
      expect(after?.ConcurrencyDate).toBe(created.ConcurrencyDate);
      expect(w.spira.comments(w.projectId, created.IncidentId).map((c) => c.Text)).toEqual([
        '<p>first</p>',
        '<p>second</p>',
      ]);
    });

    it('lists comments oldest first and offers no PUT or DELETE on them', async () => {
      // Prepare
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Thread' });
      w.spira.addComment(w.projectId, created.IncidentId, w.personId, '<p>later</p>');
      await w.call('POST', `projects/${w.projectId}/incidents/${created.IncidentId}/comments`, [
        { Text: '<p>back-dated</p>', CreationDate: '2020-01-01T00:00:00.000Z' },
      ]);
      const path = `projects/${w.projectId}/incidents/${created.IncidentId}/comments`;

      // Act
      const list = await w.call('GET', path);
      const put = await w.call('PUT', path, []);
      const del = await w.call('DELETE', path);

      // Assess
      expect((list.body as { Text: string }[]).map((c) => c.Text)).toEqual([
        '<p>back-dated</p>',
        '<p>later</p>',
      ]);
      expect([put.status, del.status]).toEqual([405, 405]);
    });
  });

  describe('incident search', () => {
    it('compares calendar dates unless ConsiderTimes is true', async () => {
      // Prepare: pin the fake clock to noon UTC so ±1 hour stays on the same calendar day
      const tomorrowNoon = new Date(Date.now() + 86_400_000).setUTCHours(12, 0, 0, 0);
      w.spira.advanceClock(tomorrowNoon - Date.now());
      const created = w.spira.createIncident(w.projectId, w.personId, { Name: 'Noon' });
      const anHourLater = new Date(Date.parse(created.LastUpdateDate) + HOUR).toISOString();
      const path = `projects/${w.projectId}/incidents/search?start_row=1&number_rows=100&sort_by=LastUpdateDate`;

      // Act
      const datesOnly = await w.call('POST', path, lastUpdateFilter(anHourLater, null));
      const withTimes = await w.call('POST', path, lastUpdateFilter(anHourLater, null, true));
      const exact = await w.call(
        'POST',
        path,
        lastUpdateFilter(created.LastUpdateDate, created.LastUpdateDate, true),
      );

      // Assess
      expect((datesOnly.body as unknown[]).length).toBe(1);
      expect((withTimes.body as unknown[]).length).toBe(0);
      expect((exact.body as unknown[]).length).toBe(1);
    });

    it('pages with a 1-based start_row, sorts by sort_by and returns [] past the end', async () => {
      // Prepare
      const ids = ['a', 'b', 'c', 'd', 'e'].map(
        (n) => w.spira.createIncident(w.projectId, w.personId, { Name: n }).IncidentId,
      );
      w.spira.updateIncident(w.projectId, ids[0] as number, w.personId, { Name: 'a2' });
      const page = (start: number) =>
        w.call(
          'POST',
          `projects/${w.projectId}/incidents/search?start_row=${start}&number_rows=2&sort_by=LastUpdateDate`,
          [],
        );

      // Act
      const pages = [await page(1), await page(3), await page(5), await page(6)];

      // Assess
      const idsOf = (r: Reply) => (r.body as RemoteIncidentLike[]).map((i) => i.IncidentId);
      expect(pages.map(idsOf)).toEqual([[ids[1], ids[2]], [ids[3], ids[4]], [ids[0]], []]);
    });

    it('filters on IncidentStatusId with MultiValue', async () => {
      // Prepare
      const [newStatus, assigned] = ['New', 'Assigned'].map(
        (n) => w.spira.statuses(w.projectId).find((s) => s.Name === n)?.IncidentStatusId,
      );
      w.spira.createIncident(w.projectId, w.personId, { Name: 'new one' });
      const hit = w.spira.createIncident(w.projectId, w.personId, {
        Name: 'assigned one',
        IncidentStatusId: assigned,
      });

      // Act
      const reply = await w.call(
        'POST',
        `projects/${w.projectId}/incidents/search?start_row=1&number_rows=10`,
        [{ PropertyName: 'IncidentStatusId', MultiValue: { Values: [assigned], IsNone: false } }],
      );

      // Assess
      expect(newStatus).not.toBe(assigned);
      expect((reply.body as RemoteIncidentLike[]).map((i) => i.IncidentId)).toEqual([hit.IncidentId]);
    });

    it('answers 406 for a non-integer start_row and 400 for a repeated filter property', async () => {
      // Act
      const badRow = await w.call(
        'POST',
        `projects/${w.projectId}/incidents/search?start_row=first&number_rows=10`,
        [],
      );
      const twice = await w.call(
        'POST',
        `projects/${w.projectId}/incidents/search?start_row=1&number_rows=10`,
        [...lastUpdateFilter(null, null, true), ...lastUpdateFilter(null, null, true)],
      );

      // Assess
      expect(badRow).toMatchObject({ status: 406, body: "The passed in 'start_row' needs to be an integer" });
      expect(twice.status).toBe(400);
    });
  });

  describe('releases', () => {
    const release = {
      Name: 'Sprint 1',
      VersionNumber: '1.0',
      StartDate: '2025-01-01T00:00:00.000Z',
      EndDate: '2025-01-15T00:00:00.000Z',
      ReleaseStatusId: 2,
      ReleaseTypeId: 3,
    };

    it('rejects a VersionNumber already used in the product with a Validation Fault', async () => {
      // Prepare
      const first = await w.call('POST', `projects/${w.projectId}/releases`, release);

      // Act
      const second = await w.call('POST', `projects/${w.projectId}/releases`, {
        ...release,
        Name: 'Sprint 1 again',
      });

      // Assess
      expect(first.status).toBe(200);
      expect(second.status).toBe(400);
      expect(second.body).toMatchObject({
        Summary: 'Validation Fault',
        Messages: [{ FieldName: 'VersionNumber' }],
      });
      expect(w.spira.releases(w.projectId).map((r) => r.Name)).toEqual(['Sprint 1']);
    });

    it("lists iterations with the releases, as Spira's code does despite its doc comment (finding 11)", async () => {
      await w.call('POST', `projects/${w.projectId}/releases`, {
        ...release,
        ReleaseTypeId: 1,
        VersionNumber: '2',
      });
      await w.call('POST', `projects/${w.projectId}/releases`, { ...release, VersionNumber: '2.1' });

      const listed = await w.call('GET', `projects/${w.projectId}/releases`);

      const types = (listed.body as { VersionNumber: string; ReleaseTypeId: number }[]).map((r) => [
        r.VersionNumber,
        r.ReleaseTypeId,
      ]);
      expect(types).toEqual([
        ['2', 1],
        ['2.1', 3],
      ]);
    });

    it('rejects a StartDate after the EndDate', async () => {
      // Act
      const reply = await w.call('POST', `projects/${w.projectId}/releases`, {
        ...release,
        StartDate: '2025-02-01T00:00:00.000Z',
      });

      // Assess
      expect(reply.status).toBe(400);
      expect(w.spira.releases(w.projectId)).toHaveLength(0);
    });

    it('updates a release by body ReleaseId and answers 409 on a stale ConcurrencyDate', async () => {
      // Prepare
      const created = w.spira.createRelease(w.projectId, w.personId, { Name: 'M1' });
      const stale = (await w.call('GET', `projects/${w.projectId}/releases/${created.ReleaseId}`))
        .body as Record<string, unknown>;

      // Act
      const ok = await w.call('PUT', `projects/${w.projectId}/releases`, { ...stale, Name: 'M1 renamed' });
      const conflict = await w.call('PUT', `projects/${w.projectId}/releases`, {
        ...stale,
        Name: 'lost update',
      });

      // Assess
      expect([ok.status, conflict.status]).toEqual([200, 409]);
      expect(w.spira.releases(w.projectId)[0]?.Name).toBe('M1 renamed');
    });

    it('finds releases changed since a date', async () => {
      // Prepare
      w.spira.createRelease(w.projectId, w.personId, { Name: 'Old' });
      w.spira.advanceClock(2 * 86_400_000);
      const fresh = w.spira.createRelease(w.projectId, w.personId, { Name: 'Fresh' });

      // Act
      const reply = await w.call(
        'POST',
        `projects/${w.projectId}/releases/search?start_row=1&number_rows=50`,
        lastUpdateFilter(fresh.LastUpdateDate, null, true),
      );

      // Assess
      expect((reply.body as { Name: string }[]).map((r) => r.Name)).toEqual(['Fresh']);
    });
  });

  describe('routing and clock', () => {
    it('answers 404 for an unknown route, 405 for a wrong verb and 400 for malformed JSON', async () => {
      // Act
      const unknown = await w.call('GET', 'no/such/thing');
      const wrongVerb = await w.call('DELETE', `projects/${w.projectId}/incidents/search`);
      const malformed = await w.call('POST', `projects/${w.projectId}/incidents`, '{"Name":');

      // Assess
      expect([unknown.status, wrongVerb.status, malformed.status]).toEqual([404, 405, 400]);
      expect(w.spira.incidents(w.projectId)).toHaveLength(0);
    });

    it('moves server-date-time forward with advanceClock', async () => {
      // Prepare
      const before = Date.parse((await w.call('GET', 'system/settings/server-date-time')).body as string);

      // Act
      w.spira.advanceClock(5 * HOUR);
      const after = Date.parse((await w.call('GET', 'system/settings/server-date-time')).body as string);

      // Assess
      expect(after - before).toBeGreaterThanOrEqual(5 * HOUR);
      expect(after - before).toBeLessThan(5 * HOUR + 60_000);
    });

    it('serves the project with its template and the template lookups', async () => {
      // Act
      const project = (await w.call('GET', `projects/${w.projectId}`)).body as { ProjectTemplateId: number };
      const statuses = await w.call(
        'GET',
        `project-templates/${project.ProjectTemplateId}/incidents/statuses`,
      );
      const users = await w.call('GET', `projects/${w.projectId}/users`);

      // Assess
      expect(project.ProjectTemplateId).toBe(w.spira.templateIdOf(w.projectId));
      expect(
        (statuses.body as { Name: string; Open: boolean }[]).filter((s) => !s.Open).map((s) => s.Name),
      ).toEqual(['Resolved', 'Closed', 'Not Reproducible', 'Duplicate']);
      expect((users.body as { FullName: string }[]).map((u) => u.FullName)).toEqual([
        'Sync Robot',
        'Fred Bloggs',
      ]);
    });
  });
});

describe('SpiraStandIn options', () => {
  let w: World | undefined;

  afterEach(async () => {
    await w?.spira.stop();
    w = undefined;
  });

  it('injects a 429 with Retry-After through intercept and records the final statuses', async () => {
    // Prepare
    let calls = 0;
    w = await startWorld({
      intercept: (req) =>
        req.path === 'users' && ++calls === 1
          ? { status: 429, headers: { 'Retry-After': '2' }, body: 'Too many' }
          : undefined,
    });

    // Act
    const throttled = await w.call('GET', 'users');
    const retried = await w.call('GET', 'users');

    // Assess
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(retried.status).toBe(200);
    expect(w.spira.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('never answers when intercept returns timeout, until stop()', async () => {
    // Prepare
    w = await startWorld({ intercept: () => 'timeout' });

    // Act
    const outcome = await fetch(`${w.spira.baseUrl}/Services/v7_0/RestService.svc/users`, {
      signal: AbortSignal.timeout(300),
    }).then(
      () => 'answered',
      (e: Error) => e.name,
    );

    // Assess
    expect(outcome).toBe('TimeoutError');
    expect(w.spira.requests).toHaveLength(1);
    expect(w.spira.requests[0]?.status).toBeUndefined();
  });

  it('delays every response by latencyMs', async () => {
    // Prepare
    w = await startWorld({ latencyMs: 150 });
    const started = performance.now();

    // Act
    const reply = await w.call('GET', 'system/settings/server-date-time');

    // Assess
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('creates templates with Status Bulk Edit off when asked, so a created status falls back to the default', async () => {
    // Prepare
    w = await startWorld({ statusBulkEdit: false });
    const closed = w.spira.statuses(w.projectId).find((s) => s.Name === 'Closed')?.IncidentStatusId;

    // Act
    const echo = (
      await w.call('POST', `projects/${w.projectId}/incidents`, { Name: 'x', IncidentStatusId: closed })
    ).body as RemoteIncidentLike;

    // Assess
    expect(echo.IncidentStatusId).toBe(closed);
    expect(w.spira.incident(w.projectId, echo.IncidentId)?.IncidentStatusName).toBe('New');
  });
});

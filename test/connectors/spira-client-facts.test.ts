/**
 * The facts of docs/spira-api.md §0a (and the audit's Spira findings), each met by the Spira client against
 * the stand-in that enforces it. Reverting the client's handling of a fact turns its test red.
 */

import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpiraClient } from '../../lib/connectors/spira/spira-client.js';
import { wireRows } from '../../lib/connectors/spira/spira-parse.js';
import {
  RemoteNotFoundError,
  RemotePermanentError,
  RemoteRetryableError,
  SchemaMismatchError,
} from '../../lib/domain/errors.js';
import { SyncCommandSchema } from '../../lib/domain/sync-command.js';

const API_KEY = '{0D3C2B1A-9F8E-4D7C-8B6A-5F4E3D2C1B0A}';

describe('SpiraClient against the facts of the real Spira', () => {
  let spira: SpiraStandIn;
  let client: SpiraClient;
  let pid: number;
  let me: number;
  let person: number;
  const skipped: unknown[] = [];
  beforeAll(async () => {
    spira = await SpiraStandIn.start();
    me = spira.addUser({ firstName: 'Sync', lastName: 'Bot', userName: 'syncbot', apiKey: API_KEY });
    person = spira.addUser({ firstName: 'Ada', lastName: 'Lovelace', userName: 'ada' });
    pid = spira.addProject({ name: 'Facts', memberUserIds: [me, person] });
    client = new SpiraClient({
      baseUrl: spira.baseUrl,
      username: 'syncbot',
      apiKey: API_KEY,
      log: { warn: (message, extra) => skipped.push({ message, ...extra }) },
    });
  });
  afterAll(async () => spira?.stop());

  const incidentPath = (id: number) => new RegExp(`^projects/${pid}/incidents/${id}$`);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('the call should fail'),
      (error: unknown) => error,
    );

  it('§0a.1 (finding 2): GETs and DELETEs succeed because every request carries Content-Type', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Read me' });
    spira.clearRequests();

    const now = await client.serverTime();
    const incident = await client.incident(pid, made.IncidentId);
    await client.deleteIncident(pid, made.IncidentId);

    expect(Date.parse(now)).not.toBeNaN();
    expect(incident.Name).toBe('Read me');
    expect(spira.requests.map((r) => [r.method, r.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
      ['DELETE', 200],
    ]);
  });

  it('§0a.2 (finding 1): the history of a new incident, with its null "Added" row, reads without error', async () => {
    const made = spira.createIncident(pid, person, { Name: 'New', Description: '<p>x</p>' });
    spira.updateIncident(pid, made.IncidentId, person, { Description: '<p>y</p>' });

    const changes = await client.incidentHistory(pid, made.IncidentId);

    expect(changes.map((c) => [c.FieldName, c.OldValue, c.NewValue, c.ChangeSet.UserId])).toEqual([
      ['Description', '<p>x</p>', '<p>y</p>', person],
    ]);
  });

  it('§0a.2 (finding 9): history holds lookup fields as their text, so the status is its name', async () => {
    const statuses = spira.statuses(pid);
    const closed = statuses.find((s) => s.Name === 'Closed');
    const made = spira.createIncident(pid, person, { Name: 'Lookups' });
    spira.updateIncident(pid, made.IncidentId, person, { IncidentStatusId: closed?.IncidentStatusId });

    const [change] = await client.incidentHistory(pid, made.IncidentId);

    expect(change).toMatchObject({ FieldName: 'IncidentStatusId', NewValue: 'Closed' });
  });

  it('§0a.3 (finding 14): null strings where Spira may send them are read, not rejected', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Nulls' });
    const real = await client.incident(pid, made.IncidentId);
    spira.injectFault(
      { status: 200, body: { ...real, Name: null, Description: null, OpenerName: null, Tags: null } },
      { method: 'GET', path: incidentPath(made.IncidentId) },
    );
    spira.injectFault(
      { status: 200, body: [{ UserId: person, FirstName: null, LastName: null, UserName: null }] },
      { method: 'GET', path: /\/users$/ },
    );
    spira.injectFault({ status: 200, body: { UserId: me, UserName: null } }, { path: /^users$/ });

    const incident = await client.incident(pid, made.IncidentId);
    const users = await client.projectUsers(pid);
    const current = await client.currentUser();

    expect([incident.Name, incident.Description]).toEqual(['', null]);
    expect(users).toEqual([expect.objectContaining({ UserId: person, UserName: '' })]);
    expect(current).toMatchObject({ UserId: me, UserName: '' });
  });

  it('finding 14/16: releases with null names are read, and one bad release is skipped, not the list', async () => {
    const good = spira.createRelease(pid, person, { Name: 'Sprint 1' });
    const rows = [
      { ...good, Name: null, VersionNumber: null },
      { ...good, ReleaseId: null },
    ];
    spira.injectFault({ status: 200, body: rows }, { method: 'GET', path: /\/releases$/ });
    skipped.length = 0;

    const releases = await client.releases(pid);

    expect(releases.map((r) => [r.ReleaseId, r.Name, r.VersionNumber])).toEqual([[good.ReleaseId, '', '']]);
    expect(wireRows(releases)).toBe(2);
    expect(skipped).toEqual([expect.objectContaining({ what: 'Spira releases', index: 1 })]);
  });

  it('finding 16: a write answer is read for the id only (the write already happened)', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Commented' });
    const echo = [{ CommentId: 4242, ArtifactId: null, UserId: 'me', Text: null, CreationDate: 'soon' }];
    spira.injectFault({ status: 200, body: echo }, { method: 'POST', path: /\/comments$/ });

    expect(await client.addComment(pid, made.IncidentId, '<p>hi</p>', null)).toBe(4242);
  });

  it('§0a.4 (finding 4): a 400 naming an SQL timeout or a deadlock is retried; a Validation Fault is not', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Busy' });
    const at = { method: 'GET', path: incidentPath(made.IncidentId) };
    spira.injectFault('sqlTimeout', at);
    const timeout = await failure(client.incident(pid, made.IncidentId));
    spira.injectFault('deadlock', at);
    const deadlock = await failure(client.incident(pid, made.IncidentId));
    spira.injectFault('validationFault', at);
    const invalid = await failure(client.incident(pid, made.IncidentId));

    expect(timeout).toBeInstanceOf(RemoteRetryableError);
    expect(deadlock).toBeInstanceOf(RemoteRetryableError);
    expect(invalid).toBeInstanceOf(RemotePermanentError);
    expect(invalid).not.toBeInstanceOf(RemoteNotFoundError);
  });

  it('§0a.5 (finding 4): a licence refusal (seats in use) is retried', async () => {
    spira.injectFault('licence', { path: /^users$/ });
    expect(await failure(client.currentUser())).toBeInstanceOf(RemoteRetryableError);
  });

  it('§0a.6 (finding 8): only Spira\'s JSON-string 404 means "deleted"; an HTML 404 is retried', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Behind a proxy' });
    spira.injectFault('html404', { method: 'GET', path: incidentPath(made.IncidentId) });
    const proxied = await failure(client.incident(pid, made.IncidentId));
    spira.deleteIncident(pid, made.IncidentId);
    const gone = await failure(client.incident(pid, made.IncidentId));

    expect(proxied).toBeInstanceOf(RemoteRetryableError);
    expect(gone).toBeInstanceOf(RemoteNotFoundError);
  });

  it('§0a.7 (finding 15): a date without a zone is UTC, held as ISO-Z, and fits the queue message', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Zoneless' });
    const real = await client.incident(pid, made.IncidentId);
    const zoneless = '2025-03-04T10:11:12.123';
    const body = { ...real, LastUpdateDate: zoneless, ConcurrencyDate: zoneless, CreationDate: zoneless };
    spira.injectFault({ status: 200, body: [body] }, { method: 'POST', path: /incidents\/search$/ });

    const [found] = await client.searchIncidents(pid, [], 1, 500, 'LastUpdateDate');
    const command = {
      v: 1,
      kind: 'spira.incident',
      spiraProjectId: pid,
      gitlabProjectId: 1,
      incidentId: made.IncidentId,
      eventAt: found?.LastUpdateDate,
    };

    expect(found?.LastUpdateDate).toBe('2025-03-04T10:11:12.123Z');
    // ConcurrencyDate is echoed in the PUT exactly as read: Spira compares it with what it holds.
    expect(found?.ConcurrencyDate).toBe(zoneless);
    expect(found?.CreationDate).toBe('2025-03-04T10:11:12.123Z');
    expect(SyncCommandSchema.safeParse(command).success).toBe(true);
  });

  it('a single object that lacks what the code reads is still a mismatch naming the field', async () => {
    const made = spira.createIncident(pid, person, { Name: 'Broken' });
    spira.injectFault(
      { status: 200, body: { IncidentId: made.IncidentId } },
      { path: incidentPath(made.IncidentId) },
    );
    const error = await failure(client.incident(pid, made.IncidentId));
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as SchemaMismatchError).problems.join(' ')).toMatch(/IncidentStatusId/);
  });
});

/**
 * Response fuzzing from Spira's official v7.0 OpenAPI file: for every Spira answer the client parses, 1,000
 * bodies generated from its RemoteXxx schema (every string possibly null, fields missing, unknown fields,
 * numbers at their limits) go through the real client over HTTP. The client may refuse a body only for a
 * field the code reads and cannot do without; a list is never refused (a bad element is skipped).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpiraClient } from '../../lib/connectors/spira/spira-client.js';
import { SchemaMismatchError } from '../../lib/domain/errors.js';
import { SpiraBodies } from './spira-response-arbitraries.js';

const SPEC_PATH = resolve(process.cwd(), '../shared/spec/spira-rest-v7.0-openapi.json');
const RUNS = 1_000;

/** What the code cannot go on without (ids, the status, dates it orders or round-trips by). */
const INCIDENT_NEEDS = ['IncidentId', 'ProjectId', 'IncidentStatusId', 'LastUpdateDate', 'ConcurrencyDate'];
const RELEASE_NEEDS = [
  'ReleaseId',
  'ReleaseStatusId',
  'ReleaseTypeId',
  'StartDate',
  'EndDate',
  'LastUpdateDate',
  'ConcurrencyDate',
];

interface Case {
  name: string;
  body: (b: SpiraBodies) => fc.Arbitrary<unknown>;
  call: (client: SpiraClient) => Promise<unknown>;
  /** Fields whose problems may refuse the body (or skip the element). */
  needs: string[];
  list: boolean;
}

const one = (schema: string) => (b: SpiraBodies) => b.object(schema);
const many = (schema: string) => (b: SpiraBodies) => b.list(schema);

const CASES: Case[] = [
  {
    name: 'serverTime (DateTime)',
    body: (b) => b.date(),
    call: (c) => c.serverTime(),
    needs: [],
    list: false,
  },
  {
    name: 'projectTemplateId (RemoteProject)',
    body: one('RemoteProject'),
    call: (c) => c.projectTemplateId(1),
    needs: ['ProjectTemplateId'],
    list: false,
  },
  {
    name: 'incidentStatuses (RemoteIncidentStatus[])',
    body: many('RemoteIncidentStatus'),
    call: (c) => c.incidentStatuses(1),
    needs: ['IncidentStatusId'],
    list: true,
  },
  ...(
    [
      ['priorities', 'RemoteIncidentPriority', 'PriorityId'],
      ['severities', 'RemoteIncidentSeverity', 'SeverityId'],
      ['types', 'RemoteIncidentType', 'IncidentTypeId'],
    ] as const
  ).map(([kind, schema, id]) => ({
    name: `incidentLookupIds ${kind} (${schema}[])`,
    body: many(schema),
    call: (c: SpiraClient) => c.incidentLookupIds(1, kind),
    needs: [id],
    list: true,
  })),
  {
    name: 'projectUsers (RemoteProjectUser[])',
    body: many('RemoteProjectUser'),
    call: (c) => c.projectUsers(1),
    needs: ['UserId'],
    list: true,
  },
  {
    name: 'incident (RemoteIncident)',
    body: one('RemoteIncident'),
    call: (c) => c.incident(1, 1),
    needs: INCIDENT_NEEDS,
    list: false,
  },
  {
    name: 'createIncident answer (RemoteIncident)',
    body: one('RemoteIncident'),
    call: (c) =>
      c.createIncident(1, {
        Name: 'x',
        Description: null,
        OpenerId: null,
        OwnerId: null,
        IncidentStatusId: null,
        ResolvedReleaseId: null,
      }),
    needs: ['IncidentId'],
    list: false,
  },
  {
    name: 'searchIncidents (RemoteIncident[])',
    body: many('RemoteIncident'),
    call: (c) => c.searchIncidents(1, [], 1, 500, 'LastUpdateDate'),
    needs: INCIDENT_NEEDS,
    list: true,
  },
  {
    name: 'incidentHistory (RemoteHistoryChange[])',
    body: many('RemoteHistoryChange'),
    call: (c) => c.incidentHistory(1, 1),
    needs: [],
    list: true,
  },
  {
    name: 'comments (RemoteComment[])',
    body: many('RemoteComment'),
    call: (c) => c.comments(1, 1),
    needs: ['CommentId'],
    list: true,
  },
  {
    name: 'addComment answer (RemoteComment[])',
    body: (b) => fc.array(b.object('RemoteComment'), { minLength: 1, maxLength: 1 }),
    call: (c) => c.addComment(1, 1, '<p>x</p>', null),
    needs: ['CommentId'],
    list: false,
  },
  {
    name: 'releases (RemoteRelease[])',
    body: many('RemoteRelease'),
    call: (c) => c.releases(1),
    needs: RELEASE_NEEDS,
    list: true,
  },
  {
    name: 'release (RemoteRelease)',
    body: one('RemoteRelease'),
    call: (c) => c.release(1, 1),
    needs: RELEASE_NEEDS,
    list: false,
  },
  {
    name: 'releasesChangedSince (RemoteRelease[])',
    body: many('RemoteRelease'),
    call: (c) => c.releasesChangedSince(1, '2024-01-01T00:00:00.000Z'),
    needs: RELEASE_NEEDS,
    list: true,
  },
  {
    name: 'createRelease answer (RemoteRelease)',
    body: one('RemoteRelease'),
    call: (c) =>
      c.createRelease(1, {
        Name: 'x',
        Description: null,
        VersionNumber: '1',
        ReleaseStatusId: 1,
        ReleaseTypeId: 3,
        StartDate: '2024-01-01T00:00:00.000Z',
        EndDate: '2024-01-02T00:00:00.000Z',
      }),
    needs: ['ReleaseId'],
    list: false,
  },
  {
    name: 'currentUser (RemoteUser)',
    body: one('RemoteUser'),
    call: (c) => c.currentUser(),
    needs: ['UserId'],
    list: false,
  },
];

/** The top-level field a problem (`[0].Name: …`, `IncidentId: …`) is about. */
function fieldOf(problem: string): string {
  return /^(?:\[\d+\]\.?)?([^.[:]*)/.exec(problem)?.[1] ?? problem;
}

describe('Spira responses generated from the OpenAPI file', () => {
  let server: Server;
  let client: SpiraClient;
  let answer: unknown;
  const skipped: string[][] = [];
  const bodies = new SpiraBodies(SPEC_PATH);
  const figures: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = createServer((_req, res) => {
      _req.resume();
      _req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    client = new SpiraClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      username: 'fuzz',
      apiKey: '{00000000-0000-0000-0000-000000000000}',
      log: { warn: (_message, extra) => skipped.push((extra?.problems as string[]) ?? []) },
    });
  });
  afterAll(async () => {
    console.log(`Spira response fuzzing (${RUNS} bodies per schema):\n${JSON.stringify(figures, null, 1)}`);
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  for (const c of CASES) {
    it(`never fails ${c.name} on a field the code does not read`, { timeout: 180_000 }, async () => {
      let runs = 0;
      let refused = 0;
      let failures = 0;
      skipped.length = 0;
      await fc.assert(
        fc.asyncProperty(c.body(bodies), async (body) => {
          runs += 1;
          answer = body;
          const outcome = await c.call(client).then(
            () => undefined,
            (error: unknown) => error,
          );
          if (outcome !== undefined) {
            const ok =
              !c.list &&
              outcome instanceof SchemaMismatchError &&
              outcome.problems.every((p) => c.needs.includes(fieldOf(p)));
            if (!ok) failures += 1;
            else refused += 1;
            expect(ok, `refused for a field it need not read: ${String(outcome)}`).toBe(true);
          }
        }),
        { numRuns: RUNS, seed: 11 },
      );
      const badSkips = skipped.filter((problems) => !problems.every((p) => c.needs.includes(fieldOf(p))));
      figures.push({
        schema: c.name,
        bodies: runs,
        refusedOnReadField: refused,
        elementsSkipped: skipped.length,
        failures,
      });
      expect(runs).toBeGreaterThanOrEqual(RUNS);
      expect(badSkips).toEqual([]);
    });
  }
});

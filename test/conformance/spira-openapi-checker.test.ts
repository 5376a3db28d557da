import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpiraSpec, type SpiraRequestRecord } from './spira-openapi.js';

const SPEC_PATH = resolve(process.cwd(), '../shared/spec/spira-rest-v7.0-openapi.json');

function request(overrides: Partial<SpiraRequestRecord> & Pick<SpiraRequestRecord, 'method' | 'path'>) {
  return { query: {}, body: undefined, ...overrides };
}

function problemsOf(req: SpiraRequestRecord): string[] {
  return loadSpiraSpec(SPEC_PATH)
    .check(req)
    .map((p) => p.problem);
}

const incident = {
  Name: 'Login button does nothing',
  Description: '<p>Clicking <b>Login</b> has no effect.</p>',
  IncidentStatusId: 1,
  IncidentTypeId: 2,
  PriorityId: null,
  OwnerId: 7,
  ComponentIds: [3],
  StartDate: '2024-01-31T17:09:14.620Z',
  CustomProperties: [{ PropertyNumber: 1, StringValue: 'gitlab#42' }],
};

describe('loadSpiraSpec', () => {
  it('loads every operation of the official v7.0 file', () => {
    // Act
    const spec = loadSpiraSpec(SPEC_PATH);

    // Assess
    expect(spec.operationCount).toBe(614);
    expect(loadSpiraSpec(SPEC_PATH)).toBe(spec);
  });
});

describe('SpiraSpec.check — incidents', () => {
  it('accepts a RemoteIncident created with POST projects/1/incidents', () => {
    expect(problemsOf(request({ method: 'POST', path: 'projects/1/incidents', body: incident }))).toEqual([]);
  });

  it('names an unknown property of the body', () => {
    // Prepare
    const body = { ...incident, Foo: 'bar' };

    // Act
    const problems = problemsOf(request({ method: 'POST', path: 'projects/1/incidents', body }));

    // Assess
    expect(problems).toEqual(['body.Foo: property not in RemoteIncident']);
  });

  it('names the field path of a wrong type', () => {
    // Prepare
    const body = { ...incident, Name: 42, ComponentIds: [3, '4'] };

    // Act
    const problems = problemsOf(request({ method: 'POST', path: 'projects/1/incidents', body }));

    // Assess
    expect(problems).toEqual([
      'body.Name: expected string, got number',
      'body.ComponentIds[1]: expected integer, got string',
    ]);
  });

  it('rejects malformed dates and null in non-nullable value fields', () => {
    // Prepare
    const body = { ...incident, IncidentId: 5, StartDate: 'yesterday', ConcurrencyDate: null };

    // Act
    const problems = problemsOf(request({ method: 'PUT', path: 'projects/1/incidents/5', body }));

    // Assess
    expect(problems).toEqual([
      "body.StartDate: expected date-time, got 'yesterday'",
      'body.ConcurrencyDate: expected string (date-time), got null',
    ]);
  });

  it('accepts a full-object PUT projects/1/incidents/5 with nulls in reference-type fields', () => {
    // Prepare
    const body = { ...incident, IncidentId: 5, ConcurrencyDate: '2024-01-31T17:09:14.620', Tags: null };

    // Act
    const problems = problemsOf(request({ method: 'PUT', path: 'projects/1/incidents/5', body }));

    // Assess
    expect(problems).toEqual([]);
  });

  it('accepts an array of RemoteComment posted to incident comments', () => {
    // Prepare
    const body = [{ ArtifactId: 5, Text: '<p>Synced from GitLab</p>', UserId: 7, CreationDate: null }];

    // Act
    const problems = problemsOf(request({ method: 'POST', path: 'projects/1/incidents/5/comments', body }));

    // Assess
    expect(problems).toEqual([]);
  });

  it('rejects a single comment object where the operation takes an array', () => {
    // Prepare
    const body = { ArtifactId: 5, Text: 'hello' };

    // Act
    const problems = problemsOf(request({ method: 'POST', path: 'projects/1/incidents/5/comments', body }));

    // Assess
    expect(problems).toEqual(['body: expected array, got object']);
  });

  it('names the array index of a wrong comment field', () => {
    // Prepare
    const body = [{ Text: 5 }];

    // Act
    const problems = problemsOf(request({ method: 'POST', path: 'projects/1/incidents/5/comments', body }));

    // Assess
    expect(problems).toEqual(['body[0].Text: expected string, got number']);
  });
});

describe('SpiraSpec.check — search and query strings', () => {
  const searchBody = [
    {
      PropertyName: 'LastUpdateDate',
      DateRangeValue: { StartDate: '2024-01-31T17:09:14.620Z', EndDate: null, ConsiderTimes: true },
    },
    { PropertyName: 'IncidentStatusId', MultiValue: { Values: [1, 2], IsNone: false } },
  ];

  it('accepts a filtered search with paging and sort query parameters', () => {
    // Prepare
    const query = { start_row: '1', number_rows: '500', sort_by: 'LastUpdateDate' };

    // Act
    const problems = problemsOf(
      request({ method: 'POST', path: 'projects/1/incidents/search', query, body: searchBody }),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('rejects an undeclared query key', () => {
    // Prepare
    const query = { start_row: '1', page_size: '50' };

    // Act
    const problems = problemsOf(
      request({ method: 'POST', path: 'projects/1/incidents/search', query, body: searchBody }),
    );

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^query\.page_size: not a declared parameter of POST \/projects\/\{project_id\}/,
    );
  });

  it('uses the real WCF query key where it differs from the template variable', () => {
    // Prepare
    const path = 'projects/1/incidents/search-by-ids';

    // Act
    const real = problemsOf(request({ method: 'GET', path, query: { ids: '1,2,3' } }));
    const variable = problemsOf(request({ method: 'GET', path, query: { incident_ids: '1,2,3' } }));

    // Assess
    expect(real).toEqual([]);
    expect(variable).toHaveLength(1);
  });
});

describe('SpiraSpec.check — routing', () => {
  it('rejects an unknown path', () => {
    expect(problemsOf(request({ method: 'GET', path: 'projects/1/issues' }))).toEqual([
      "path: no operation matches 'projects/1/issues'",
    ]);
  });

  it('prefers the literal route and reports a method it lacks', () => {
    // Act
    const problems = problemsOf(request({ method: 'DELETE', path: 'projects/1/incidents/search' }));

    // Assess
    expect(problems).toEqual([
      'method: DELETE not allowed on /projects/{project_id}/incidents/search (allowed: GET, POST)',
    ]);
  });

  it('accepts GET system/settings/server-date-time', () => {
    expect(problemsOf(request({ method: 'GET', path: 'system/settings/server-date-time' }))).toEqual([]);
  });

  it('reports a body sent to an operation without one and a missing required body', () => {
    // Act
    const extra = problemsOf(request({ method: 'GET', path: 'projects/1/incidents/5', body: { a: 1 } }));
    const missing = problemsOf(request({ method: 'PUT', path: 'projects/1/incidents/5' }));

    // Assess
    expect(extra).toEqual(['body: GET /projects/{project_id}/incidents/{incident_id} takes no request body']);
    expect(missing).toEqual([
      'body: missing (required by PUT /projects/{project_id}/incidents/{incident_id})',
    ]);
  });

  it('checks .NET primitive bodies as the JSON primitive they are', () => {
    // Prepare
    const path = 'data-syncs/3/success';

    // Act
    const date = problemsOf(request({ method: 'POST', path, body: '2024-01-31T17:09:14.620Z' }));
    const object = problemsOf(request({ method: 'POST', path, body: { MinValue: '2024-01-31T17:09:14Z' } }));

    // Assess
    expect(date).toEqual([]);
    expect(object).toEqual(['body: expected string (date-time), got object']);
  });

  it('prefixes every problem with the request line', () => {
    // Act
    const [problem] = loadSpiraSpec(SPEC_PATH).check(
      request({ method: 'get', path: 'projects/1/incidents/search', query: { bogus: 'x' } }),
    );

    // Assess
    expect(problem?.request).toBe('GET projects/1/incidents/search?bogus=x');
  });
});

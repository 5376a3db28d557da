import { describe, expect, it } from 'vitest';
import { newReleaseFor, releaseFields, uniqueVersionNumber } from '../../lib/domain/milestone-release.js';

const milestone = {
  projectId: 5,
  id: 61,
  iid: 10,
  title: 'v1.0',
  description: 'First **stable**',
  state: 'active' as const,
  startDate: null,
  dueDate: null,
  createdAt: '2026-06-16T14:10:57.000Z',
  updatedAt: '2026-06-16T14:10:57.000Z',
};

describe('milestone → release', () => {
  it('fills the dates Spira requires: start = creation day, end = two weeks later', () => {
    const release = newReleaseFor(milestone, 3, new Set());
    expect(release).toMatchObject({
      Name: 'v1.0',
      VersionNumber: 'GL-10',
      ReleaseStatusId: 2,
      ReleaseTypeId: 3,
    });
    expect([release.StartDate, release.EndDate]).toEqual([
      '2026-06-16T00:00:00.000Z',
      '2026-06-30T00:00:00.000Z',
    ]);
    expect(release.Description).toContain('<strong>stable</strong>');
  });

  it('never ends before it starts', () => {
    const release = newReleaseFor(
      { ...milestone, startDate: '2026-07-10', dueDate: '2026-07-01' },
      3,
      new Set(),
    );
    expect([release.StartDate, release.EndDate]).toEqual([
      '2026-07-10T00:00:00.000Z',
      '2026-07-10T00:00:00.000Z',
    ]);
  });

  it('makes the version number unique in the product', () => {
    expect(uniqueVersionNumber(10, new Set(['gl-10', 'gl-10.2']))).toBe('GL-10.3');
  });

  it('counts Completed, Closed, Deferred and Cancelled releases as closed milestones', () => {
    const base = {
      projectId: 1,
      releaseId: 1,
      Name: 'R',
      Description: null,
      VersionNumber: '1',
      StartDate: '2026-01-01T00:00:00.000Z',
      EndDate: '2026-01-02T00:00:00.000Z',
    };
    expect([1, 2, 3, 4, 5, 6].map((id) => releaseFields({ ...base, ReleaseStatusId: id }).state)).toEqual([
      'active',
      'active',
      'closed',
      'closed',
      'closed',
      'closed',
    ]);
  });
});

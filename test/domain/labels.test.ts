import { describe, expect, it } from 'vitest';
import {
  fieldsFromLabels,
  issueLabelsWith,
  labelsFromIncident,
  syncedLabels,
} from '../../lib/domain/labels.js';

const maps = {
  priority: { 'priority::high': 2, P1: 2, 'priority::low': 4 },
  severity: { 'sev::1': 1 },
  type: { bug: 2 },
  otherLabelsAsTags: true,
};

describe('label maps', () => {
  it('derives incident fields from labels (first mapped label per kind, the rest as Tags)', () => {
    expect(fieldsFromLabels(['ui', 'priority::high', 'bug', 'api'], maps)).toEqual({
      PriorityId: 2,
      SeverityId: null,
      IncidentTypeId: 2,
      Tags: 'api, ui',
    });
    expect(fieldsFromLabels([], maps)).toEqual({ PriorityId: null, SeverityId: null, Tags: null });
  });

  it('derives the label set of an incident with the first label configured for each id', () => {
    expect(
      labelsFromIncident({ PriorityId: 2, SeverityId: 1, IncidentTypeId: 9, Tags: 'ui, api' }, maps),
    ).toEqual(['api', 'priority::high', 'sev::1', 'ui']);
  });

  it('keeps labels the sync does not manage when it rewrites an issue’s labels', () => {
    const noTags = { ...maps, otherLabelsAsTags: false };
    expect(syncedLabels(['ui', 'P1'], noTags)).toEqual(['P1']);
    expect(issueLabelsWith(['ui', 'P1'], ['priority::low'], noTags)).toEqual(['priority::low', 'ui']);
  });
});

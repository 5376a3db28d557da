import { describe, expect, it } from 'vitest';
import { MappingConfigError } from '../../lib/domain/errors.js';
import {
  gitlabStateOf,
  primaryStatusFor,
  spiraStatusFor,
  unmappedStatuses,
} from '../../lib/domain/status.js';

// New(1) Open(2) Assigned(3) are open; Resolved(4) Closed(5) closed. Primaries: New, Closed.
const rows = [
  { spiraStatusId: 1, gitlab: 'opened' as const, primary: true },
  { spiraStatusId: 2, gitlab: 'opened' as const, primary: false },
  { spiraStatusId: 3, gitlab: 'opened' as const, primary: false },
  { spiraStatusId: 4, gitlab: 'closed' as const, primary: false },
  { spiraStatusId: 5, gitlab: 'closed' as const, primary: true },
];

describe('Inflectra status rules', () => {
  it('keeps a status that already maps to the GitLab state ("Assigned" stays Assigned)', () => {
    expect(spiraStatusFor(rows, 3, 'opened')).toBe(3);
    expect(spiraStatusFor(rows, 4, 'closed')).toBe(4);
  });

  it('sets the primary status when the state changes', () => {
    expect(spiraStatusFor(rows, 3, 'closed')).toBe(5);
    expect(spiraStatusFor(rows, 4, 'opened')).toBe(1);
  });

  it('sets the primary status for a new incident', () => {
    expect(spiraStatusFor(rows, undefined, 'closed')).toBe(5);
  });

  it('maps statuses to states and lists unmapped template statuses', () => {
    expect(gitlabStateOf(rows, 2)).toBe('opened');
    expect(gitlabStateOf(rows, 9)).toBeUndefined();
    expect(unmappedStatuses(rows, [1, 2, 3, 4, 5, 6, 7])).toEqual([6, 7]);
  });

  it('fails with a mapping error when a state has no primary', () => {
    expect(() => primaryStatusFor(rows.slice(1, 4), 'opened')).toThrow(MappingConfigError);
  });
});

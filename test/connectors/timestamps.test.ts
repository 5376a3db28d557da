import { describe, expect, it } from 'vitest';
import { parseGitLabTimestamp } from '../../lib/connectors/gitlab/timestamps.js';

describe('GitLab timestamps', () => {
  it.each([
    ['2021-06-22 02:38:01 UTC', '2021-06-22T02:38:01.000Z'],
    ['2025-05-21T16:06:02.869Z', '2025-05-21T16:06:02.869Z'],
    ['2013-12-03T17:15:43Z', '2013-12-03T17:15:43.000Z'],
    ['2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00.000Z'],
    ['2024-03-01 10:00:00 +0200', '2024-03-01T08:00:00.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseGitLabTimestamp(input)).toBe(iso);
  });

  it.each(['yesterday', '2021-13-45 99:99:99 UTC', '', '2021-06-22'])('rejects %j', (input) => {
    expect(parseGitLabTimestamp(input)).toBeUndefined();
  });
});

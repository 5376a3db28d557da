import { describe, expect, it } from 'vitest';
import { buildUserMap, normaliseName } from '../../lib/domain/users.js';

const spira = [
  { userId: 1, fullName: 'Fred  Bloggs', userName: 'fredb' },
  { userId: 2, fullName: 'Joe Smith', userName: 'joe1' },
  { userId: 3, fullName: 'joe smith', userName: 'joe2' },
  { userId: 4, fullName: 'Amy Tester', userName: 'amy' },
];
const gitlab = [
  { id: 10, username: 'fred', name: 'FRED BLOGGS' },
  { id: 11, username: 'joe', name: 'Joe Smith' },
  { id: 12, username: 'amy-a', name: 'Amy Tester' },
  { id: 13, username: 'amy-b', name: 'Amy Tester' },
];

describe('user mapping', () => {
  it('auto-maps names case-insensitively with white space folded', () => {
    const map = buildUserMap([], true, spira, gitlab);
    expect(map.spiraIdFor('fred')).toBe(1);
    expect(map.gitlabUsernameFor(1)).toBe('fred');
    expect(normaliseName('  Fred \t Bloggs ')).toBe('fred bloggs');
  });

  it('never auto-maps a name that occurs twice on either side', () => {
    const map = buildUserMap([], true, spira, gitlab);
    expect(map.spiraIdFor('joe')).toBeUndefined();
    expect(map.gitlabUsernameFor(4)).toBeUndefined();
    expect(map.spiraIdFor('amy-a')).toBeUndefined();
  });

  it('lets manual pairs win over name matches, on both sides', () => {
    const map = buildUserMap([{ spiraUserId: 4, gitlabUsername: 'fred' }], true, spira, gitlab);
    expect(map.spiraIdFor('FRED')).toBe(4);
    expect(map.gitlabUsernameFor(4)).toBe('fred');
    expect(map.gitlabUsernameFor(1)).toBeUndefined();
  });

  it('maps nobody by name when auto-mapping is off', () => {
    const map = buildUserMap([{ spiraUserId: 2, gitlabUsername: 'joe' }], false, spira, gitlab);
    expect(map.spiraIdFor('fred')).toBeUndefined();
    expect(map.spiraIdFor('joe')).toBe(2);
  });
});

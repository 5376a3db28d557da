/** A user of either side, as far as mapping needs it. */
export interface SpiraPerson {
  userId: number;
  fullName: string;
  userName: string;
}
export interface GitLabPerson {
  id: number;
  username: string;
  name: string;
}

/** Who is who on the other side. Manual pairs win over name matches. */
export interface UserMap {
  spiraIdFor(gitlabUsername: string): number | undefined;
  gitlabUsernameFor(spiraUserId: number): string | undefined;
}

/** Names compared case-insensitively with runs of white space folded (CONTRACT §2 `autoMapUsers`). */
export function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function uniqueByName<T>(people: readonly T[], nameOf: (person: T) => string): Map<string, T> {
  const counts = new Map<string, number>();
  for (const person of people)
    counts.set(normaliseName(nameOf(person)), (counts.get(normaliseName(nameOf(person))) ?? 0) + 1);
  const unique = new Map<string, T>();
  for (const person of people) {
    const key = normaliseName(nameOf(person));
    if (key && counts.get(key) === 1) unique.set(key, person);
  }
  return unique;
}

/**
 * Builds the user map from the config's manual pairs and, when `autoMap`, from names that occur exactly
 * once on each side (a name found twice on either side is never auto-mapped).
 */
export function buildUserMap(
  manual: readonly { spiraUserId: number; gitlabUsername: string }[],
  autoMap: boolean,
  spiraUsers: readonly SpiraPerson[],
  gitlabUsers: readonly GitLabPerson[],
): UserMap {
  const toSpira = new Map<string, number>();
  const toGitLab = new Map<number, string>();
  if (autoMap) {
    const spiraByName = uniqueByName(spiraUsers, (u) => u.fullName);
    for (const [name, gitlabUser] of uniqueByName(gitlabUsers, (u) => u.name)) {
      const spiraUser = spiraByName.get(name);
      if (!spiraUser) continue;
      toSpira.set(gitlabUser.username.toLowerCase(), spiraUser.userId);
      toGitLab.set(spiraUser.userId, gitlabUser.username);
    }
  }
  // A manual pair removes every name match that involves either of its two users.
  for (const pair of manual) {
    const username = pair.gitlabUsername.toLowerCase();
    for (const [name, id] of toSpira) if (id === pair.spiraUserId || name === username) toSpira.delete(name);
    for (const [id, name] of toGitLab)
      if (id === pair.spiraUserId || name.toLowerCase() === username) toGitLab.delete(id);
  }
  for (const pair of manual) {
    toSpira.set(pair.gitlabUsername.toLowerCase(), pair.spiraUserId);
    toGitLab.set(pair.spiraUserId, pair.gitlabUsername);
  }
  return {
    spiraIdFor: (username) => toSpira.get(username.toLowerCase()),
    gitlabUsernameFor: (userId) => toGitLab.get(userId),
  };
}

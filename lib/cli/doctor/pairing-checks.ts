import { normaliseName } from '../../domain/users.js';
import { type CheckLine, fail, info, pass, warn } from './check-line.js';
import type { ProjectCheck } from './project-checks.js';

function counts(names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of names.map(normaliseName)) if (name) out.set(name, (out.get(name) ?? 0) + 1);
  return out;
}

/** Manual pairs name members; the auto-mapping preview shows who maps to whom and who is ambiguous. */
export async function checkUsers(p: ProjectCheck, gitlabProjectId: number): Promise<CheckLine[]> {
  const [spiraUsers, gitlabUsers] = await Promise.all([
    p.spira.projectUsers(p.project.spiraProjectId),
    p.gitlab.projectMembers(gitlabProjectId),
  ]);
  const lines: CheckLine[] = [];
  p.config.users.forEach((pair, k) => {
    if (!spiraUsers.some((u) => u.UserId === pair.spiraUserId))
      lines.push(
        fail(
          `users[${k}].spiraUserId: user ${pair.spiraUserId} is not a member of product ${p.project.spiraProjectId}`,
          'fix the id or add the user to the product',
        ),
      );
    if (!gitlabUsers.some((u) => u.username.toLowerCase() === pair.gitlabUsername.toLowerCase()))
      lines.push(
        fail(
          `users[${k}].gitlabUsername: @${pair.gitlabUsername} is not a member of ${p.gitlabPath}`,
          'fix the username or add the user to the project',
        ),
      );
  });
  if (!p.config.autoMapUsers) {
    lines.push(
      info(
        `user auto-mapping is off: ${p.config.users.length} manual pair(s); others appear as the sync user with an attribution line`,
      ),
    );
    return lines;
  }
  const fullName = (u: (typeof spiraUsers)[number]) => `${u.FirstName ?? ''} ${u.LastName ?? ''}`;
  const spiraCounts = counts(spiraUsers.map(fullName));
  const gitlabCounts = counts(gitlabUsers.map((u) => u.name));
  const unmatched: string[] = [];
  for (const user of spiraUsers) {
    const name = normaliseName(fullName(user));
    const twice =
      (spiraCounts.get(name) ?? 0) > 1 ? 'Spira' : (gitlabCounts.get(name) ?? 0) > 1 ? 'GitLab' : undefined;
    const match = gitlabUsers.find((g) => normaliseName(g.name) === name);
    if (twice)
      lines.push(
        warn(
          `"${fullName(user).trim()}" occurs more than once in ${twice}: not auto-mapped`,
          `add a users[] entry for ${user.UserName} (spiraUserId ${user.UserId})`,
        ),
      );
    else if (match)
      lines.push(
        info(
          `auto-map: ${fullName(user).trim()} (${user.UserName}, user ${user.UserId}) ⇄ @${match.username}`,
        ),
      );
    else unmatched.push(`${fullName(user).trim() || user.UserName} (${user.UserName})`);
  }
  if (unmatched.length)
    lines.push(
      info(
        `no GitLab member of the same name: ${unmatched.join(', ')} (they appear as the sync user with an attribution line)`,
      ),
    );
  return lines;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Configured release pairs exist; releases and milestones of the same name are paired (else duplicates). */
export async function checkReleases(p: ProjectCheck, gitlabProjectId: number): Promise<CheckLine[]> {
  const [releases, milestones] = await Promise.all([
    p.spira.releases(p.project.spiraProjectId),
    p.gitlab.milestones(gitlabProjectId),
  ]);
  const path = `projects[${p.index}].releases`;
  const lines: CheckLine[] = [];
  p.project.releases.forEach((pair, k) => {
    if (!releases.some((r) => r.ReleaseId === pair.spiraReleaseId))
      lines.push(
        fail(`${path}[${k}].spiraReleaseId: release ${pair.spiraReleaseId} does not exist`, 'fix the id'),
      );
    if (!milestones.some((m) => m.id === pair.gitlabMilestoneId))
      lines.push(
        fail(
          `${path}[${k}].gitlabMilestoneId: milestone ${pair.gitlabMilestoneId} does not exist in ${p.gitlabPath}`,
          "use the milestone's id (not its iid)",
        ),
      );
  });
  for (const release of releases) {
    if (p.project.releases.some((r) => r.spiraReleaseId === release.ReleaseId)) continue;
    const twin = milestones.find((m) => same(m.title, release.Name) || same(m.title, release.VersionNumber));
    if (twin && !p.project.releases.some((r) => r.gitlabMilestoneId === twin.id))
      lines.push(
        fail(
          `release "${release.Name}" (${release.ReleaseId}) and milestone "${twin.title}" (id ${twin.id}) match but are not paired`,
          `add { "spiraReleaseId": ${release.ReleaseId}, "gitlabMilestoneId": ${twin.id} } to ${path}, or both get a duplicate`,
        ),
      );
  }
  if (lines.length === 0)
    lines.push(pass(`releases: ${p.project.releases.length} pair(s) configured, no unpaired namesakes`));
  return lines;
}

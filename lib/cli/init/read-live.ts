import { GitLabClient } from '../../connectors/gitlab/gitlab-client.js';
import type { GitLabUser } from '../../connectors/gitlab/rest-schemas.js';
import { SpiraClient } from '../../connectors/spira/spira-client.js';
import type { SpiraProjectUser } from '../../connectors/spira/spira-schemas.js';
import { normaliseName } from '../../domain/users.js';
import { CliError } from '../io.js';
import type { InitValues } from './init-template.js';

/** Where `init --from-live` reads from (secrets from the environment, never written to the file). */
export interface LiveSource {
  spiraUrl: string;
  spiraUsername: string;
  spiraApiKey: string;
  spiraProjectId: number;
  gitlabUrl: string;
  gitlabToken: string;
  /** Full path, `group/sub/project`. */
  gitlabProject: string;
}

function pickPrimaries(statuses: { IncidentStatusId: number; Name: string; Open: boolean }[]) {
  // The first open status is the template default in a stock template ("New"); for closed prefer "Closed".
  const opened = statuses.find((s) => s.Open);
  const closed = statuses.find((s) => !s.Open && /^closed$/i.test(s.Name)) ?? statuses.find((s) => !s.Open);
  if (!opened || !closed)
    throw new CliError(
      'the template needs at least one open and one closed incident status to map to GitLab',
    );
  return statuses.map((s) => ({
    id: s.IncidentStatusId,
    name: s.Name,
    gitlab: s.Open ? ('opened' as const) : ('closed' as const),
    primary: s === opened || s === closed,
  }));
}

/** Pairs people whose full name occurs once on each side; the rest become comments saying why. */
export function pairUsers(spiraUsers: SpiraProjectUser[], gitlabUsers: GitLabUser[]) {
  const fullName = (u: SpiraProjectUser) => `${u.FirstName ?? ''} ${u.LastName ?? ''}`.trim();
  const count = (names: string[]) => {
    const m = new Map<string, number>();
    for (const n of names.map(normaliseName)) m.set(n, (m.get(n) ?? 0) + 1);
    return m;
  };
  const spiraCount = count(spiraUsers.map(fullName));
  const gitlabCount = count(gitlabUsers.map((u) => u.name));
  const users: InitValues['users'] = [];
  const notes: string[] = [];
  for (const user of spiraUsers) {
    const name = normaliseName(fullName(user));
    const match = gitlabUsers.find((g) => normaliseName(g.name) === name);
    if ((spiraCount.get(name) ?? 0) > 1 || (gitlabCount.get(name) ?? 0) > 1)
      notes.push(
        `${fullName(user)} (${user.UserName}, user ${user.UserId}): name occurs twice, pair by hand`,
      );
    else if (match)
      users.push({ spiraUserId: user.UserId, gitlabUsername: match.username, name: fullName(user) });
    else
      notes.push(`${fullName(user) || user.UserName} (user ${user.UserId}): no GitLab member of that name`);
  }
  return { users, notes };
}

/** Reads the project, its statuses, people and releases from both systems. */
export async function readLive(source: LiveSource): Promise<InitValues> {
  const spira = new SpiraClient({
    baseUrl: source.spiraUrl,
    username: source.spiraUsername,
    apiKey: source.spiraApiKey,
  });
  const gitlab = new GitLabClient({ baseUrl: source.gitlabUrl, token: source.gitlabToken });
  const pid = source.spiraProjectId;
  const [templateId, project, me] = await Promise.all([
    spira.projectTemplateId(pid),
    gitlab.project(source.gitlabProject),
    gitlab.currentUser(),
  ]);
  const [statuses, spiraUsers, gitlabUsers, releases, milestones] = await Promise.all([
    spira.incidentStatuses(templateId),
    spira.projectUsers(pid),
    gitlab.projectMembers(project.id),
    spira.releases(pid),
    gitlab.milestones(project.id),
  ]);
  const { users, notes } = pairUsers(
    spiraUsers,
    gitlabUsers.filter((u) => u.id !== me.id),
  );
  const slash = project.path_with_namespace.lastIndexOf('/');
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  return {
    spira: { baseUrl: source.spiraUrl, username: source.spiraUsername },
    gitlab: {
      baseUrl: source.gitlabUrl,
      account: project.path_with_namespace.slice(0, slash),
      login: me.username,
    },
    autoMapUsers: true,
    project: {
      spiraProjectId: pid,
      gitlabProject: project.path_with_namespace.slice(slash + 1),
      statuses: pickPrimaries(statuses),
      releases: releases.flatMap((r) => {
        const twin = milestones.find((m) => same(m.title, r.Name) || same(m.title, r.VersionNumber));
        return twin
          ? [{ spiraReleaseId: r.ReleaseId, gitlabMilestoneId: twin.id, name: `${r.Name} ⇄ ${twin.title}` }]
          : [];
      }),
    },
    users,
    userNotes: notes.length ? notes : ['everyone is paired'],
    source: `read from ${source.spiraUrl} product ${pid} and ${source.gitlabUrl} ${project.path_with_namespace}`,
  };
}

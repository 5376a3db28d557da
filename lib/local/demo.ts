import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { type ResolvedConfig, resolveSecrets } from '../config/secrets.js';
import { parseSyncConfig } from '../config/sync-config.js';

/** Amy's API key in the demo (a Spira-only tester), printed by `npm start` for the Spira-side curl. */
export const DEMO_AMY_API_KEY = '{0C6E2A4B-9D1F-4E37-A5B8-3F2D6C9E1A70}';

/** What seeding made: ids and credentials to act as people on both sides. */
export interface DemoWorld {
  config: ResolvedConfig;
  spiraProjectId: number;
  gitlabProjectId: number;
  gitlabPath: string;
  /** GitLab users (id, token) by username; `syncbot` is the sync's own account. */
  gitlab: Record<'syncbot' | 'fred' | 'joe' | 'alice', { id: number; token: string }>;
  /** Spira user ids by login. */
  spira: Record<'syncbot' | 'fred' | 'joe' | 'amy', number>;
  webhookSecret: string;
}

/** Demo mode of `npm start` (no SYNC_CONFIG): both stand-ins on free ports, seeded; stop them when done. */
export async function startDemo(): Promise<{ gitlab: GitLabStandIn; spira: SpiraStandIn; world: DemoWorld }> {
  const [gitlab, spira] = await Promise.all([GitLabStandIn.start(), SpiraStandIn.start()]);
  return { gitlab, spira, world: await seedDemo(spira, gitlab) };
}

/**
 * Seeds a Spira product and a GitLab project with people on both sides (Fred and Joe exist in both and
 * are auto-mapped by name; Alice is only in GitLab, Amy only in Spira) and returns a config that points
 * at the two stand-ins.
 */
export async function seedDemo(
  spiraFake: SpiraStandIn,
  gitlabFake: GitLabStandIn,
  webhookSecret = 'demo-webhook-secret',
): Promise<DemoWorld> {
  const apiKey = '{7A05FD06-83C3-4436-B37F-51BCF0060483}';
  const spira = {
    syncbot: spiraFake.addUser({ firstName: 'Sync', lastName: 'Bot', userName: 'syncbot', apiKey }),
    fred: spiraFake.addUser({ firstName: 'Fred', lastName: 'Bloggs', userName: 'fredb' }),
    joe: spiraFake.addUser({ firstName: 'Joe', lastName: 'Smith', userName: 'joes' }),
    amy: spiraFake.addUser({
      firstName: 'Amy',
      lastName: 'Tester',
      userName: 'amyt',
      apiKey: DEMO_AMY_API_KEY,
    }),
  };
  const spiraProjectId = spiraFake.addProject({ name: 'Velociraptor', memberUserIds: Object.values(spira) });
  const gitlab = {
    syncbot: gitlabFake.addUser({ username: 'syncbot', name: 'Sync Bot' }),
    fred: gitlabFake.addUser({ username: 'fred', name: 'Fred Bloggs' }),
    joe: gitlabFake.addUser({ username: 'joe', name: 'Joe Smith' }),
    alice: gitlabFake.addUser({ username: 'alice', name: 'Alice Developer' }),
  };
  const project = gitlabFake.addProject({
    namespace: 'gitlab-examples',
    path: 'velociraptor',
    memberUserIds: Object.values(gitlab).map((u) => u.id),
  });
  const statuses = spiraFake.statuses(spiraProjectId);
  const primary = (name: string) => statuses.find((s) => s.Name === name)?.IncidentStatusId;
  const parsed = parseSyncConfig({
    spira: { baseUrl: spiraFake.baseUrl, username: 'syncbot', apiKey },
    gitlab: {
      baseUrl: gitlabFake.baseUrl,
      account: 'gitlab-examples',
      login: 'syncbot',
      token: gitlab.syncbot.token,
      webhookSecret,
    },
    autoMapUsers: true,
    pollIntervalSeconds: 5,
    projects: [
      {
        spiraProjectId,
        gitlabProject: 'velociraptor',
        incidentStatuses: statuses.map((s) => ({
          spiraStatusId: s.IncidentStatusId,
          gitlab: s.Open ? 'opened' : 'closed',
          primary: s.IncidentStatusId === primary('New') || s.IncidentStatusId === primary('Closed'),
        })),
      },
    ],
  });
  const config = await resolveSecrets(parsed, {}, async () => undefined);
  return {
    config,
    spiraProjectId,
    gitlabProjectId: project.id,
    gitlabPath: project.path_with_namespace,
    gitlab,
    spira,
    webhookSecret,
  };
}

/** Points a GitLab project webhook at the sync's endpoint with every trigger the sync needs. */
export function hookUp(gitlabFake: GitLabStandIn, world: DemoWorld, endpoint: string): number {
  return gitlabFake.addHook(world.gitlabProjectId, {
    url: `${endpoint}/webhooks/gitlab`,
    token: world.webhookSecret,
    issues_events: true,
    confidential_issues_events: true,
    note_events: true,
    confidential_note_events: true,
    milestone_events: true,
  });
}

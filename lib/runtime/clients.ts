import type { ResolvedConfig } from '../config/secrets.js';
import { GitLabClient } from '../connectors/gitlab/gitlab-client.js';
import { SpiraClient } from '../connectors/spira/spira-client.js';
import type { Log } from '../ports/sync-ports.js';

/** The one GitLab client and the one Spira client of a process. */
export function apiClientsOf(config: ResolvedConfig, log?: Log) {
  return {
    gitlab: new GitLabClient({
      baseUrl: config.gitlab.baseUrl,
      token: config.gitlab.token,
      ...(log ? { log } : {}),
    }),
    spira: new SpiraClient({
      baseUrl: config.spira.baseUrl,
      username: config.spira.username,
      apiKey: config.spira.apiKey,
    }),
  };
}
export type ApiClients = ReturnType<typeof apiClientsOf>;

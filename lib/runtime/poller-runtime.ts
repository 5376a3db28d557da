import type { ProjectConfig } from '../config/sync-config.js';
import type { MilestonePollDeps } from '../engine/poll-milestones.js';
import type { PollDeps } from '../engine/poll-spira.js';
import type { ReconcileDeps } from '../engine/reconcile-gitlab.js';
import { DynamoAuditStore } from '../stores/dynamo-audit-store.js';
import { DynamoCursorStore } from '../stores/dynamo-cursor-store.js';
import { DynamoLinkStore } from '../stores/dynamo-link-store.js';
import { DynamoWatchStore } from '../stores/dynamo-watch-store.js';
import { type Basics, buildBasics, type RuntimeOptions } from './basics.js';
import { type ApiClients, apiClientsOf } from './clients.js';

/** What the spira-poller function uses. */
export interface PollerRuntime {
  poll: PollDeps;
  reconcile: ReconcileDeps;
  milestones: MilestonePollDeps;
}

export function pollerDepsOf(b: Basics, { gitlab, spira }: ApiClients): PollerRuntime {
  const { config, log, queue } = b;
  const links = new DynamoLinkStore(b.aws.db, b.env.TABLE_NAME);
  const cursors = new DynamoCursorStore(b.aws.db, b.env.TABLE_NAME);
  const ids = new Map<string, Promise<number>>();
  // The numeric GitLab project id, looked up once per container.
  const gitlabProjectId = (project: ProjectConfig) => {
    const path = project.gitlabProject.includes('/')
      ? project.gitlabProject
      : `${config.gitlab.account}/${project.gitlabProject}`;
    if (!ids.has(path))
      ids.set(
        path,
        gitlab.project(path).then((p) => p.id),
      );
    return ids.get(path) as Promise<number>;
  };
  const shared = { gitlabProjectId, queue, cursors, projects: config.projects, log };
  return {
    poll: {
      ...shared,
      spira,
      links,
      watches: new DynamoWatchStore(b.aws.db, b.env.TABLE_NAME),
      commentBudget: config.spira.commentPollBudget,
      releasePollEveryMs: config.spira.releasePollCycles * config.pollIntervalSeconds * 1000,
      timeOffsetHours: config.timeOffsetHours,
      overlapMs: 2 * 60_000,
    },
    reconcile: {
      ...shared,
      gitlab,
      links,
      audit: new DynamoAuditStore(b.aws.db, b.env.TABLE_NAME),
      everyMinutes: config.gitlab.reconcileMinutes,
      now: () => new Date(),
    },
    milestones: { ...shared, gitlab, enabled: config.gitlab.pollMilestones },
  };
}

export async function buildPollerRuntime(options: RuntimeOptions = {}): Promise<PollerRuntime> {
  const b = await buildBasics(options);
  return pollerDepsOf(b, apiClientsOf(b.config, b.log));
}

import type { ProjectConfig } from '../config/sync-config.js';
import type { GitLabPage } from '../connectors/gitlab/gitlab-client.js';
import type { GitLabHook, GitLabIssue, GitLabNote } from '../connectors/gitlab/rest-schemas.js';
import { keys } from '../domain/link.js';
import { isOlder } from '../domain/ordering.js';
import { deduplicationIdOf } from '../domain/sync-command.js';
import type { Audit } from '../ports/audit.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { LinkStore } from '../ports/link-store.js';
import type { Log } from '../ports/sync-ports.js';

/** What reconciliation needs. */
export interface ReconcileDeps {
  gitlab: {
    issuesUpdatedAfter(projectId: number, after: string, page: number): Promise<GitLabPage<GitLabIssue>>;
    notes(projectId: number, iid: number): Promise<GitLabNote[]>;
    hooks(projectId: number): Promise<GitLabHook[]>;
  };
  gitlabProjectId(project: ProjectConfig): Promise<number>;
  queue: Pick<CommandQueue, 'send'>;
  links: LinkStore;
  cursors: CursorStore;
  audit: Audit;
  projects: readonly ProjectConfig[];
  /** 0 = off (the default: the sync is webhook-driven). */
  everyMinutes: number;
  log: Log;
  now: () => Date;
}

const OVERLAP_MS = 60_000;

/**
 * Opt-in: feeds issues and notes whose webhooks were lost (GitLab drops events while a hook is disabled or
 * over its rate limit) through the same queue, and surfaces a webhook GitLab has disabled. Runs at most
 * every `everyMinutes`; with nothing changed it costs one issue list and one hook list per project.
 */
export async function reconcileGitLab(deps: ReconcileDeps): Promise<{ queued: number }> {
  if (deps.everyMinutes <= 0) return { queued: 0 };
  let queued = 0;
  for (const project of deps.projects.filter((p) => p.active)) {
    const gpid = await deps.gitlabProjectId(project);
    const cursor = `gitlab-reconcile#${gpid}`;
    const [last, lastRun] = await Promise.all([deps.cursors.get(cursor), deps.cursors.get(`${cursor}#run`)]);
    if (lastRun && deps.now().getTime() - Date.parse(lastRun) < deps.everyMinutes * 60_000) continue;
    await checkHooks(deps, project, gpid);
    const since = last
      ? new Date(Date.parse(last) - OVERLAP_MS).toISOString()
      : new Date(deps.now().getTime() - deps.everyMinutes * 60_000).toISOString();
    let newest = last ?? since;
    for (let page = 1; ; page++) {
      const { items, nextPage } = await deps.gitlab.issuesUpdatedAfter(gpid, since, page);
      for (const issue of items) {
        queued += await reconcileIssue(deps, project, gpid, issue);
        if (issue.updated_at > newest) newest = issue.updated_at;
      }
      if (nextPage === undefined) break;
    }
    await deps.cursors.set(cursor, newest);
    await deps.cursors.set(`${cursor}#run`, deps.now().toISOString());
  }
  return { queued };
}

async function reconcileIssue(
  deps: ReconcileDeps,
  project: ProjectConfig,
  gpid: number,
  issue: GitLabIssue,
): Promise<number> {
  const link = await deps.links.get(keys.gitlabIssue(gpid, issue.iid));
  if (link?.appliedEventAt && !isOlder(link.appliedEventAt, issue.updated_at)) return 0;
  const base = {
    v: 1 as const,
    spiraProjectId: project.spiraProjectId,
    gitlabProjectId: gpid,
    iid: issue.iid,
  };
  await deps.queue.send(
    { ...base, kind: 'gitlab.issue', eventAt: issue.updated_at },
    deduplicationIdOf(`reconcile:${gpid}:${issue.iid}:${issue.updated_at}`),
  );
  let queued = 1;
  // A note changes the issue's updated_at without an issue hook: look for notes never synced.
  for (const note of await deps.gitlab.notes(gpid, issue.iid)) {
    if (note.system || (await deps.links.get(keys.gitlabNote(gpid, note.id)))) continue;
    await deps.queue.send(
      { ...base, kind: 'gitlab.note', noteId: note.id, eventAt: note.updated_at },
      deduplicationIdOf(`reconcile-note:${gpid}:${note.id}:${note.updated_at}`),
    );
    queued++;
  }
  deps.log.warn('reconciliation found a change the webhook did not deliver', {
    gitlabProjectId: gpid,
    iid: issue.iid,
    queued,
  });
  return queued;
}

async function checkHooks(deps: ReconcileDeps, project: ProjectConfig, gpid: number): Promise<void> {
  const hooks = (await deps.gitlab.hooks(gpid)).filter((h) => h.url.includes('/webhooks/gitlab'));
  const broken = hooks.filter((h) => h.alert_status !== undefined && h.alert_status !== 'executable');
  const problem =
    hooks.length === 0
      ? 'no GitLab webhook points at the sync (…/webhooks/gitlab)'
      : broken.length > 0
        ? `GitLab has ${broken.map((h) => `${h.alert_status?.replace('_', ' ')} hook ${h.id}${h.disabled_until ? ` until ${h.disabled_until}` : ''}`).join(', ')}: its events are lost until it is enabled again`
        : undefined;
  if (!problem) return;
  deps.log.error('webhook problem', { gitlabProjectId: gpid, problem });
  await deps.audit.record(`gl-project#${gpid}`, project.spiraProjectId, {
    at: deps.now().toISOString(),
    kind: 'webhook',
    action: 'alert',
    detail: problem,
  });
}

import { resolveSecrets } from '../../config/secrets.js';
import { loadSyncConfig, type SyncConfig } from '../../config/sync-config.js';
import type { GitLabClient } from '../../connectors/gitlab/gitlab-client.js';
import type { AuditEntry } from '../../domain/audit.js';
import {
  gitlabPathOf,
  type ProjectStatus,
  readStatus,
  type StatusSnapshot,
} from '../../ops/status-snapshot.js';
import { openState, type QueueDepth, type SyncState } from '../../ops/sync-state.js';
import { configPathOf, connect, ssmReader } from '../cli-config.js';
import { type CliIo, printJson } from '../io.js';
import { readLocalHealth, renderHealth } from '../local-health.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `status`. */
export interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

/**
 * The status sources of the CLI: the located stores, GitLab for project ids (webhook alerts; skipped when
 * `gitlab.token` cannot be read: status needs no secret), SQS for depths.
 */
export function cliStatusSources(state: SyncState, config: SyncConfig, gitlab: GitLabClient | undefined) {
  return {
    config,
    audit: state.audit,
    parking: state.parking,
    cursors: state.cursors,
    gitlabProjectId: async (project: (typeof config.projects)[number]) => {
      if (!gitlab) throw new Error('gitlab.token cannot be read here');
      return (await gitlab.project(gitlabPathOf(config, project))).id;
    },
    queueDepths: async () => {
      const queue = await state.depth(state.location.queueUrl);
      const dlq = await state.dlqUrl().then(state.depth, () => undefined);
      return { queue, ...(dlq ? { dlq } : {}) };
    },
  };
}

const depthText = (d: QueueDepth) => `${d.waiting} waiting, ${d.inFlight} in flight, ${d.delayed} delayed`;
const entryText = (e: AuditEntry) => `${e.at} ${e.kind} ${e.action}: ${e.detail}`;

function projectText(p: ProjectStatus): string {
  const lastParked = p.parked.at(-1);
  const lines = [
    `Spira ${p.spiraProjectId} ⇄ ${p.gitlabPath}${p.active ? '' : ' (inactive)'}`,
    `  last poll      ${p.lastPoll ? `${p.lastPoll} (Spira's clock)` : 'not yet'}`,
    `  last error     ${lastParked ? `${lastParked.parkedAt} ${lastParked.reason} (parked ${lastParked.messageId})` : 'none'}`,
    `  parked         ${p.parked.length}${p.parked.length ? ' (spira-gitlab-sync replay)' : ''}`,
    `  conflicts      ${p.conflicts.length} in the latest ${p.recent.length} events${p.conflicts[0] ? `; last: ${entryText(p.conflicts[0])}` : ''}`,
    `  webhook        ${p.webhookAlert ? `ALERT ${entryText(p.webhookAlert)}` : 'no alert recorded'}`,
    `  last activity  ${p.recent[0] ? entryText(p.recent[0]) : 'none yet'}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The text of `status`. */
export function renderStatus(snapshot: StatusSnapshot, origin: string): string {
  const queue = snapshot.queue
    ? `queue          ${depthText(snapshot.queue)}\ndead letters   ${snapshot.dlq ? depthText(snapshot.dlq) : 'unknown'}\n`
    : `queue          unreadable: ${snapshot.queueError}\n`;
  const stray = snapshot.unassignedParked.length
    ? `\n${snapshot.unassignedParked.length} parked message(s) of no configured project (spira-gitlab-sync replay)\n`
    : '';
  return `spira-gitlab-sync status (${origin}) at ${snapshot.at}\n${queue}\n${snapshot.projects.map(projectText).join('\n')}${stray}`;
}

/** `status`: per project last poll, queue depth, last error and conflicts. */
export async function statusCommand(options: StatusOptions, io: CliIo): Promise<number> {
  // The sync before the config's secrets: without one, "no running sync found" and how to name one.
  const path = await configPathOf(options, io);
  const state = openState(await locateState(options, io));
  const config = await loadSyncConfig(path);
  const gitlab = await resolveSecrets(config, io.env, ssmReader(options, io)).then(
    (resolved) => connect(resolved).gitlab,
    () => undefined,
  );
  const snapshot = await readStatus(cliStatusSources(state, config, gitlab));
  // A running `npm start` also tells its poller's and worker's health (last poll, failures, progress).
  const { source, webhookUrl } = state.location;
  const health = source === 'local' && webhookUrl ? await readLocalHealth(webhookUrl) : undefined;
  if (options.json) printJson(io, health ? { ...snapshot, health } : snapshot);
  else {
    const text = renderStatus(snapshot, state.location.origin);
    io.out(health ? `${text}\n${renderHealth(health)}` : text);
  }
  return 0;
}

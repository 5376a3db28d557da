import type { ProjectConfig } from '../config/sync-config.js';
import { wireRows } from '../connectors/spira/spira-parse.js';
import type { SpiraRelease } from '../connectors/spira/spira-schemas.js';
import { pickForCommentCheck, type WatchList } from '../domain/comment-watch.js';
import { RemoteNotFoundError } from '../domain/errors.js';
import { keys, targetIdOf } from '../domain/link.js';
import { markersIn } from '../domain/marker.js';
import { isMarkerOf } from '../domain/pair/item-ref.js';
import { deduplicationIdOf, type SyncCommand } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { LinkStore } from '../ports/link-store.js';
import type { Log, SpiraPort } from '../ports/sync-ports.js';
import type { WatchStore } from '../ports/watch-store.js';

/** Spira's page limit for searches. */
const PAGE = 500;

/** What the poller needs. */
export interface PollDeps {
  spira: Pick<SpiraPort, 'searchIncidents' | 'comments'> & {
    serverTime(): Promise<string>;
    releasesChangedSince(projectId: number, since: string): Promise<SpiraRelease[]>;
  };
  gitlabProjectId(project: ProjectConfig): Promise<number>;
  queue: Pick<CommandQueue, 'send'>;
  links: LinkStore;
  cursors: CursorStore;
  watches: WatchStore;
  projects: readonly ProjectConfig[];
  timeOffsetHours: number;
  /** Extra look-back on every poll, so a change committed while Spira's clock read was in flight is not missed. */
  overlapMs: number;
  /** Spira comment reads per project per cycle (adding a comment does not change an incident's LastUpdateDate). */
  commentBudget: number;
  /** Releases are searched at most this often (Spira's clock). */
  releasePollEveryMs: number;
  log: Log;
}

interface Cycle {
  deps: PollDeps;
  project: ProjectConfig;
  gitlabProjectId: number;
  now: string;
  watch: WatchList;
  queued: number;
}

/**
 * For each active project: read Spira's clock first, search incidents changed since the watermark (minus the
 * overlap and the configured offset), queue one command per incident, read the comments of a budgeted few
 * linked incidents, and only then advance the watermark to the clock read. Only Spira's clock is used, so
 * the two servers' clocks never need to agree.
 */
export async function pollSpira(deps: PollDeps): Promise<{ queued: number }> {
  let queued = 0;
  for (const project of deps.projects.filter((p) => p.active)) queued += await pollProject(deps, project);
  return { queued };
}

async function pollProject(deps: PollDeps, project: ProjectConfig): Promise<number> {
  const cursorName = `spira-incidents#${project.spiraProjectId}`;
  const now = await deps.spira.serverTime();
  const watermark = await deps.cursors.get(cursorName);
  if (watermark === undefined) {
    // First run: follow changes from now on; existing incidents are brought over by a backfill.
    await deps.cursors.set(cursorName, now);
    return 0;
  }
  const [gitlabProjectId, watch] = await Promise.all([
    deps.gitlabProjectId(project),
    deps.watches.get(project.spiraProjectId),
  ]);
  const cycle: Cycle = { deps, project, gitlabProjectId, now, watch, queued: 0 };
  const since = new Date(
    Date.parse(watermark) - deps.overlapMs - deps.timeOffsetHours * 3_600_000,
  ).toISOString();
  await queueChangedIncidents(cycle, since);
  await resolvePendingLinks(cycle);
  await queueNewComments(cycle);
  await queueChangedReleases(cycle);
  await deps.watches.put(project.spiraProjectId, watch);
  await deps.cursors.set(cursorName, now);
  deps.log.info('polled Spira', { spiraProjectId: project.spiraProjectId, since, queued: cycle.queued });
  return cycle.queued;
}

async function send(cycle: Cycle, command: SyncCommand, sourceKey: string): Promise<void> {
  await cycle.deps.queue.send(command, deduplicationIdOf(sourceKey));
  cycle.queued++;
}

async function linkedIid(cycle: Cycle, incidentId: number): Promise<number | undefined> {
  const pointer = await cycle.deps.links.get(keys.spiraIncident(cycle.project.spiraProjectId, incidentId));
  return targetIdOf(pointer);
}

async function queueChangedIncidents(cycle: Cycle, since: string): Promise<void> {
  const pid = cycle.project.spiraProjectId;
  const filters = [
    {
      PropertyName: 'LastUpdateDate',
      DateRangeValue: { StartDate: since, EndDate: null, ConsiderTimes: true },
    },
  ];
  for (let row = 1; ; row += PAGE) {
    const page = await cycle.deps.spira.searchIncidents(pid, filters, row, PAGE, 'LastUpdateDate');
    for (const incident of page) {
      const iid = await linkedIid(cycle, incident.IncidentId);
      const base = {
        v: 1 as const,
        spiraProjectId: pid,
        gitlabProjectId: cycle.gitlabProjectId,
        eventAt: incident.LastUpdateDate,
      };
      const command: SyncCommand = {
        ...base,
        kind: 'spira.incident',
        incidentId: incident.IncidentId,
        ...(iid ? { iid } : {}),
      };
      await send(cycle, command, `spira:${pid}:${incident.IncidentId}:${incident.LastUpdateDate}`);
      const entry = cycle.watch[incident.IncidentId];
      const activeAt =
        entry && entry.activeAt > incident.LastUpdateDate ? entry.activeAt : incident.LastUpdateDate;
      cycle.watch[incident.IncidentId] = {
        activeAt,
        checkedAt: entry?.checkedAt ?? '',
        lastCommentId: entry?.lastCommentId ?? 0,
        ...(iid ? { iid } : entry?.iid ? { iid: entry.iid } : {}),
      };
    }
    if (wireRows(page) < PAGE) return;
  }
}

/** Incidents queued for creation in GitLab get their issue number once the link is recorded. */
async function resolvePendingLinks(cycle: Cycle): Promise<void> {
  for (const [id, entry] of Object.entries(cycle.watch)) {
    if (entry.iid !== undefined) continue;
    const iid = await linkedIid(cycle, Number(id));
    if (iid !== undefined) entry.iid = iid;
  }
}

async function queueNewComments(cycle: Cycle): Promise<void> {
  const pid = cycle.project.spiraProjectId;
  for (const id of pickForCommentCheck(cycle.watch, cycle.deps.commentBudget, Date.parse(cycle.now))) {
    const entry = cycle.watch[id];
    if (!entry?.iid) continue;
    const comments = await cycle.deps.spira.comments(pid, Number(id)).catch((error: unknown) => {
      if (error instanceof RemoteNotFoundError) return undefined;
      throw error;
    });
    if (!comments) {
      // Deleted in Spira: let the worker decide what to tell the issue, and stop watching.
      const base = {
        v: 1 as const,
        spiraProjectId: pid,
        gitlabProjectId: cycle.gitlabProjectId,
        eventAt: cycle.now,
      };
      await send(
        cycle,
        { ...base, kind: 'spira.incident', incidentId: Number(id), iid: entry.iid },
        `spira:${pid}:${id}:deleted`,
      );
      delete cycle.watch[id];
      continue;
    }
    const fresh = comments.filter((c) => c.CommentId > entry.lastCommentId);
    for (const comment of fresh) {
      if (markersIn(comment.Text).some((ref) => isMarkerOf(ref, 'gitlab'))) continue;
      const base = {
        v: 1 as const,
        spiraProjectId: pid,
        gitlabProjectId: cycle.gitlabProjectId,
        eventAt: comment.CreationDate ?? cycle.now,
      };
      await send(
        cycle,
        {
          ...base,
          kind: 'spira.comment',
          incidentId: Number(id),
          commentId: comment.CommentId,
          iid: entry.iid,
        },
        `spira-comment:${pid}:${comment.CommentId}`,
      );
    }
    entry.lastCommentId = Math.max(entry.lastCommentId, ...comments.map((c) => c.CommentId));
    if (fresh.length > 0) entry.activeAt = cycle.now;
    entry.checkedAt = cycle.now;
  }
}

/** Releases change rarely: searched every few cycles, each changed one queued in its milestone's group. */
async function queueChangedReleases(cycle: Cycle): Promise<void> {
  const pid = cycle.project.spiraProjectId;
  const name = `spira-releases#${pid}`;
  const last = await cycle.deps.cursors.get(name);
  if (last && Date.parse(cycle.now) - Date.parse(last) < cycle.deps.releasePollEveryMs) return;
  const since = new Date(Date.parse(last ?? cycle.now) - cycle.deps.overlapMs).toISOString();
  for (const release of await cycle.deps.spira.releasesChangedSince(pid, since)) {
    const pointer = await cycle.deps.links.get(keys.spiraRelease(pid, release.ReleaseId));
    const milestoneId = targetIdOf(pointer);
    const base = {
      v: 1 as const,
      spiraProjectId: pid,
      gitlabProjectId: cycle.gitlabProjectId,
      eventAt: release.LastUpdateDate,
    };
    await send(
      cycle,
      {
        ...base,
        kind: 'spira.release',
        releaseId: release.ReleaseId,
        ...(milestoneId ? { milestoneId } : {}),
      },
      `spira-release:${pid}:${release.ReleaseId}:${release.LastUpdateDate}`,
    );
  }
  await cycle.deps.cursors.set(name, cycle.now);
}

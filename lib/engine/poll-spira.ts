import type { ProjectConfig } from '../config/sync-config.js';
import { keys } from '../domain/link.js';
import { deduplicationIdOf } from '../domain/sync-command.js';
import type { CommandQueue } from '../ports/command-queue.js';
import type { LinkStore } from '../ports/link-store.js';
import type { Log, SpiraPort } from '../ports/sync-ports.js';

/** Spira's page limit for searches. */
const PAGE = 500;

/** What the poller needs. */
export interface PollDeps {
  spira: Pick<SpiraPort, 'searchIncidents'> & { serverTime(): Promise<string> };
  gitlabProjectId(project: ProjectConfig): Promise<number>;
  queue: CommandQueue;
  links: LinkStore;
  cursors: {
    get(name: string): Promise<string | undefined>;
    set(name: string, value: string): Promise<void>;
  };
  projects: readonly ProjectConfig[];
  timeOffsetHours: number;
  /** Extra look-back on every poll, so a change committed while Spira's clock read was in flight is not missed. */
  overlapMs: number;
  log: Log;
}

/**
 * For each active project: read Spira's clock first, search incidents changed since the watermark (minus the
 * overlap and the configured offset), queue one command per incident, and only then advance the watermark to
 * the clock read. Only Spira's clock is used, so the two servers' clocks never need to agree.
 */
export async function pollSpira(deps: PollDeps): Promise<{ queued: number }> {
  let queued = 0;
  for (const project of deps.projects.filter((p) => p.active)) {
    queued += await pollProject(deps, project);
  }
  return { queued };
}

async function pollProject(deps: PollDeps, project: ProjectConfig): Promise<number> {
  const cursorName = `spira-incidents#${project.spiraProjectId}`;
  const now = await deps.spira.serverTime();
  const watermark = await deps.cursors.get(cursorName);
  if (watermark === undefined) {
    // First run: follow changes from now on; existing incidents are brought over by `backfill`.
    await deps.cursors.set(cursorName, now);
    return 0;
  }
  const since = new Date(
    Date.parse(watermark) - deps.overlapMs - deps.timeOffsetHours * 3_600_000,
  ).toISOString();
  const gitlabProjectId = await deps.gitlabProjectId(project);
  const filters = [
    {
      PropertyName: 'LastUpdateDate',
      DateRangeValue: { StartDate: since, EndDate: null, ConsiderTimes: true },
    },
  ];
  let queued = 0;
  for (let row = 1; ; row += PAGE) {
    const page = await deps.spira.searchIncidents(
      project.spiraProjectId,
      filters,
      row,
      PAGE,
      'LastUpdateDate',
    );
    for (const incident of page) {
      const link = await deps.links.get(keys.spiraIncident(project.spiraProjectId, incident.IncidentId));
      const iid = link?.targetId ? Number(link.targetId.split('#')[2]) : undefined;
      const command = {
        v: 1 as const,
        kind: 'spira.incident' as const,
        spiraProjectId: project.spiraProjectId,
        gitlabProjectId,
        incidentId: incident.IncidentId,
        eventAt: incident.LastUpdateDate,
        ...(iid ? { iid } : {}),
      };
      await deps.queue.send(
        command,
        deduplicationIdOf(
          `spira:${project.spiraProjectId}:${incident.IncidentId}:${incident.LastUpdateDate}`,
        ),
      );
      queued++;
    }
    if (page.length < PAGE) break;
  }
  await deps.cursors.set(cursorName, now);
  deps.log.info('polled Spira', { spiraProjectId: project.spiraProjectId, since, queued });
  return queued;
}

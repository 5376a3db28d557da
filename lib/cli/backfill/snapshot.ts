import type { ProjectConfig } from '../../config/sync-config.js';
import type { GitLabPage } from '../../connectors/gitlab/gitlab-client.js';
import type { GitLabIssue } from '../../connectors/gitlab/rest-schemas.js';
import { wireRows } from '../../connectors/spira/spira-parse.js';
import type { SpiraFilter, SpiraIncident } from '../../connectors/spira/spira-schemas.js';
import type { SpiraPort } from '../../ports/sync-ports.js';

/** The reads a snapshot needs (a real client, also during a dry run). */
export interface SnapshotReads {
  gitlab: {
    issuesUpdatedAfter(projectId: number, after: string, page: number): Promise<GitLabPage<GitLabIssue>>;
  };
  spira: Pick<SpiraPort, 'searchIncidents'>;
}

/** Everything a backfill looks at in one project, read once before anything is applied. */
export interface ProjectSnapshot {
  project: ProjectConfig;
  gitlabProjectId: number;
  gitlabPath: string;
  issues: GitLabIssue[];
  incidents: SpiraIncident[];
}

const EPOCH = '1970-01-01T00:00:00.000Z';
const SPIRA_PAGE = 500;

/**
 * Lists the project's issues and incidents changed since `since` (all of them without it). Taken before the
 * first write, so items the backfill itself creates are not visited again and a dry run and the real run
 * that follows see the same list.
 */
export async function takeSnapshot(
  reads: SnapshotReads,
  project: ProjectConfig,
  gitlab: { id: number; path: string },
  since: string | undefined,
): Promise<ProjectSnapshot> {
  const issues: GitLabIssue[] = [];
  for (let page = 1; ; page++) {
    const { items, nextPage } = await reads.gitlab.issuesUpdatedAfter(gitlab.id, since ?? EPOCH, page);
    issues.push(...items);
    if (nextPage === undefined) break;
  }
  const filters: SpiraFilter[] = since
    ? [
        {
          PropertyName: 'LastUpdateDate',
          DateRangeValue: { StartDate: since, EndDate: null, ConsiderTimes: true },
        },
      ]
    : [];
  const incidents: SpiraIncident[] = [];
  for (let row = 1; ; row += SPIRA_PAGE) {
    const batch = await reads.spira.searchIncidents(
      project.spiraProjectId,
      filters,
      row,
      SPIRA_PAGE,
      'IncidentId',
    );
    incidents.push(...batch);
    if (wireRows(batch) < SPIRA_PAGE) break;
  }
  return {
    project,
    gitlabProjectId: gitlab.id,
    gitlabPath: gitlab.path,
    issues: issues.sort((a, b) => a.iid - b.iid),
    incidents: incidents.sort((a, b) => a.IncidentId - b.IncidentId),
  };
}

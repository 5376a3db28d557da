import type { ResolvedConfig } from '../../config/secrets.js';
import type { ProjectConfig } from '../../config/sync-config.js';
import type { GitLabClient } from '../../connectors/gitlab/gitlab-client.js';
import type { SpiraClient } from '../../connectors/spira/spira-client.js';
import type { SpiraIncidentStatus } from '../../connectors/spira/spira-schemas.js';
import { unmappedStatuses } from '../../domain/status.js';
import { parkedProjectOf } from '../../ops/status-snapshot.js';
import type { ParkedItem } from '../../stores/dynamo-parking-store.js';
import { type CheckLine, fail, pass, warn, whatFailed } from './check-line.js';

/** One project as `doctor` sees it. */
export interface ProjectCheck {
  config: ResolvedConfig;
  project: ProjectConfig;
  /** Its index in `projects[]`, for field paths. */
  index: number;
  gitlabPath: string;
  spira: SpiraClient;
  gitlab: GitLabClient;
}

/** The Spira product exists and the sync user is a member; returns its template id. */
export async function checkSpiraProduct(p: ProjectCheck): Promise<{ line: CheckLine; templateId?: number }> {
  const pid = p.project.spiraProjectId;
  try {
    const templateId = await p.spira.projectTemplateId(pid);
    return { line: pass(`Spira product ${pid} (template ${templateId})`), templateId };
  } catch (error) {
    return {
      line: fail(
        `projects[${p.index}].spiraProjectId: product ${pid} ${whatFailed(error)}`,
        `make ${p.config.spira.username} a member of product ${pid} with create and modify rights on incidents`,
      ),
    };
  }
}

/** The GitLab project exists and the token sees it; returns its id. */
export async function checkGitLabProject(
  p: ProjectCheck,
): Promise<{ line: CheckLine; gitlabProjectId?: number }> {
  try {
    const { id } = await p.gitlab.project(p.gitlabPath);
    return { line: pass(`GitLab project ${p.gitlabPath} (id ${id})`), gitlabProjectId: id };
  } catch (error) {
    return {
      line: fail(
        `projects[${p.index}].gitlabProject: ${p.gitlabPath} ${whatFailed(error)}`,
        `check gitlab.account and projects[${p.index}].gitlabProject (the External Key), and that ${p.config.gitlab.login} is a member`,
      ),
    };
  }
}

const nameOf = (live: readonly SpiraIncidentStatus[], id: number) =>
  `${id} "${live.find((s) => s.IncidentStatusId === id)?.Name ?? '?'}"`;

/** Every status of the template is mapped, no mapping names a status the template lacks. */
export async function checkStatuses(p: ProjectCheck, templateId: number): Promise<CheckLine[]> {
  const live = await p.spira.incidentStatuses(templateId);
  const rows = p.project.incidentStatuses;
  const path = `projects[${p.index}].incidentStatuses`;
  const lines: CheckLine[] = [];
  for (const id of unmappedStatuses(
    rows,
    live.map((s) => s.IncidentStatusId),
  )) {
    const open = live.find((s) => s.IncidentStatusId === id)?.Open ?? true;
    lines.push(
      fail(
        `${path}: Spira status ${nameOf(live, id)} is not mapped`,
        `add { "spiraStatusId": ${id}, "gitlab": "${open ? 'opened' : 'closed'}", "primary": false }`,
      ),
    );
  }
  rows.forEach((row, k) => {
    if (!live.some((s) => s.IncidentStatusId === row.spiraStatusId))
      lines.push(
        fail(
          `${path}[${k}]: status ${row.spiraStatusId} is not in template ${templateId}`,
          'remove this row',
        ),
      );
  });
  if (lines.length > 0) return lines;
  const primary = (state: string) =>
    nameOf(live, rows.find((r) => r.gitlab === state && r.primary)?.spiraStatusId ?? 0);
  return [
    pass(
      `all ${live.length} Spira statuses mapped; primary for opened: ${primary('opened')}, for closed: ${primary('closed')}`,
    ),
  ];
}

/** Every id in the label maps exists in the template. */
export async function checkLabels(p: ProjectCheck, templateId: number): Promise<CheckLine[]> {
  const kinds = [
    ['priority', 'priorities'],
    ['severity', 'severities'],
    ['type', 'types'],
  ] as const;
  const lines: CheckLine[] = [];
  for (const [kind, lookup] of kinds) {
    const wanted = Object.entries(p.project.labels[kind]);
    if (wanted.length === 0) continue;
    const ids = new Set(await p.spira.incidentLookupIds(templateId, lookup));
    for (const [label, id] of wanted.filter(([, id]) => !ids.has(id)))
      lines.push(
        fail(
          `projects[${p.index}].labels.${kind}["${label}"]: ${kind} ${id} is not in template ${templateId}`,
          'use an id of the template',
        ),
      );
  }
  return lines;
}

/**
 * Status Bulk Edit cannot be read through the API. Evidence: a parked "status not applied" message; proof:
 * the probe (`--probe-status`) creates one incident in the closed primary status, reads it, deletes it.
 */
export async function checkStatusBulkEdit(
  p: ProjectCheck,
  parked: readonly ParkedItem[] | undefined,
  probe: boolean,
): Promise<CheckLine> {
  const fix = 'Spira → Administration → Product Template → Incident statuses: set "Status Bulk Edit" to Yes';
  const refused = parked?.find(
    (m) => m.errorName === 'StatusNotAppliedError' && parkedProjectOf(m) === p.project.spiraProjectId,
  );
  if (refused)
    return fail(
      `Spira ignored a status change (parked ${refused.messageId}): Status Bulk Edit is off`,
      `${fix}; then spira-gitlab-sync replay --all`,
    );
  if (!probe)
    return warn(
      'Status Bulk Edit cannot be read through the API',
      `make sure it is on (${fix}); \`doctor --probe-status\` tests it with one throw-away incident`,
    );
  const pid = p.project.spiraProjectId;
  const wanted =
    p.project.incidentStatuses.find((r) => r.gitlab === 'closed' && r.primary)?.spiraStatusId ?? 0;
  const id = await p.spira.createIncident(pid, {
    Name: 'spira-gitlab-sync doctor probe (deleted at once)',
    Description: '<p>Created by <code>spira-gitlab-sync doctor --probe-status</code> and deleted again.</p>',
    IncidentStatusId: wanted,
    OpenerId: null,
    OwnerId: null,
    ResolvedReleaseId: null,
  });
  try {
    const status = (await p.spira.incident(pid, id)).IncidentStatusId;
    return status === wanted
      ? pass(`Status Bulk Edit is on (probe incident ${id} took status ${wanted}, then was deleted)`)
      : fail(`Status Bulk Edit is off: probe incident ${id} got status ${status} instead of ${wanted}`, fix);
  } finally {
    await p.spira.deleteIncident(pid, id);
  }
}

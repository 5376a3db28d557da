import type { ResolvedConfig } from '../config/secrets.js';
import type { ProjectConfig } from '../config/sync-config.js';
import { MappingConfigError } from '../domain/errors.js';
import type { LabelMaps } from '../domain/labels.js';
import type { StatusRow } from '../domain/status.js';
import { unmappedStatuses } from '../domain/status.js';
import { buildUserMap, type UserMap } from '../domain/users.js';
import type { GitLabPort, SpiraPort } from '../ports/sync-ports.js';

/** What the worker needs to translate one project's items, read from the config and the live systems. */
export interface ProjectContext {
  project: ProjectConfig;
  statuses: readonly StatusRow[];
  /**
   * The name of a status of the product's template: Spira's history holds a lookup field's text
   * (`"Closed"`), never its id.
   */
  statusName(statusId: number): string | undefined;
  users: UserMap;
  releaseFor(milestoneId: number): number | undefined;
  milestoneFor(releaseId: number): number | undefined;
  /** GitLab user id of a project member. */
  gitlabUserId(username: string): number | undefined;
  /** The sync user's GitLab login: issues it authored came from Spira and carry no GitLab attribution. */
  syncUsername: string;
  /** The sync's own Spira user (its changes in an incident's history are echoes, not people's changes). */
  syncSpiraUserId: number;
  /** Spira's web root, for links back to incidents. */
  spiraWebUrl: string;
  labels: LabelMaps;
}

/** Loads project contexts and keeps them for `ttlMs` (users and statuses change rarely). */
export class ProjectContexts {
  private readonly cache = new Map<number, { at: number; context: Promise<ProjectContext> }>();

  constructor(
    private readonly config: ResolvedConfig,
    private readonly spira: SpiraPort,
    private readonly gitlab: GitLabPort,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The context of a configured project; throws MappingConfigError when the live template has unmapped statuses. */
  get(spiraProjectId: number, gitlabProjectId: number): Promise<ProjectContext> {
    const hit = this.cache.get(spiraProjectId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.context;
    const context = this.load(spiraProjectId, gitlabProjectId);
    this.cache.set(spiraProjectId, { at: this.now(), context });
    context.catch(() => this.cache.delete(spiraProjectId));
    return context;
  }

  private async load(spiraProjectId: number, gitlabProjectId: number): Promise<ProjectContext> {
    const index = this.config.projects.findIndex((p) => p.spiraProjectId === spiraProjectId);
    const project = this.config.projects[index];
    if (!project) throw new MappingConfigError(`Spira project ${spiraProjectId} is not in the config`);
    const templateId = await this.spira.projectTemplateId(spiraProjectId);
    const live = await this.spira.incidentStatuses(templateId);
    const missing = unmappedStatuses(
      project.incidentStatuses,
      live.map((s) => s.IncidentStatusId),
    );
    if (missing.length > 0) {
      const names = live
        .filter((s) => missing.includes(s.IncidentStatusId))
        .map((s) => `${s.IncidentStatusId} "${s.Name}"`);
      throw new MappingConfigError(
        `projects[${index}].incidentStatuses: Spira statuses ${names.join(', ')} are not mapped`,
      );
    }
    await this.checkLabelIds(index, project, templateId);
    const [spiraUsers, gitlabUsers, me] = await Promise.all([
      this.config.autoMapUsers ? this.spira.projectUsers(spiraProjectId) : [],
      this.gitlab.projectMembers(gitlabProjectId),
      this.spira.currentUser(),
    ]);
    const users = buildUserMap(
      this.config.users,
      this.config.autoMapUsers,
      spiraUsers.map((u) => ({
        userId: u.UserId,
        userName: u.UserName,
        fullName: `${u.FirstName ?? ''} ${u.LastName ?? ''}`,
      })),
      gitlabUsers,
    );
    const toRelease = new Map(project.releases.map((r) => [r.gitlabMilestoneId, r.spiraReleaseId]));
    const toMilestone = new Map(project.releases.map((r) => [r.spiraReleaseId, r.gitlabMilestoneId]));
    const ids = new Map(gitlabUsers.map((u) => [u.username.toLowerCase(), u.id]));
    const statusNames = new Map(live.map((s) => [s.IncidentStatusId, s.Name]));
    return {
      project,
      statuses: project.incidentStatuses,
      statusName: (id) => statusNames.get(id),
      users,
      releaseFor: (id) => toRelease.get(id),
      milestoneFor: (id) => toMilestone.get(id),
      gitlabUserId: (username) => ids.get(username.toLowerCase()),
      syncUsername: this.config.gitlab.login,
      syncSpiraUserId: me.UserId,
      spiraWebUrl: this.config.spira.baseUrl.replace(/\/+$/, ''),
      labels: project.labels,
    };
  }

  /** Every id in the label maps must exist in the product's template. */
  private async checkLabelIds(index: number, project: ProjectConfig, templateId: number): Promise<void> {
    const kinds = [
      ['priority', 'priorities'],
      ['severity', 'severities'],
      ['type', 'types'],
    ] as const;
    for (const [kind, lookup] of kinds) {
      const wanted = Object.entries(project.labels[kind]);
      if (wanted.length === 0) continue;
      const ids = new Set(await this.spira.incidentLookupIds(templateId, lookup));
      const bad = wanted.filter(([, id]) => !ids.has(id));
      if (bad.length > 0) {
        const where = bad
          .map(([label, id]) => `projects[${index}].labels.${kind}["${label}"]: Spira ${kind} ${id}`)
          .join('; ');
        throw new MappingConfigError(`${where} does not exist in template ${templateId}`);
      }
    }
  }
}

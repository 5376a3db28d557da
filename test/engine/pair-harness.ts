import { SyncConfigSchema } from '../../lib/config/sync-config.js';
import type { GitLabUser } from '../../lib/connectors/gitlab/rest-schemas.js';
import { fingerprintFields } from '../../lib/domain/fingerprint.js';
import { incidentFields, issueFields } from '../../lib/domain/issue-to-incident.js';
import type { LinkRecord } from '../../lib/domain/link.js';
import type { ProjectContext, ProjectContexts } from '../../lib/engine/project-context.js';
import { fieldsOf } from '../../lib/engine/spira-writes.js';
import type { SyncDeps } from '../../lib/engine/sync-deps.js';
import { issueViewOf } from '../../lib/engine/sync-pair.js';
import { MemoryGitLab } from '../fakes/memory-gitlab.js';
import { MemorySpira } from '../fakes/memory-spira.js';
import { MemoryAudit, MemoryLinkStore } from '../fakes/memory-stores.js';
import { contractExample } from '../helpers/config.js';

export const GPID = 42;
export const PID = 1;
export const IID = 5;
export const INCIDENT = 900;
export const SYNC_SPIRA_USER = 99;
export const ALICE: GitLabUser = { id: 7, username: 'alice', name: 'Alice' };
export const SYNCBOT: GitLabUser = { id: 1, username: 'syncbot', name: 'Sync Bot' };
/** A Spira person (not the sync). */
export const BOB = 2;

/** Statuses 1 (New) and 2 (Assigned) are open, 4 (Closed) and 5 (Rejected) closed (CONTRACT §2 example). */
const STATUS_NAMES: Record<number, string> = { 1: 'New', 2: 'Assigned', 4: 'Closed', 5: 'Rejected' };

/** Minutes after 10:00 on a fixed day, ISO. */
export const at = (minute: number) =>
  new Date(Date.parse('2026-12-01T10:00:00.000Z') + minute * 60_000).toISOString();

/**
 * One linked issue ⇄ incident pair, synced at minute 0, over in-memory GitLab, Spira, link store and audit.
 * The writes of the sync happen at `now` (set it before syncing).
 */
export function linkedPair() {
  const clock = { now: at(0) };
  const gitlab = new MemoryGitLab(SYNCBOT, () => clock.now);
  const spira = new MemorySpira(SYNC_SPIRA_USER, STATUS_NAMES, () => clock.now);
  const links = new MemoryLinkStore();
  const audit = new MemoryAudit();
  const project = SyncConfigSchema.parse(contractExample()).projects[0];
  if (!project) throw new Error('example config has no project');
  const ctx: ProjectContext = {
    project,
    statuses: project.incidentStatuses,
    statusName: (id) => STATUS_NAMES[id],
    users: { spiraIdFor: () => undefined, gitlabUsernameFor: () => undefined },
    releaseFor: () => undefined,
    milestoneFor: () => undefined,
    gitlabUserId: () => undefined,
    syncUsername: SYNCBOT.username,
    syncSpiraUserId: SYNC_SPIRA_USER,
    spiraWebUrl: 'https://example.spiraservice.net',
    labels: { priority: {}, severity: {}, type: {}, otherLabelsAsTags: false },
  };
  gitlab.add(
    {
      iid: IID,
      project_id: GPID,
      title: 'Printer on fire',
      description: 'It smokes.',
      state: 'opened',
      labels: [],
      milestone: null,
      assignees: [],
      author: ALICE,
      web_url: `https://gitlab.example/p/-/issues/${IID}`,
    },
    at(0),
  );
  spira.add(
    {
      IncidentId: INCIDENT,
      ProjectId: PID,
      Name: 'Printer on fire',
      Description: 'It smokes.',
      IncidentStatusId: 1,
      OpenerId: null,
      OwnerId: null,
    },
    at(0),
  );
  const deps: SyncDeps = {
    gitlab,
    spira,
    links,
    audit,
    contexts: { get: async () => ctx } as unknown as ProjectContexts,
    log: { info() {}, warn() {}, error() {} },
    mentions: 'neutralize',
    onIncidentDeleted: 'note',
  };
  return { clock, gitlab, spira, links, audit, ctx, deps };
}

/** The pair record as the last sync left it: both sides' hashes of what they held then. */
export async function baseline(pair: ReturnType<typeof linkedPair>): Promise<LinkRecord> {
  const issue = issueViewOf(pair.gitlab.issues.get(`${GPID}/${IID}`) as never);
  const incident = pair.spira.incidents.get(INCIDENT);
  if (!incident) throw new Error('no incident');
  const record: LinkRecord = {
    pk: `gl-issue#${GPID}#${IID}`,
    state: 'linked',
    version: 0,
    claimedAt: at(0),
    targetId: String(INCIDENT),
    spiraProjectId: PID,
    gitlabProjectId: GPID,
    gitlabHashes: fingerprintFields(issueFields(issue, pair.ctx.labels)),
    spiraHashes: fingerprintFields(incidentFields(fieldsOf(incident), pair.ctx)),
    appliedEventAt: issue.updatedAt,
    spiraSeenAt: incident.LastUpdateDate,
  };
  await pair.links.overwrite(record);
  return record;
}

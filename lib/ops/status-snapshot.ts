import type { ProjectConfig, SyncConfig } from '../config/sync-config.js';
import type { AuditEntry } from '../domain/audit.js';
import type { ParkedItem } from '../stores/dynamo-parking-store.js';
import type { QueueDepth } from './sync-state.js';

/** A project's full GitLab path: `gitlabProject` under `gitlab.account`, unless it is a full path already. */
export function gitlabPathOf(config: Pick<SyncConfig, 'gitlab'>, project: ProjectConfig): string {
  return project.gitlabProject.includes('/')
    ? project.gitlabProject
    : `${config.gitlab.account}/${project.gitlabProject}`;
}

/** Where the status of a sync is read from (the CLI's stores, or the local runtime's). */
export interface StatusSources {
  config: Pick<SyncConfig, 'gitlab' | 'projects'>;
  audit: {
    recent(spiraProjectId: number): Promise<AuditEntry[]>;
    history(key: string): Promise<AuditEntry[]>;
  };
  parking: { list(): Promise<ParkedItem[]> };
  cursors: { get(name: string): Promise<string | undefined> };
  /** The GitLab project id (for webhook alerts); may fail when GitLab is unreachable. */
  gitlabProjectId(project: SyncConfig['projects'][number]): Promise<number>;
  queueDepths(): Promise<{ queue: QueueDepth; dlq?: QueueDepth }>;
}

/** What one project looks like now. */
export interface ProjectStatus {
  spiraProjectId: number;
  gitlabPath: string;
  active: boolean;
  /** Spira's clock at the last completed poll (the watermark); absent before the first poll. */
  lastPoll?: string;
  parked: ParkedItem[];
  /** Conflicts among the latest activity entries, newest first. */
  conflicts: AuditEntry[];
  /** The latest webhook alert: a hook GitLab disabled (opt-in reconciliation) or an unusable delivery. */
  webhookAlert?: AuditEntry;
  /** Latest activity, newest first. */
  recent: AuditEntry[];
}

/** The whole picture: per project, plus the queues and parked messages no project claims. */
export interface StatusSnapshot {
  at: string;
  projects: ProjectStatus[];
  queue?: QueueDepth;
  dlq?: QueueDepth;
  /** Why the queue depths could not be read, when they could not. */
  queueError?: string;
  unassignedParked: ParkedItem[];
}

/** Item keys as people write them: `gl-issue#7#12` → `velociraptor#12`, `sp-incident#1#42` → `IN:42`. */
export function readableKeys(text: string, project: SyncConfig['projects'][number], gpid?: number): string {
  const issues =
    gpid === undefined ? text : text.replaceAll(`gl-issue#${gpid}#`, `${project.gitlabProject}#`);
  return issues.replaceAll(`sp-incident#${project.spiraProjectId}#`, 'IN:');
}

/** The Spira product a parked message belongs to (its body is a queue message), when it can be told. */
export function parkedProjectOf(item: ParkedItem): number | undefined {
  try {
    const body = JSON.parse(item.body) as { spiraProjectId?: unknown };
    return typeof body.spiraProjectId === 'number' ? body.spiraProjectId : undefined;
  } catch {
    return undefined;
  }
}

async function projectStatus(
  sources: StatusSources,
  project: SyncConfig['projects'][number],
  parked: readonly ParkedItem[],
): Promise<ProjectStatus> {
  const pid = project.spiraProjectId;
  const [stored, lastPoll, gpid] = await Promise.all([
    sources.audit.recent(pid),
    sources.cursors.get(`spira-incidents#${pid}`),
    sources.gitlabProjectId(project).catch(() => undefined),
  ]);
  const alerts = gpid === undefined ? [] : await sources.audit.history(`gl-project#${gpid}`);
  const recent = stored.map((e) => ({ ...e, detail: readableKeys(e.detail, project, gpid) }));
  // A hook GitLab disabled (reconciliation) or, in the latest activity, a delivery the sync could not use.
  const webhookAlert = [
    ...alerts.filter((e) => e.action === 'alert'),
    ...recent.filter((e) => e.kind === 'webhook'),
  ]
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  return {
    spiraProjectId: pid,
    gitlabPath: gitlabPathOf(sources.config, project),
    active: project.active,
    ...(lastPoll ? { lastPoll } : {}),
    parked: parked.filter((p) => parkedProjectOf(p) === pid),
    conflicts: recent.filter((e) => e.action === 'conflict'),
    ...(webhookAlert ? { webhookAlert } : {}),
    recent,
  };
}

/** Reads the status of every configured project, the queue depths and the parked messages. */
export async function readStatus(sources: StatusSources): Promise<StatusSnapshot> {
  const parked = await sources.parking.list();
  const projects = await Promise.all(sources.config.projects.map((p) => projectStatus(sources, p, parked)));
  const known = new Set(sources.config.projects.map((p) => p.spiraProjectId));
  const depths = await sources.queueDepths().then(
    (d) => ({ ok: true as const, ...d }),
    (error: unknown) => ({
      ok: false as const,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  return {
    at: new Date().toISOString(),
    projects,
    ...(depths.ok
      ? { queue: depths.queue, ...(depths.dlq ? { dlq: depths.dlq } : {}) }
      : { queueError: depths.error }),
    unassignedParked: parked.filter((p) => !known.has(parkedProjectOf(p) ?? -1)),
  };
}

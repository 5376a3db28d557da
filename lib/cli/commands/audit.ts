import type { ResolvedConfig } from '../../config/secrets.js';
import type { ProjectConfig } from '../../config/sync-config.js';
import type { AuditEntry } from '../../domain/audit.js';
import { keys, type LinkRecord } from '../../domain/link.js';
import { parseKey } from '../../domain/pair/item-ref.js';
import { auditKeyOf, SyncCommandSchema } from '../../domain/sync-command.js';
import { gitlabPathOf } from '../../ops/status-snapshot.js';
import { openState, type SyncState } from '../../ops/sync-state.js';
import type { ParkedItem } from '../../stores/dynamo-parking-store.js';
import { connect, loadCliConfig } from '../cli-config.js';
import { CliError, type CliIo, printJson, renderTable } from '../io.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `audit`. */
export interface AuditOptions extends GlobalOptions {
  ref: string;
  json?: boolean;
}

/** A parsed item reference: a GitLab issue (`velociraptor#12`, `group/project#12`, `#12`) or `IN:42`. */
export type ItemRef =
  | { side: 'gitlab'; project?: string; iid: number }
  | { side: 'spira'; incidentId: number };

/** Parses an item reference; errors say which forms are understood. */
export function parseItemRef(text: string): ItemRef {
  const spira = /^IN:?\s*(\d+)$/i.exec(text.trim());
  if (spira) return { side: 'spira', incidentId: Number(spira[1]) };
  const gitlab = /^([^#\s]*)#(\d+)$/.exec(text.trim());
  if (gitlab) return { side: 'gitlab', ...(gitlab[1] ? { project: gitlab[1] } : {}), iid: Number(gitlab[2]) };
  throw new CliError(
    `${text}: expected a GitLab issue (velociraptor#12, group/project#12) or a Spira incident (IN:42)`,
  );
}

/** The keys an item's history is kept under, once resolved against the config, GitLab and the link store. */
interface Resolved {
  title: string;
  spiraProjectId: number;
  keys: string[];
  link?: LinkRecord;
}

function projectFor(config: ResolvedConfig, name: string | undefined): ProjectConfig {
  const candidates = config.projects.filter(
    (p) => name === undefined || p.gitlabProject === name || gitlabPathOf(config, p) === name,
  );
  if (candidates.length === 1) return candidates[0] as ProjectConfig;
  if (name === undefined)
    throw new CliError('#<iid> is ambiguous with several projects: write project#<iid>');
  throw new CliError(`${name}: no such GitLab project in the config (projects[].gitlabProject)`);
}

async function resolveGitLab(
  config: ResolvedConfig,
  state: SyncState,
  ref: Extract<ItemRef, { side: 'gitlab' }>,
) {
  const project = projectFor(config, ref.project);
  const gpid = (await connect(config).gitlab.project(gitlabPathOf(config, project))).id;
  const glKey = keys.gitlabIssue(gpid, ref.iid);
  const link = await state.links.get(glKey);
  const incident = link?.state === 'linked' ? link.targetId : undefined;
  const spKey = incident ? keys.spiraIncident(project.spiraProjectId, Number(incident)) : undefined;
  return {
    title: `${project.gitlabProject}#${ref.iid}${incident ? ` ⇄ IN:${incident}` : ''}`,
    spiraProjectId: project.spiraProjectId,
    keys: spKey ? [glKey, spKey] : [glKey],
    ...(link ? { link } : {}),
  };
}

async function resolveSpira(config: ResolvedConfig, state: SyncState, incidentId: number): Promise<Resolved> {
  for (const project of config.projects) {
    const spKey = keys.spiraIncident(project.spiraProjectId, incidentId);
    const [pointer, history] = await Promise.all([state.links.get(spKey), state.audit.history(spKey)]);
    const glKey = pointer?.state === 'linked' ? pointer.targetId : undefined;
    if (!pointer && history.length === 0) continue;
    const link = glKey ? await state.links.get(glKey) : pointer;
    return {
      title: `IN:${incidentId}${glKey ? ` ⇄ ${project.gitlabProject}#${parseKey(glKey)?.id}` : ''}`,
      spiraProjectId: project.spiraProjectId,
      keys: glKey ? [glKey, spKey] : [spKey],
      ...(link ? { link } : {}),
    };
  }
  throw new CliError(`IN:${incidentId}: nothing recorded for this incident in any configured project`);
}

function parkedFor(parked: readonly ParkedItem[], itemKeys: readonly string[]): ParkedItem[] {
  return parked.filter((p) => {
    try {
      const command = SyncCommandSchema.safeParse(JSON.parse(p.body));
      return command.success && itemKeys.includes(auditKeyOf(command.data));
    } catch {
      return false;
    }
  });
}

function render(item: Resolved, history: AuditEntry[], parked: ParkedItem[]): string {
  const link = item.link
    ? `link: ${item.link.state} (${item.link.pk} → ${item.link.targetId ?? 'pending'}, claimed ${item.link.claimedAt})`
    : 'link: none recorded';
  const table = history.length
    ? renderTable(
        ['time', 'event', 'action', 'detail'],
        history.map((e) => [e.at, e.kind, e.action, e.detail]),
      )
    : 'no history recorded\n';
  const waiting = parked
    .map(
      (p) =>
        `parked now: ${p.messageId} since ${p.parkedAt}: ${p.reason}\n  replay: spira-gitlab-sync replay ${p.messageId}\n`,
    )
    .join('');
  return `${item.title}\n${link}\n\n${table}${waiting ? `\n${waiting}` : ''}`;
}

/** `audit <ref>`: every recorded event, decision, write, skip reason and conflict of one item. */
export async function auditCommand(options: AuditOptions, io: CliIo): Promise<number> {
  const ref = parseItemRef(options.ref);
  const { resolved } = await loadCliConfig(options, io);
  const state = openState(await locateState(options, io));
  const item =
    ref.side === 'gitlab'
      ? await resolveGitLab(resolved, state, ref)
      : await resolveSpira(resolved, state, ref.incidentId);
  const histories = await Promise.all(item.keys.map((key) => state.audit.history(key)));
  const history = histories.flat().sort((a, b) => a.at.localeCompare(b.at));
  const parked = parkedFor(await state.parking.list(), item.keys);
  if (options.json) printJson(io, { ...item, history, parked });
  else io.out(render(item, history, parked));
  return history.length > 0 || item.link || parked.length > 0 ? 0 : 1;
}

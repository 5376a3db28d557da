import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import type { ResolvedConfig } from '../../config/secrets.js';
import type { ProjectConfig } from '../../config/sync-config.js';
import { ProjectContexts } from '../../engine/project-context.js';
import type { SyncDeps } from '../../engine/sync-deps.js';
import { gitlabPathOf } from '../../ops/status-snapshot.js';
import { openState, type SyncState } from '../../ops/sync-state.js';
import type { Audit } from '../../ports/audit.js';
import type { Log } from '../../ports/sync-ports.js';
import { DryRunLinkStore } from '../backfill/dry-run-links.js';
import { dryRunGitLab, dryRunSpira } from '../backfill/dry-run-ports.js';
import { type BackfillDeps, runBackfill } from '../backfill/run-backfill.js';
import { countRows, renderDetails, renderSummary } from '../backfill/summary.js';
import { connect, loadCliConfig, selectProjects } from '../cli-config.js';
import { CliError, type CliIo, printJson } from '../io.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `backfill`. */
export interface BackfillOptions extends GlobalOptions {
  dryRun?: boolean;
  since?: string;
  project?: string[];
  details?: boolean;
  json?: boolean;
  progress?: boolean;
}

const SinceSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** `--since`: a date or a date-time, as ISO-8601 UTC. */
export function parseSince(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!SinceSchema.safeParse(value).success)
    throw new CliError(
      `--since ${value}: expected a date (2024-05-01) or a date-time (2024-05-01T12:00:00Z)`,
    );
  return new Date(value).toISOString();
}

const silent: Log = { info: () => {}, warn: () => {}, error: () => {} };
const noAudit: Audit = { record: async () => {}, history: async () => [] };

/** Engine deps over the real systems, or (dry run) over ports that read for real and never write. */
function syncDepsFor(resolved: ResolvedConfig, state: SyncState, dryRun: boolean): SyncDeps {
  const real = connect(resolved);
  const gitlab = dryRun ? dryRunGitLab(real.gitlab) : real.gitlab;
  const spira = dryRun ? dryRunSpira(real.spira) : real.spira;
  return {
    gitlab,
    spira,
    links: dryRun ? new DryRunLinkStore(state.links) : state.links,
    contexts: new ProjectContexts(resolved, spira, gitlab),
    log: silent,
    audit: dryRun ? noAudit : state.audit,
    mentions: resolved.gitlab.mentions,
    onIncidentDeleted: resolved.spira.onIncidentDeleted,
  };
}

function progressBar(io: CliIo, options: BackfillOptions) {
  if (!io.progress || options.progress === false || options.json) return undefined;
  return new SingleBar({
    stream: io.progress,
    format: ' backfill [{bar}] {value}/{total} items | {eta_formatted} left',
    hideCursor: true,
  });
}

/** `backfill`: initial sync of existing items in both directions; `--dry-run` reports without writing. */
export async function backfillCommand(options: BackfillOptions, io: CliIo): Promise<number> {
  const since = parseSince(options.since);
  const { resolved } = await loadCliConfig(options, io);
  const projects = selectProjects(resolved, options.project);
  const state = openState(await locateState(options, io));
  const reads = connect(resolved);
  const dryRun = options.dryRun === true;
  const bar = progressBar(io, options);
  let started = false;
  const deps: BackfillDeps = {
    sync: syncDepsFor(resolved, state, dryRun),
    reads,
    gitlabProject: async (project: ProjectConfig) => {
      const path = gitlabPathOf(resolved, project);
      return { id: (await reads.gitlab.project(path)).id, path };
    },
    dryRun,
    runId: `backfill-${new Date().toISOString().replace(/[-:.]/g, '')}`,
    parking: state.parking,
    onProgress: (done, total) => {
      if (started) bar?.update(done);
      else bar?.start(total, done);
      started = true;
    },
  };
  const rows = await runBackfill(deps, projects, since).finally(() => bar?.stop());
  if (options.json) printJson(io, { dryRun, since: since ?? null, counts: countRows(rows), rows });
  else io.out(`${options.details ? `${renderDetails(rows)}\n` : ''}${renderSummary(rows, dryRun)}`);
  return rows.some((r) => r.action === 'failed') ? 1 : 0;
}

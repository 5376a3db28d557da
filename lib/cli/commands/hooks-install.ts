import type { GitLabClient, GitLabHookWrite } from '../../connectors/gitlab/gitlab-client.js';
import { gitlabPathOf } from '../../ops/status-snapshot.js';
import { connect, loadCliConfig, selectProjects } from '../cli-config.js';
import { isDisabled, isSyncHook, REQUIRED_TRIGGERS } from '../hooks/webhook-rules.js';
import { CliError, type CliIo, markLine } from '../io.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `hooks install`. */
export interface HooksInstallOptions extends GlobalOptions {
  url?: string;
  project?: string[];
}

/**
 * The webhook URL: `--url`, else the deployed stack's `WebhookUrl` output (`--stage`/`--stack`), else the
 * endpoint of the running `npm start`.
 */
export async function webhookUrlOf(options: GlobalOptions & { url?: string }, io: CliIo): Promise<string> {
  if (options.url) return options.url;
  const location = await locateState(options, io).catch(() => undefined);
  if (location?.webhookUrl) return location.webhookUrl;
  throw new CliError(
    'no webhook URL: pass --url https://…/webhooks/gitlab, or --stage/--stack of a deployed sync, or start `npm start`',
  );
}

async function installOne(gitlab: GitLabClient, path: string, fields: GitLabHookWrite): Promise<string> {
  const { id: gpid } = await gitlab.project(path);
  const hooks = await gitlab.hooks(gpid);
  const same = hooks.find((h) => isSyncHook(h, fields.url));
  const others = hooks
    .filter((h) => h !== same && isSyncHook(h))
    .map((h) =>
      markLine(
        'warn',
        `${path}: hook ${h.id} also points at a sync endpoint (${h.url})`,
        'delete it if that endpoint is gone',
      ),
    )
    .join('');
  if (same && isDisabled(same)) {
    // A disabled hook stays disabled whatever is edited; a new hook starts enabled.
    await gitlab.deleteHook(gpid, same.id);
    const created = await gitlab.createHook(gpid, fields);
    return `${markLine('pass', `${path}: replaced ${same.alert_status?.replace('_', ' ')} hook ${same.id} with hook ${created.id} → ${fields.url}`)}${others}`;
  }
  if (same) {
    await gitlab.updateHook(gpid, same.id, fields);
    return `${markLine('pass', `${path}: updated hook ${same.id} → ${fields.url} (secret token and triggers set)`)}${others}`;
  }
  const created = await gitlab.createHook(gpid, fields);
  return `${markLine('pass', `${path}: created hook ${created.id} → ${fields.url}`)}${others}`;
}

/** `hooks install`: creates or updates the webhook of every active project (idempotent). */
export async function hooksInstallCommand(options: HooksInstallOptions, io: CliIo): Promise<number> {
  const { resolved } = await loadCliConfig(options, io);
  const url = await webhookUrlOf(options, io);
  const { gitlab } = connect(resolved);
  const triggers = Object.fromEntries(REQUIRED_TRIGGERS.map((t) => [t, true])) as Record<
    (typeof REQUIRED_TRIGGERS)[number],
    boolean
  >;
  const fields: GitLabHookWrite = {
    url,
    token: resolved.gitlab.webhookSecret,
    ...triggers,
    push_events: false,
    enable_ssl_verification: true,
  };
  for (const project of selectProjects(resolved, options.project))
    io.out(await installOne(gitlab, gitlabPathOf(resolved, project), fields));
  io.out(`Triggers: ${REQUIRED_TRIGGERS.join(', ')}. Check with: spira-gitlab-sync doctor\n`);
  return 0;
}

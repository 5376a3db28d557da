import { SECRET_FIELDS } from '../../config/deploy-check.js';
import { ConfigError } from '../../config/errors.js';
import {
  type ResolvedConfig,
  resolveSecrets,
  SecretError,
  type SecretFailure,
} from '../../config/secrets.js';
import { loadSyncConfig, type SyncConfig } from '../../config/sync-config.js';
import { gitlabPathOf } from '../../ops/status-snapshot.js';
import { openState } from '../../ops/sync-state.js';
import type { ParkedItem } from '../../stores/dynamo-parking-store.js';
import { configPathOf, connect, selectProjects, ssmReader } from '../cli-config.js';
import { type CheckLine, fail, info, pass, printLine, whatFailed } from '../doctor/check-line.js';
import { checkGitLabToken, checkSpiraLogin } from '../doctor/connection-checks.js';
import { checkReleases, checkUsers } from '../doctor/pairing-checks.js';
import {
  checkGitLabProject,
  checkLabels,
  checkSpiraProduct,
  checkStatusBulkEdit,
  checkStatuses,
  type ProjectCheck,
} from '../doctor/project-checks.js';
import { checkWebhook } from '../doctor/webhook-check.js';
import type { CliIo } from '../io.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `doctor`. */
export interface DoctorOptions extends GlobalOptions {
  webhookUrl?: string;
  probeStatus?: boolean;
  project?: string[];
}

/** Reads and validates the config and its secrets; every problem is a ✗ line naming the field. */
async function configChecks(
  options: DoctorOptions,
  io: CliIo,
): Promise<{ lines: CheckLine[]; config?: ResolvedConfig }> {
  const path = await configPathOf(options, io);
  let config: SyncConfig | undefined;
  try {
    config = await loadSyncConfig(path);
    const resolved = await resolveSecrets(config, io.env, ssmReader(options, io));
    return {
      lines: [pass(`config ${path} is valid (${config.projects.length} project(s))`)],
      config: resolved,
    };
  } catch (error) {
    if (error instanceof SecretError && config) {
      const lines = error.failures.map((f) => fail(`config ${path}: ${f.problem}`, secretFix(f)));
      // The webhook secret is not needed to check anything else (GitLab never returns a hook's token).
      if (!error.failures.every((f) => f.field === 'gitlab.webhookSecret')) return { lines };
      const rest = { ...config, gitlab: { ...config.gitlab, webhookSecret: 'unreadable' } };
      return { lines, config: await resolveSecrets(rest, io.env, ssmReader(options, io)) };
    }
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.length ? error.problems : [error.message];
    return {
      lines: problems.map((p) => fail(`config ${path}: ${p}`, 'edit the file (see README "Configuration")')),
    };
  }
}

/** What to do about a secret that could not be read, for its form. */
function secretFix({ field, secret }: SecretFailure): string {
  if ('env' in secret)
    return `export ${secret.env}=… (the value of ${field}) in this shell and run doctor again; a deployed sync reads { ssm: … } secrets instead (README "Deploy to AWS")`;
  const stage = /^\/spira-gitlab-sync\/([^/]+)\//.exec(secret.ssm)?.[1];
  const push = stage
    ? `spira-gitlab-sync secrets push --stage ${stage}`
    : `aws ssm put-parameter --type SecureString --name ${secret.ssm}`;
  return `store the value with \`${push}\` (it reads ${SECRET_FIELDS.find((s) => s.field === field)?.variable}); doctor reads it with your AWS credentials (ssm:GetParameter, region from --region or AWS_REGION)`;
}

/** What the sync's state says: the webhook URL to expect and any parked messages (evidence). */
async function stateFacts(options: DoctorOptions, io: CliIo) {
  const location = await locateState(options, io).catch(() => undefined);
  const parked: ParkedItem[] | undefined = location
    ? await openState(location)
        .parking.list()
        .catch(() => undefined)
    : undefined;
  const lines = location
    ? [info(`sync state: ${location.origin}${parked?.length ? `, ${parked.length} parked message(s)` : ''}`)]
    : [
        info(
          'no running or deployed sync found (pass --stage/--stack, or start `npm start`): parked messages not checked',
        ),
      ];
  const target = options.stack
    ? ` --stack ${options.stack}`
    : options.stage
      ? ` --stage ${options.stage}`
      : options.webhookUrl
        ? ` --url ${options.webhookUrl}`
        : '';
  return { url: options.webhookUrl ?? location?.webhookUrl, parked, lines, target };
}

async function projectChecks(p: ProjectCheck, facts: Awaited<ReturnType<typeof stateFacts>>, probe: boolean) {
  const lines: CheckLine[] = [info(`project ${p.project.spiraProjectId} ⇄ ${p.gitlabPath}`)];
  const product = await checkSpiraProduct(p);
  const gitlab = await checkGitLabProject(p);
  lines.push(product.line, gitlab.line);
  const guard = async (what: string, run: () => Promise<CheckLine | CheckLine[]>) => {
    try {
      lines.push(...[await run()].flat());
    } catch (error) {
      lines.push(fail(`${what}: ${whatFailed(error)}`, 'check the connection and rights of the sync user'));
    }
  };
  const { templateId } = product;
  const { gitlabProjectId: gpid } = gitlab;
  if (templateId !== undefined) {
    await guard('statuses', () => checkStatuses(p, templateId));
    await guard('labels', () => checkLabels(p, templateId));
    await guard('Status Bulk Edit', () => checkStatusBulkEdit(p, facts.parked, probe));
  }
  if (templateId !== undefined && gpid !== undefined) {
    await guard('users', () => checkUsers(p, gpid));
    await guard('releases', () => checkReleases(p, gpid));
  }
  if (gpid !== undefined) await guard('webhook', () => checkWebhook(p, gpid, facts.url, facts.target));
  return lines;
}

/** `doctor`: checks the config against the live systems; exit 0 only when no check failed. */
export async function doctorCommand(options: DoctorOptions, io: CliIo): Promise<number> {
  const lines: CheckLine[] = [];
  const print = (more: CheckLine[]) => {
    lines.push(...more);
    for (const line of more) io.out(printLine(line));
  };
  const { lines: configLines, config } = await configChecks(options, io);
  print(configLines);
  if (config) {
    const { spira, gitlab } = connect(config);
    const login = [await checkSpiraLogin(spira, config), ...(await checkGitLabToken(gitlab, config))];
    print(login);
    const facts = await stateFacts(options, io);
    print(facts.lines);
    if (!login.some((l) => l.mark === 'fail')) {
      for (const project of selectProjects(config, options.project)) {
        const index = config.projects.indexOf(project);
        const check = { config, project, index, gitlabPath: gitlabPathOf(config, project), spira, gitlab };
        print(await projectChecks(check, facts, options.probeStatus === true));
      }
    }
  }
  const failed = lines.filter((l) => l.mark === 'fail').length;
  const warned = lines.filter((l) => l.mark === 'warn').length;
  const passed = lines.filter((l) => l.mark === 'pass').length;
  const verdict = failed ? 'fix the ✗ lines above and run doctor again' : 'ready to sync';
  io.out(`\n✓ ${passed}  ✗ ${failed}  ! ${warned}  ${verdict}\n`);
  return failed === 0 ? 0 : 1;
}

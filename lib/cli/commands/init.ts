import { access, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseSyncConfig } from '../../config/sync-config.js';
import { exampleValues, type InitValues, renderYaml, secretForms } from '../init/init-template.js';
import { type LiveSource, readLive } from '../init/read-live.js';
import { CliError, type CliIo, markLine } from '../io.js';
import type { GlobalOptions } from '../locate-state.js';

/** Flags of `init`. */
export interface InitOptions extends GlobalOptions {
  out: string;
  force?: boolean;
  fromLive?: boolean;
  spiraUrl?: string;
  spiraUsername?: string;
  spiraProject?: string;
  gitlabUrl: string;
  gitlabProject?: string;
}

function liveSource(options: InitOptions, io: CliIo): LiveSource {
  const wanted: [string | undefined, string][] = [
    [options.spiraUrl, '--spira-url <url>'],
    [options.spiraUsername, '--spira-username <login>'],
    [options.spiraProject, '--spira-project <id>'],
    [options.gitlabProject, '--gitlab-project <group/project>'],
    [io.env.SPIRA_API_KEY, 'the Spira API key in SPIRA_API_KEY'],
    [io.env.GITLAB_TOKEN, 'the GitLab token in GITLAB_TOKEN'],
  ];
  const missing = wanted.filter(([value]) => !value).map(([, what]) => what);
  if (missing.length > 0) throw new CliError(`init --from-live needs ${missing.join(', ')}`);
  const pid = Number(options.spiraProject);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new CliError(`--spira-project ${options.spiraProject}: expected a product id`);
  return {
    spiraUrl: options.spiraUrl as string,
    spiraUsername: options.spiraUsername as string,
    spiraApiKey: io.env.SPIRA_API_KEY as string,
    spiraProjectId: pid,
    gitlabUrl: options.gitlabUrl,
    gitlabToken: io.env.GITLAB_TOKEN as string,
    gitlabProject: options.gitlabProject as string,
  };
}

/** The file's text (commented YAML, or JSON for a `.json` name), checked against the config schema. */
function render(values: InitValues, path: string, stage: string | undefined): string {
  const yaml = renderYaml(values, new Date(), secretForms(stage));
  const parsed = parseYaml(yaml) as unknown;
  parseSyncConfig(parsed, 'generated config');
  return extname(path).toLowerCase() === '.json' ? `${JSON.stringify(parsed, null, 2)}\n` : yaml;
}

/** `init`: writes a commented config template, or with `--from-live` one filled from both systems. */
export async function initCommand(options: InitOptions, io: CliIo): Promise<number> {
  const path = resolve(io.cwd, options.out);
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists && !options.force) throw new CliError(`${path} exists: pass --force to overwrite it`);
  const values = options.fromLive ? await readLive(liveSource(options, io)) : exampleValues();
  const stage = options.stage;
  await writeFile(path, render(values, path, stage));
  io.out(
    markLine(
      'pass',
      `wrote ${path} (${values.source}; secrets as ${stage ? `SSM parameters of stage ${stage}` : 'environment variables'})`,
    ),
  );
  const c = `--config ${options.out}`;
  io.out(
    stage
      ? 'Next, with SPIRA_API_KEY, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET exported and AWS credentials set:\n' +
          `  spira-gitlab-sync secrets push --stage ${stage} ${c}\n` +
          `  spira-gitlab-sync doctor --stage ${stage} ${c}\n` +
          `  SYNC_CONFIG=${options.out} npx serverless deploy --stage ${stage}\n` +
          `  spira-gitlab-sync hooks install --stage ${stage} ${c}\n` +
          `  spira-gitlab-sync backfill --dry-run --stage ${stage} ${c}\n`
      : 'Next, with SPIRA_API_KEY, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET exported:\n' +
          `  spira-gitlab-sync doctor ${c}\n` +
          `  SYNC_CONFIG=${options.out} npm start\n` +
          `  spira-gitlab-sync hooks install ${c}\n` +
          `  spira-gitlab-sync backfill --dry-run ${c}\n` +
          `(to deploy to AWS instead: init --stage <stage>, which writes the secrets as SSM parameters)\n`,
  );
  return 0;
}

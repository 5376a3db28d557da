import { access, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseSyncConfig } from '../../config/sync-config.js';
import { exampleValues, type InitValues, renderYaml } from '../init/init-template.js';
import { type LiveSource, readLive } from '../init/read-live.js';
import { CliError, type CliIo, markLine } from '../io.js';
import type { GlobalOptions } from '../sync-state.js';

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
function render(values: InitValues, path: string): string {
  const yaml = renderYaml(values);
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
  await writeFile(path, render(values, path));
  io.out(markLine('pass', `wrote ${path} (${values.source})`));
  io.out(
    'Next: export SPIRA_API_KEY, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET, then\n' +
      `  spira-gitlab-sync doctor --config ${options.out}\n` +
      `  spira-gitlab-sync hooks install --config ${options.out} --url https://…/webhooks/gitlab\n` +
      `  spira-gitlab-sync backfill --dry-run --config ${options.out}\n`,
  );
  return 0;
}

import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type ResolvedConfig, resolveSecrets, type SsmReader } from '../config/secrets.js';
import { loadSyncConfig, type ProjectConfig, type SyncConfig } from '../config/sync-config.js';
import type { GitLabClient } from '../connectors/gitlab/gitlab-client.js';
import type { SpiraClient } from '../connectors/spira/spira-client.js';
import { isRunning, readLocalEndpoints } from '../local/local-endpoints.js';
import { gitlabPathOf } from '../ops/status-snapshot.js';
import { apiClientsOf } from '../runtime/clients.js';
import { CliError, type CliIo } from './io.js';
import { dataDirOf, type GlobalOptions } from './locate-state.js';

const DEFAULT_NAMES = ['sync-config.yaml', 'sync-config.yml', 'sync-config.json'];

/**
 * The config file to use: `--config`, else SYNC_CONFIG, else the demo config of a running `npm start`,
 * else `sync-config.yaml|yml|json` in the working directory.
 */
export async function configPathOf(options: GlobalOptions, io: CliIo): Promise<string> {
  const named = options.config ?? io.env.SYNC_CONFIG;
  if (named) return resolve(io.cwd, named);
  const local = await readLocalEndpoints(dataDirOf(options, io)).catch(() => undefined);
  if (local?.configPath && isRunning(local.pid)) return local.configPath;
  for (const name of DEFAULT_NAMES) {
    const path = resolve(io.cwd, name);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  throw new CliError(
    'no config file: pass --config <file>, set SYNC_CONFIG, or write one with `spira-gitlab-sync init`',
  );
}

/** An SSM client with the operator's AWS credentials (`AWS_ENDPOINT_URL_SSM` names another endpoint). */
export function ssmClientOf(options: GlobalOptions, io: CliIo): SSMClient {
  const endpoint = io.env.AWS_ENDPOINT_URL_SSM;
  return new SSMClient({
    region: options.region ?? io.env.AWS_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  });
}

/** Reads SSM SecureString parameters with the operator's AWS credentials. */
export function ssmReader(options: GlobalOptions, io: CliIo): SsmReader {
  let client: SSMClient | undefined;
  return async (name) => {
    client ??= ssmClientOf(options, io);
    const answer = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return answer.Parameter?.Value;
  };
}

/** A loaded config with its secrets read. */
export interface CliConfig {
  path: string;
  config: SyncConfig;
  resolved: ResolvedConfig;
}

/** Loads and validates the config file and reads its secrets (ConfigError names the field on failure). */
export async function loadCliConfig(options: GlobalOptions, io: CliIo): Promise<CliConfig> {
  const path = await configPathOf(options, io);
  const config = await loadSyncConfig(path);
  const resolved = await resolveSecrets(config, io.env, ssmReader(options, io));
  return { path, config, resolved };
}

/** The two REST clients of a resolved config (the same builder the functions use). */
export function connect(config: ResolvedConfig): { gitlab: GitLabClient; spira: SpiraClient } {
  return apiClientsOf(config);
}

/**
 * The active projects named by `--project` (a Spira product id, a `gitlabProject` or a full GitLab path);
 * every active project when none is named.
 */
export function selectProjects(config: SyncConfig, names: readonly string[] = []): ProjectConfig[] {
  const active = config.projects.filter((p) => p.active);
  if (names.length === 0) return active;
  return names.map((name) => {
    const found = config.projects.find(
      (p) =>
        String(p.spiraProjectId) === name || p.gitlabProject === name || gitlabPathOf(config, p) === name,
    );
    if (!found) throw new CliError(`--project ${name}: no such project in the config (projects[])`);
    if (!found.active) throw new CliError(`--project ${name}: the project is not active (projects[].active)`);
    return found;
  });
}

import type { Secret, SyncConfig } from './sync-config.js';

/** The three secrets of a config: where they are in the file, and the variable `init` and `secrets push` use. */
export const SECRET_FIELDS = [
  { field: 'spira.apiKey', variable: 'SPIRA_API_KEY', parameter: 'spira-api-key' },
  { field: 'gitlab.token', variable: 'GITLAB_TOKEN', parameter: 'gitlab-token' },
  { field: 'gitlab.webhookSecret', variable: 'GITLAB_WEBHOOK_SECRET', parameter: 'webhook-secret' },
] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

/** The SSM path the deployed functions may read (serverless.yml grants ssm:GetParameter on it, nothing else). */
export function stagePath(stage: string): string {
  return `/spira-gitlab-sync/${stage}/`;
}

/** The parameter `init --stage` writes and `secrets push` fills for one secret. */
export function parameterName(stage: string, secret: SecretField): string {
  return `${stagePath(stage)}${secret.parameter}`;
}

/** The secret at a field of the config. */
export function secretAt(config: SyncConfig, secret: SecretField): Secret {
  if (secret.field === 'spira.apiKey') return config.spira.apiKey;
  if (secret.field === 'gitlab.token') return config.gitlab.token;
  return config.gitlab.webhookSecret;
}

/**
 * Why the deployed functions of `stage` could not read a secret of the config, one line per field, with the
 * fix. Their environment holds only what serverless.yml gives (no `{ env }` values), and their role may read
 * SSM parameters under the stage's path only. A literal secret works (CONTRACT §2), packaged in the zip.
 */
export function deployProblems(config: SyncConfig, stage: string): string[] {
  const push = `spira-gitlab-sync secrets push --stage ${stage}`;
  return SECRET_FIELDS.flatMap((secret) => {
    const value = secretAt(config, secret);
    if (typeof value === 'string') return [];
    const wanted = parameterName(stage, secret);
    if ('env' in value)
      return [
        `${secret.field}: { env: ${value.env} } is read from the function's environment, and deployed functions have no ${value.env} — fix: write ${secret.field}: { ssm: ${wanted} } (\`spira-gitlab-sync init --stage ${stage}\` writes that form), then store the value with \`${push}\``,
      ];
    if (!value.ssm.startsWith(stagePath(stage)))
      return [
        `${secret.field}: SSM parameter ${value.ssm} is outside ${stagePath(stage)}, the only path the functions of stage ${stage} may read — fix: use { ssm: ${wanted} } and store the value with \`${push}\` (or deploy with the stage the path names)`,
      ];
    return [];
  });
}

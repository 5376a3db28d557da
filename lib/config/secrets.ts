import { ConfigError } from './errors.js';
import type { Secret, SyncConfig } from './sync-config.js';

/** The config with every secret read. */
export type ResolvedConfig = Omit<SyncConfig, 'spira' | 'gitlab'> & {
  spira: Omit<SyncConfig['spira'], 'apiKey'> & { apiKey: string };
  gitlab: Omit<SyncConfig['gitlab'], 'token' | 'webhookSecret'> & { token: string; webhookSecret: string };
};

/** Reads one SSM SecureString parameter (Powertools Parameters in Lambda). */
export type SsmReader = (name: string) => Promise<string | undefined>;

/** Resolves literal, `{ env }` and `{ ssm }` secrets. Errors name the config field, never the value. */
export async function resolveSecrets(
  config: SyncConfig,
  env: Readonly<Record<string, string | undefined>>,
  readSsm: SsmReader,
): Promise<ResolvedConfig> {
  const read = async (secret: Secret, field: string): Promise<string> => {
    if (typeof secret === 'string') return secret;
    const value = 'env' in secret ? env[secret.env] : await readSsm(secret.ssm);
    if (!value) {
      const where = 'env' in secret ? `environment variable ${secret.env}` : `SSM parameter ${secret.ssm}`;
      throw new ConfigError(`${field}: ${where} is empty or missing`, [
        `${field}: ${where} is empty or missing`,
      ]);
    }
    return value;
  };
  const [apiKey, token, webhookSecret] = await Promise.all([
    read(config.spira.apiKey, 'spira.apiKey'),
    read(config.gitlab.token, 'gitlab.token'),
    read(config.gitlab.webhookSecret, 'gitlab.webhookSecret'),
  ]);
  return {
    ...config,
    spira: { ...config.spira, apiKey },
    gitlab: { ...config.gitlab, token, webhookSecret },
  };
}

/** Every secret value of a resolved config, for log redaction checks. */
export function secretValues(config: ResolvedConfig): string[] {
  return [config.spira.apiKey, config.gitlab.token, config.gitlab.webhookSecret];
}

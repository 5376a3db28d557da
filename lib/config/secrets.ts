import { ConfigError } from './errors.js';
import type { Secret, SyncConfig } from './sync-config.js';

/** The config with every secret read. */
export type ResolvedConfig = Omit<SyncConfig, 'spira' | 'gitlab'> & {
  spira: Omit<SyncConfig['spira'], 'apiKey'> & { apiKey: string };
  gitlab: Omit<SyncConfig['gitlab'], 'token' | 'webhookSecret'> & { token: string; webhookSecret: string };
};

/** Reads one SSM SecureString parameter (Powertools Parameters in Lambda). */
export type SsmReader = (name: string) => Promise<string | undefined>;

/** A secret that could not be read: its field, its form, and why (never its value). */
export interface SecretFailure {
  field: 'spira.apiKey' | 'gitlab.token' | 'gitlab.webhookSecret';
  secret: Exclude<Secret, string>;
  problem: string;
}

/** Secrets could not be read; `failures` says which, in which form (doctor gives a fix for each form). */
export class SecretError extends ConfigError {
  constructor(readonly failures: readonly SecretFailure[]) {
    const problems = failures.map((f) => f.problem);
    super(problems.join('\n'), problems);
  }
}

/**
 * Resolves literal, `{ env }` and `{ ssm }` secrets. Every secret that cannot be read is reported (a
 * SecretError naming the field and where it was looked for, never a value).
 */
export async function resolveSecrets(
  config: SyncConfig,
  env: Readonly<Record<string, string | undefined>>,
  readSsm: SsmReader,
): Promise<ResolvedConfig> {
  const failures: SecretFailure[] = [];
  const read = async (secret: Secret, field: SecretFailure['field']): Promise<string> => {
    if (typeof secret === 'string') return secret;
    const where = 'env' in secret ? `environment variable ${secret.env}` : `SSM parameter ${secret.ssm}`;
    try {
      const value = 'env' in secret ? env[secret.env] : await readSsm(secret.ssm);
      if (value) return value;
      failures.push({ field, secret, problem: `${field}: ${where} is empty or missing` });
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failures.push({ field, secret, problem: `${field}: cannot read ${where} (${why})` });
    }
    return '';
  };
  const [apiKey, token, webhookSecret] = await Promise.all([
    read(config.spira.apiKey, 'spira.apiKey'),
    read(config.gitlab.token, 'gitlab.token'),
    read(config.gitlab.webhookSecret, 'gitlab.webhookSecret'),
  ]);
  if (failures.length > 0) throw new SecretError(failures);
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

import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { deployProblems, SECRET_FIELDS, secretAt } from '../../config/deploy-check.js';
import { loadSyncConfig } from '../../config/sync-config.js';
import { configPathOf, ssmClientOf } from '../cli-config.js';
import { CliError, type CliIo, markLine } from '../io.js';
import type { GlobalOptions } from '../locate-state.js';

/**
 * `secrets push --stage <stage>`: writes each `{ ssm: … }` secret of the config as an SSM SecureString, the
 * value taken from its environment variable (SPIRA_API_KEY, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET). Checks
 * first that the functions of the stage can read every secret (as `serverless package` does) and that every
 * value is there, so it writes all or nothing. Prints parameter names and versions, never a value.
 */
export async function secretsPushCommand(options: GlobalOptions, io: CliIo): Promise<number> {
  const stage = options.stage;
  if (!stage)
    throw new CliError(
      'secrets push needs --stage <stage>: the functions of that stage read /spira-gitlab-sync/<stage>/…',
    );
  const path = await configPathOf(options, io);
  const config = await loadSyncConfig(path);
  const problems = deployProblems(config, stage);
  if (problems.length > 0)
    throw new CliError(`${path} cannot be deployed to stage ${stage}:\n  ${problems.join('\n  ')}`);
  const writes = SECRET_FIELDS.flatMap((secret) => {
    const where = secretAt(config, secret);
    return typeof where === 'object' && 'ssm' in where ? [{ ...secret, name: where.ssm }] : [];
  });
  if (writes.length === 0) {
    io.out(markLine('info', `${path} holds no { ssm: … } secret: nothing to push`));
    return 0;
  }
  const missing = writes.filter((w) => !io.env[w.variable]).map((w) => `${w.variable} (${w.field})`);
  if (missing.length > 0) throw new CliError(`export ${missing.join(', ')} first; nothing was written`, 1);
  const ssm = ssmClientOf(options, io);
  for (const w of writes) {
    const answer = await ssm
      .send(
        new PutParameterCommand({
          Name: w.name,
          Value: io.env[w.variable] as string,
          Type: 'SecureString',
          Overwrite: true,
        }),
      )
      .catch((cause: unknown) => {
        const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
        throw new CliError(
          `${w.field}: cannot write SSM parameter ${w.name}: ${why} (needs AWS credentials with ssm:PutParameter)`,
          1,
          { cause },
        );
      });
    io.out(markLine('pass', `${w.field} → ${w.name} (SecureString, version ${answer.Version ?? '?'})`));
  }
  io.out(`Deploy next: SYNC_CONFIG=${options.config ?? path} npx serverless deploy --stage ${stage}\n`);
  return 0;
}

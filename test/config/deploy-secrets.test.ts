import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProblems } from '../../lib/config/deploy-check.js';
import { resolveSecrets, SecretError } from '../../lib/config/secrets.js';
import { parseSyncConfig } from '../../lib/config/sync-config.js';
import { contractExample } from '../helpers/config.js';
import { SsmStandIn } from '../helpers/ssm-stand-in.js';

const withSecrets = (spira: unknown, token: unknown, webhookSecret: unknown) => {
  const raw = contractExample();
  return parseSyncConfig({
    ...raw,
    spira: { ...raw.spira, apiKey: spira },
    gitlab: { ...raw.gitlab, token, webhookSecret },
  });
};

describe('secrets a deployment can read', () => {
  it('accepts SSM parameters under the stage path and literals, and names every other secret with its fix', () => {
    const ok = withSecrets(
      '{LITERAL-KEY}',
      { ssm: '/spira-gitlab-sync/prod/gitlab-token' },
      {
        ssm: '/spira-gitlab-sync/prod/anything',
      },
    );
    const bad = withSecrets(
      { env: 'SPIRA_API_KEY' },
      { ssm: '/spira-gitlab-sync/dev/gitlab-token' },
      'literal',
    );

    expect(deployProblems(ok, 'prod')).toEqual([]);
    expect(deployProblems(bad, 'prod')).toEqual([
      expect.stringMatching(
        /^spira\.apiKey: \{ env: SPIRA_API_KEY \} .* — fix: write spira\.apiKey: \{ ssm: \/spira-gitlab-sync\/prod\/spira-api-key \}/,
      ),
      expect.stringMatching(
        /^gitlab\.token: SSM parameter \/spira-gitlab-sync\/dev\/gitlab-token is outside \/spira-gitlab-sync\/prod\//,
      ),
    ]);
    // A stage whose name starts like another's is not that stage.
    expect(deployProblems(ok, 'pro')).toHaveLength(2);
  });

  it('reports every secret that cannot be read, with its form, never a value', async () => {
    const config = withSecrets({ env: 'NO_SUCH_VARIABLE' }, { ssm: '/p/missing' }, { ssm: '/p/broken' });
    const error = await resolveSecrets(config, {}, async (name) => {
      if (name === '/p/broken')
        throw Object.assign(new Error('Access denied'), { name: 'AccessDeniedException' });
      return undefined;
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).failures.map((f) => [f.field, f.problem])).toEqual([
      ['spira.apiKey', 'spira.apiKey: environment variable NO_SUCH_VARIABLE is empty or missing'],
      ['gitlab.token', 'gitlab.token: SSM parameter /p/missing is empty or missing'],
      [
        'gitlab.webhookSecret',
        'gitlab.webhookSecret: cannot read SSM parameter /p/broken (AccessDeniedException: Access denied)',
      ],
    ]);
  });
});

describe('the SSM stand-in', () => {
  let ssm: SsmStandIn;
  let client: SSMClient;
  beforeAll(async () => {
    ssm = await SsmStandIn.start();
    client = new SSMClient({
      region: 'us-east-1',
      endpoint: ssm.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => ssm?.stop());

  it('returns a SecureString only to a reader that asks for decryption', async () => {
    await client.send(
      new PutParameterCommand({ Name: '/s/key', Value: 'secret-value', Type: 'SecureString' }),
    );
    const decrypted = await client.send(new GetParameterCommand({ Name: '/s/key', WithDecryption: true }));
    const careless = await client.send(new GetParameterCommand({ Name: '/s/key' }));

    expect(decrypted.Parameter).toMatchObject({ Value: 'secret-value', Type: 'SecureString', Version: 1 });
    // A client that forgets WithDecryption reads ciphertext: it would send that as its API key.
    expect(careless.Parameter?.Value).not.toBe('secret-value');
    expect(careless.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.stringify(ssm.requests)).not.toContain('secret-value');
  });

  it('refuses a missing parameter, an overwrite not asked for and a relative path, as SSM does', async () => {
    await client.send(new PutParameterCommand({ Name: '/s/once', Value: 'a', Type: 'SecureString' }));

    await expect(client.send(new GetParameterCommand({ Name: '/s/none' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    await expect(
      client.send(new PutParameterCommand({ Name: '/s/once', Value: 'b', Type: 'SecureString' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    const again = await client.send(
      new PutParameterCommand({ Name: '/s/once', Value: 'b', Type: 'SecureString', Overwrite: true }),
    );
    await expect(
      client.send(new PutParameterCommand({ Name: 's/rel', Value: 'x', Type: 'SecureString' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(again.Version).toBe(2);
    expect(ssm.peek('/s/once')).toMatchObject({ value: 'b', version: 2 });
  });

  it('is reached through AWS_ENDPOINT_URL_SSM by a client given no endpoint (the locked SDK honours it)', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;
    try {
      const plain = new SSMClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const answer = await plain.send(new GetParameterCommand({ Name: '/s/key', WithDecryption: true }));
      expect(answer.Parameter?.Value).toBe('secret-value');
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
      else process.env.AWS_ENDPOINT_URL_SSM = previous;
    }
  });
});

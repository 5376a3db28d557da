import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployProblems } from '../../lib/config/deploy-check.js';
import { loadSyncConfig } from '../../lib/config/sync-config.js';
import { SsmStandIn } from '../helpers/ssm-stand-in.js';
import { type CliHarness, configCopy, startCliHarness } from './cli-harness.js';

/** init --stage, secrets push, and what doctor and status say before anything is deployed. */
describe('setting up a deployment from the CLI', () => {
  let h: CliHarness;
  let ssm: SsmStandIn;
  let env: Record<string, string>;
  let away: string;
  beforeAll(async () => {
    [h, ssm] = await Promise.all([startCliHarness({ noHook: true }), SsmStandIn.start()]);
    away = join(h.dir, 'no-sync-here');
    await mkdir(away);
    env = {
      SPIRA_API_KEY: h.world.config.spira.apiKey,
      GITLAB_TOKEN: h.world.config.gitlab.token,
      GITLAB_WEBHOOK_SECRET: h.world.webhookSecret,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      // No `npm start` and no stack: nothing deployed yet.
      SYNC_DATA_DIR: away,
    };
  });
  afterAll(async () => {
    await Promise.all([h?.stop(), ssm?.stop()]);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  /** The SDK reads credentials from the process environment (io.env is the CLI's view of it). */
  const awsCredentials = () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'operator');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'operator');
  };
  const live = [
    'init',
    '--from-live',
    '--spira-url',
    '',
    '--spira-username',
    'syncbot',
    '--spira-project',
    '',
    '--gitlab-url',
    '',
    '--gitlab-project',
    'gitlab-examples/velociraptor',
  ];
  const initArgs = (out: string, stage?: string) => {
    const args = [...live, '--out', out, ...(stage ? ['--stage', stage] : [])];
    args[3] = h.spira.baseUrl;
    args[7] = String(h.world.spiraProjectId);
    args[9] = h.gitlab.baseUrl;
    return args;
  };

  it('init --stage writes the secrets as SSM parameters of the stage, the form serverless package accepts', async () => {
    const { code, out } = await h.cli(initArgs('prod.yaml', 'prod'), env);
    const config = await loadSyncConfig(join(h.dir, 'prod.yaml'));
    const text = await readFile(join(h.dir, 'prod.yaml'), 'utf8');

    expect(code).toBe(0);
    expect(config.spira.apiKey).toEqual({ ssm: '/spira-gitlab-sync/prod/spira-api-key' });
    expect(config.gitlab.token).toEqual({ ssm: '/spira-gitlab-sync/prod/gitlab-token' });
    expect(config.gitlab.webhookSecret).toEqual({ ssm: '/spira-gitlab-sync/prod/webhook-secret' });
    expect(deployProblems(config, 'prod')).toEqual([]);
    expect(text).toMatch(/^# Secrets are SSM SecureString parameters of stage prod/m);
    expect(out).toMatch(/secrets push --stage prod --config prod\.yaml\n.*doctor --stage prod/);
    expect(out.indexOf('serverless deploy')).toBeLessThan(out.indexOf('hooks install'));
  });

  it('secrets push writes each { ssm } secret as a SecureString from its variable and never prints a value', async () => {
    awsCredentials();
    const { code, out, err } = await h.cli(
      ['secrets', 'push', '--stage', 'prod', '--config', 'prod.yaml'],
      env,
    );

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^✓ spira\.apiKey → \/spira-gitlab-sync\/prod\/spira-api-key \(SecureString, version 1\)$/m,
    );
    expect(out).toMatch(/^✓ gitlab\.webhookSecret → \/spira-gitlab-sync\/prod\/webhook-secret/m);
    expect(ssm.peek('/spira-gitlab-sync/prod/gitlab-token')).toEqual({
      type: 'SecureString',
      value: h.world.config.gitlab.token,
      version: 1,
    });
    for (const secret of [env.SPIRA_API_KEY, env.GITLAB_TOKEN, env.GITLAB_WEBHOOK_SECRET])
      expect(out).not.toContain(secret);
  });

  it('secrets push writes nothing when a value is missing or the functions could not read a secret', async () => {
    awsCredentials();
    const before = ssm.requests.length;
    const missing = await h.cli(['secrets', 'push', '--stage', 'prod', '--config', 'prod.yaml'], {
      ...env,
      GITLAB_TOKEN: '',
    });
    const wrongStage = await h.cli(['secrets', 'push', '--stage', 'dev', '--config', 'prod.yaml'], env);
    const noStage = await h.cli(['secrets', 'push', '--config', 'prod.yaml'], env);

    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/export GITLAB_TOKEN \(gitlab\.token\) first; nothing was written/);
    expect(wrongStage.err).toMatch(
      /spira\.apiKey: SSM parameter \/spira-gitlab-sync\/prod\/spira-api-key is outside \/spira-gitlab-sync\/dev\//,
    );
    expect(noStage.err).toMatch(/secrets push needs --stage <stage>/);
    expect(ssm.requests.length).toBe(before);
  });

  it('doctor reads SSM secrets and expects no webhook before the sync runs', async () => {
    awsCredentials();
    const { code, out } = await h.cli(['doctor', '--config', 'prod.yaml'], env);

    expect(out).toMatch(/^✓ config .*prod\.yaml is valid/m);
    expect(out).toMatch(
      /^! no webhook of gitlab-examples\/velociraptor points at a sync endpoint yet: expected until the sync runs.*\n {4}fix: after `serverless deploy` \(or `npm start`\), run `spira-gitlab-sync hooks install --stage <stage>`/m,
    );
    expect(out).not.toMatch(/^✗/m);
    expect(code).toBe(0);
  });

  it('doctor says what to do for each secret form that cannot be read', async () => {
    awsCredentials();
    const config = configCopy(h.world);
    const mixed = await h.writeConfig('mixed.json', {
      ...config,
      spira: { ...config.spira, apiKey: { env: 'SPIRA_API_KEY' } },
      gitlab: {
        ...config.gitlab,
        token: { ssm: '/spira-gitlab-sync/staging/gitlab-token' },
        webhookSecret: { env: 'GITLAB_WEBHOOK_SECRET' },
      },
    });
    const { code, out } = await h.cli(['doctor', '--config', mixed], { ...env, SPIRA_API_KEY: '' });

    expect(code).toBe(1);
    expect(out).toMatch(
      /^✗ config .*: spira\.apiKey: environment variable SPIRA_API_KEY is empty or missing\n {4}fix: export SPIRA_API_KEY=… \(the value of spira\.apiKey\) in this shell and run doctor again/m,
    );
    expect(out).toMatch(
      /^✗ config .*: gitlab\.token: cannot read SSM parameter \/spira-gitlab-sync\/staging\/gitlab-token \(ParameterNotFound: .*\)\n {4}fix: store the value with `spira-gitlab-sync secrets push --stage staging` \(it reads GITLAB_TOKEN\)/m,
    );
    expect(out).not.toMatch(/webhookSecret/);
    expect(out).not.toMatch(/edit the file/);
  });

  it('doctor goes on with every other check when only the webhook secret is missing', async () => {
    const config = configCopy(h.world);
    const path = await h.writeConfig('no-webhook-secret.json', {
      ...config,
      gitlab: { ...config.gitlab, webhookSecret: { env: 'GITLAB_WEBHOOK_SECRET' } },
    });
    const { code, out } = await h.cli(['doctor', '--config', path], { ...env, GITLAB_WEBHOOK_SECRET: '' });

    expect(code).toBe(1);
    expect(out.match(/^✗ /gm)).toHaveLength(1);
    expect(out).toMatch(
      /^✗ config .*: gitlab\.webhookSecret: environment variable GITLAB_WEBHOOK_SECRET is empty/m,
    );
    expect(out).toMatch(/^✓ Spira .*: signed in as syncbot/m);
    expect(out).toMatch(/^✓ all \d+ Spira statuses mapped/m);
  });

  it('status needs no secret: with no sync to read it says so and how to name one', async () => {
    // No AWS credentials at all, and SSM secrets in the config.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SESSION_TOKEN'])
      vi.stubEnv(name, undefined);
    const { code, err } = await h.cli(['status', '--config', 'prod.yaml'], env);

    expect(code).toBe(1);
    expect(err).toMatch(
      /^✗ no running sync found: start it with `npm start`.*or name a deployed one with --stage\/--stack, or pass --table and --queue-url/,
    );
    expect(err).not.toMatch(/Credentials/);
  });
});

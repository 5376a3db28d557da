import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoWorld, seedDemo } from '../../lib/local/demo.js';
import { CloudFormationStandIn } from '../helpers/cloudformation-stand-in.js';
import { SsmStandIn } from '../helpers/ssm-stand-in.js';
import { type OfflineDeployment, startOfflineDeployment } from './offline-deployment.js';
import { type Packaged, packageService } from './package-service.js';

const BIN = resolve(import.meta.dirname, '../../bin/spira-gitlab-sync.js');
const STAGE = 'walk';

/**
 * README "Set-up walk-through", step by step as a user types it (`npx spira-gitlab-sync …` is the bin run by
 * node, in the user's own folder outside the repository), against stand-ins for everything it talks to:
 * Spira and GitLab; SSM, CloudFormation, DynamoDB and SQS through AWS_ENDPOINT_URL_*. `serverless deploy` is
 * `serverless package` plus the offline start of the artifacts, and a CloudFormation stand-in holding the
 * stack's outputs. Each step must succeed in the README's order.
 */
describe('the README set-up walk-through, followed literally', () => {
  let gitlab: GitLabStandIn;
  let spira: SpiraStandIn;
  let ssm: SsmStandIn;
  let cfn: CloudFormationStandIn;
  let world: DemoWorld;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let packaged: Packaged | undefined;
  let deployment: OfflineDeployment | undefined;

  /** One command in the user's folder; its exit code and output. */
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((ok) => {
      execFile(process.execPath, [BIN, ...args], { cwd: home, env, timeout: 120_000 }, (error, out, err) =>
        ok({ code: error ? Number(error.code ?? 1) : 0, out, err }),
      );
    });

  beforeAll(async () => {
    [gitlab, spira, ssm, cfn] = await Promise.all([
      GitLabStandIn.start(),
      SpiraStandIn.start(),
      SsmStandIn.start(),
      CloudFormationStandIn.start(),
    ]);
    world = await seedDemo(spira, gitlab);
    home = await mkdtemp(join(tmpdir(), 'sgs-user-'));
    env = {
      PATH: process.env.PATH,
      HOME: home,
      // export SPIRA_API_KEY='{…}' GITLAB_TOKEN='glpat-…' GITLAB_WEBHOOK_SECRET="$(openssl rand -hex 32)"
      SPIRA_API_KEY: world.config.spira.apiKey,
      GITLAB_TOKEN: world.config.gitlab.token,
      GITLAB_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
      // The user's AWS account, here the stand-ins.
      AWS_ACCESS_KEY_ID: 'walkthrough',
      AWS_SECRET_ACCESS_KEY: 'walkthrough',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
    };
    // Work that exists before the sync: backfill's business.
    const created = await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
      method: 'POST',
      headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Fence voltage drops at night' }),
    });
    expect(created.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await deployment?.stop();
    await packaged?.remove();
    await Promise.all([gitlab?.stop(), spira?.stop(), ssm?.stop(), cfn?.stop()]);
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('1. init --from-live --stage writes sync-config.yaml with SSM secrets', async () => {
    const { code, out, err } = await cli(
      'init',
      '--from-live',
      '--stage',
      STAGE,
      '--spira-url',
      spira.baseUrl,
      '--spira-username',
      'syncbot',
      '--spira-project',
      String(world.spiraProjectId),
      '--gitlab-url',
      gitlab.baseUrl,
      '--gitlab-project',
      'gitlab-examples/velociraptor',
    );

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^✓ wrote .*sync-config\.yaml/);
    expect(await readFile(join(home, 'sync-config.yaml'), 'utf8')).toMatch(
      /apiKey: \{ ssm: \/spira-gitlab-sync\/walk\/spira-api-key \}/,
    );
  });

  it('2. secrets push stores the three secrets', async () => {
    const { code, out } = await cli('secrets', 'push', '--stage', STAGE);

    expect(code).toBe(0);
    expect(out.match(/^✓ /gm)).toHaveLength(3);
    expect(ssm.names()).toEqual([
      '/spira-gitlab-sync/walk/gitlab-token',
      '/spira-gitlab-sync/walk/spira-api-key',
      '/spira-gitlab-sync/walk/webhook-secret',
    ]);
  });

  it('3. doctor passes before the deployment, the missing webhook being expected', async () => {
    const { code, out } = await cli('doctor', '--stage', STAGE);

    expect(out).toMatch(/^· no running or deployed sync found/m);
    expect(out).toMatch(/^! no webhook of gitlab-examples\/velociraptor points at a sync endpoint yet/m);
    expect(out).not.toMatch(/^✗/m);
    expect(code).toBe(0);
  });

  it('4. SYNC_CONFIG=sync-config.yaml serverless deploy: package, then the artifacts start and the stack exists', async () => {
    packaged = await packageService({ syncConfig: join(home, 'sync-config.yaml'), stage: STAGE });
    expect(packaged.code, packaged.output).toBe(0);
    expect(packaged.output).toMatch(/✔ Service packaged/);
    deployment = await startOfflineDeployment(packaged.outDir, await packaged.template(), {
      dynamo: inject('dynamoEndpoint'),
      sqs: inject('sqsEndpoint'),
      ssm: ssm.endpoint,
      dynamoSupportsTtl: inject('dynamoSupportsTtl'),
    });
    cfn.deploy(`spira-gitlab-sync-${STAGE}`, deployment.outputs);

    expect(deployment.outputs.WebhookUrl).toBe(`${deployment.apiUrl}/webhooks/gitlab`);
  }, 240_000);

  it('5. hooks install points GitLab at the deployed webhook, and doctor now passes the webhook too', async () => {
    const install = await cli('hooks', 'install', '--stage', STAGE);
    const doctor = await cli('doctor', '--stage', STAGE);

    expect(install.code).toBe(0);
    expect(install.out).toContain(`created hook`);
    expect(install.out).toContain(`→ ${deployment?.outputs.WebhookUrl}`);
    expect(doctor.out).toMatch(/^· sync state: stack spira-gitlab-sync-walk/m);
    expect(doctor.out).toMatch(
      /^✓ webhook \d+ of gitlab-examples\/velociraptor → .*: enabled, all triggers on/m,
    );
    expect(doctor.out).not.toMatch(/^✗/m);
    expect(doctor.code).toBe(0);
    // A change in GitLab now reaches Spira through the deployed functions.
    await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
      method: 'POST',
      headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Raptor feeding log is empty' }),
    });
    await gitlab.settle();
    expect(gitlab.deliveries.at(-1)?.status).toBe(202);
    await deployment?.drainQueue();
    expect(spira.incidents(world.spiraProjectId).map((i) => i.Name)).toContain('Raptor feeding log is empty');
  });

  it('6. backfill --dry-run announces the existing issue and writes nothing', async () => {
    const before = spira.incidents(world.spiraProjectId).length;
    const { code, out } = await cli('backfill', '--dry-run', '--stage', STAGE);

    expect(code).toBe(0);
    expect(out).toMatch(/DRY RUN: nothing was written/);
    expect(out).toMatch(/GitLab issues → Spira incidents\s+1\s+0/);
    expect(spira.incidents(world.spiraProjectId)).toHaveLength(before);
  });

  it('7. status reads the deployed sync', async () => {
    const { code, out } = await cli('status', '--stage', STAGE);

    expect(code).toBe(0);
    expect(out).toMatch(/^spira-gitlab-sync status \(stack spira-gitlab-sync-walk\)/);
    expect(out).toMatch(/^queue {10}0 waiting, 0 in flight, 0 delayed/m);
    expect(out).toMatch(/^Spira \d+ ⇄ gitlab-examples\/velociraptor/m);
  });
});

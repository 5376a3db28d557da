import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GitLabStandIn } from '@spira-gitlab-sync/stand-ins/gitlab';
import { SpiraStandIn } from '@spira-gitlab-sync/stand-ins/spira';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { type DemoWorld, seedDemo } from '../../lib/local/demo.js';
import { SsmStandIn } from '../helpers/ssm-stand-in.js';
import { type OfflineDeployment, startOfflineDeployment } from './offline-deployment.js';
import { type CloudFormationTemplate, type Packaged, packageService } from './package-service.js';

const STAGE = 'offline';
const REPO = resolve(import.meta.dirname, '../..');

/**
 * Packages the service with a config that lives outside the repository, then starts every artifact as
 * Lambda would (offline-deployment.ts) over DynamoDB Local, fauxqs and an SSM stand-in, and drives it through
 * GitLab and Spira stand-ins: the path a deployment takes from `serverless package` to a running sync.
 */
describe('the packaged functions start from their artifacts and read their secrets', () => {
  let gitlab: GitLabStandIn;
  let spira: SpiraStandIn;
  let ssm: SsmStandIn;
  let world: DemoWorld;
  let configDir: string;
  let packaged: Packaged;
  let template: CloudFormationTemplate;
  let deployment: OfflineDeployment;
  let secrets: Record<string, string>;

  beforeAll(async () => {
    [gitlab, spira, ssm] = await Promise.all([
      GitLabStandIn.start(),
      SpiraStandIn.start(),
      SsmStandIn.start(),
    ]);
    world = await seedDemo(spira, gitlab, 'offline-webhook-secret');
    configDir = await mkdtemp(join(tmpdir(), 'sgs-config-'));
    secrets = {
      '/spira-gitlab-sync/offline/spira-api-key': world.config.spira.apiKey,
      '/spira-gitlab-sync/offline/gitlab-token': world.config.gitlab.token,
      '/spira-gitlab-sync/offline/webhook-secret': world.webhookSecret,
    };
    const client = new SSMClient({
      region: 'us-east-1',
      endpoint: ssm.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    for (const [Name, Value] of Object.entries(secrets))
      await client.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
    const config = {
      ...world.config,
      spira: { ...world.config.spira, apiKey: { ssm: '/spira-gitlab-sync/offline/spira-api-key' } },
      gitlab: {
        ...world.config.gitlab,
        token: { ssm: '/spira-gitlab-sync/offline/gitlab-token' },
        webhookSecret: { ssm: '/spira-gitlab-sync/offline/webhook-secret' },
      },
    };
    await writeFile(join(configDir, 'sync-config.yaml'), stringify(config));
    packaged = await packageService({ syncConfig: join(configDir, 'sync-config.yaml'), stage: STAGE });
    if (packaged.code !== 0) throw new Error(`serverless package failed:\n${packaged.output}`);
    template = await packaged.template();
    // Lambda has none of the packaging machine's files: the config outside the artifacts goes away.
    await rm(configDir, { recursive: true, force: true });
    deployment = await startOfflineDeployment(packaged.outDir, template, {
      dynamo: inject('dynamoEndpoint'),
      sqs: inject('sqsEndpoint'),
      ssm: ssm.endpoint,
      dynamoSupportsTtl: inject('dynamoSupportsTtl'),
    });
    gitlab.addHook(world.gitlabProjectId, {
      url: `${deployment.apiUrl}/webhooks/gitlab`,
      token: world.webhookSecret,
      issues_events: true,
      confidential_issues_events: true,
      note_events: true,
      confidential_note_events: true,
      milestone_events: true,
    });
  }, 240_000);

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all([gitlab?.stop(), spira?.stop(), ssm?.stop()]);
    await packaged?.remove();
  });

  const item = async (Key: Record<string, string>) => {
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: inject('dynamoEndpoint'),
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    );
    return (await db.send(new GetCommand({ TableName: deployment.table, Key, ConsistentRead: true }))).Item;
  };

  const fn = (suffix: string) => {
    const found = Object.values(deployment.functions).find((f) =>
      f.env.AWS_LAMBDA_FUNCTION_NAME?.endsWith(suffix),
    );
    if (!found) throw new Error(`no function ${suffix} in the template`);
    return found;
  };

  it('gives each function only the template environment, and its artifact holds the config SYNC_CONFIG names', async () => {
    const names = Object.values(deployment.functions)
      .map((f) => f.env.AWS_LAMBDA_FUNCTION_NAME)
      .sort();
    expect(names).toEqual([
      `spira-gitlab-sync-${STAGE}-gitlab-webhook`,
      `spira-gitlab-sync-${STAGE}-spira-poller`,
      `spira-gitlab-sync-${STAGE}-sync-worker`,
    ]);
    for (const f of Object.values(deployment.functions)) {
      expect(
        Object.keys(f.env)
          .filter((k) => !/^(AWS_|LAMBDA_|TZ$)/.test(k))
          .sort(),
      ).toEqual([
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'QUEUE_URL',
        'SYNC_CONFIG',
        'TABLE_NAME',
      ]);
      expect(f.env.SYNC_CONFIG).not.toContain(configDir);
      const packagedConfig = join(f.env.LAMBDA_TASK_ROOT as string, f.env.SYNC_CONFIG as string);
      await access(packagedConfig);
      expect(JSON.parse(await readFile(packagedConfig, 'utf8')).gitlab.webhookSecret).toEqual({
        ssm: '/spira-gitlab-sync/offline/webhook-secret',
      });
      // Nothing of the repository is reachable from the unzipped folder.
      expect(f.env.LAMBDA_TASK_ROOT?.startsWith(REPO)).toBe(false);
    }
  });

  it('answers 401 to a delivery with a wrong token', async () => {
    const response = await fetch(`${deployment.apiUrl}/webhooks/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Issue Hook',
        'x-gitlab-token': 'wrong',
      },
      body: JSON.stringify({ object_kind: 'issue' }),
    });

    expect(response.status).toBe(401);
  });

  it('answers 202 to a GitLab delivery, and the worker applies it to Spira', async () => {
    const created = await fetch(`${gitlab.baseUrl}/api/v4/projects/${world.gitlabProjectId}/issues`, {
      method: 'POST',
      headers: { 'private-token': world.gitlab.fred.token, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Raptor pen gate jams', description: 'Seen at **feeding** time.' }),
    });
    expect(created.status).toBe(201);
    await gitlab.settle();
    const delivery = gitlab.deliveries.find((d) => d.event === 'Issue Hook');

    expect(delivery?.status).toBe(202);
    const drained = await deployment.drainQueue();
    expect(drained).toMatchObject({ failed: 0 });
    expect(drained.records).toBeGreaterThan(0);
    const incident = spira.incidents(world.spiraProjectId).find((i) => i.Name === 'Raptor pen gate jams');
    expect(incident?.Description).toContain('<strong>feeding</strong>');
    // The secrets came from SSM, decrypted, and from nowhere else.
    const reads = ssm.requests.filter((r) => r.operation === 'GetParameter');
    expect(new Set(reads.map((r) => r.name))).toEqual(new Set(Object.keys(secrets)));
    expect(reads.every((r) => r.withDecryption && r.status === 200)).toBe(true);
  });

  it('polls Spira once when the schedule fires', async () => {
    const before = spira.requests.length;
    const cursor = { pk: `cursor#spira-incidents#${world.spiraProjectId}` };
    expect(await item(cursor)).toBeUndefined();
    const result = await fn('spira-poller').invoke({
      version: '0',
      id: 'offline-schedule',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/offline'],
      detail: {},
    });

    expect(result).toEqual({ queued: expect.any(Number) });
    const polled = spira.requests.slice(before).filter((r) => r.method === 'GET');
    expect(polled.length).toBeGreaterThan(0);
    // The first poll records Spira's clock as the project's watermark.
    expect(await item(cursor)).toMatchObject({ value: expect.any(String) });
  });
});

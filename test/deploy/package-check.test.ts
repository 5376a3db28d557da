import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Packaged, packageService } from './package-service.js';

const REPO = resolve(import.meta.dirname, '../..');
const example = async () => JSON.parse(await readFile(join(REPO, 'sync-config.example.json'), 'utf8'));

/** `serverless package` checks the config before bundling, and packages it at one fixed path. */
describe('serverless package and the sync config', () => {
  let outside: string;
  const runs: Packaged[] = [];
  /** Packages with a config written outside the service folder, named by a path relative to it. */
  const packageWith = async (name: string, config: unknown, stage = 'dev') => {
    const file = join(outside, name);
    if (config !== undefined)
      await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
    // The service copy and this folder are both in the temporary folder: `../<folder>/<name>` from the service.
    const run = await packageService({ syncConfig: `../${basename(outside)}/${name}`, stage });
    runs.push(run);
    return run;
  };
  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'sgs-outside-'));
  });
  afterAll(async () => {
    await Promise.all(runs.map((r) => r.remove()));
    await rm(outside, { recursive: true, force: true });
  });

  it('fails on an invalid config, naming the field path, and packages nothing', async () => {
    const bad = await example();
    bad.projects[0].incidentStatuses[0].gitlab = 'open';
    const run = await packageWith('bad.json', bad);

    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/is not deployable; nothing was packaged/);
    expect(run.output).toMatch(/projects\[0\]\.incidentStatuses\[0\]\.gitlab: Invalid option/);
    await expect(readFile(join(run.outDir, 'sync-worker.zip'))).rejects.toThrow(/ENOENT/);
  });

  it('fails on a config outside the repository that cannot be read, naming the path and the reason', async () => {
    const run = await packageWith('missing.yaml', undefined);

    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/SYNC_CONFIG=\.\.\/.*missing\.yaml \(\/.*missing\.yaml\) is not deployable/);
    expect(run.output).toMatch(/Cannot read config file .*missing\.yaml: no such file\s+Error: ENOENT/);
  });

  it('fails on secrets the deployed functions cannot resolve, naming each field and the fix', async () => {
    const config = await example();
    config.spira.apiKey = { env: 'SPIRA_API_KEY' };
    config.gitlab.token = { ssm: '/spira-gitlab-sync/prod/gitlab-token' };
    const run = await packageWith('secrets.json', config);

    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(
      /spira\.apiKey: \{ env: SPIRA_API_KEY \} is read from the function's environment, and deployed functions have no SPIRA_API_KEY — fix: write spira\.apiKey: \{ ssm: \/spira-gitlab-sync\/dev\/spira-api-key \}/,
    );
    expect(run.output).toMatch(/`spira-gitlab-sync secrets push --stage dev`/);
    expect(run.output).toMatch(
      /gitlab\.token: SSM parameter \/spira-gitlab-sync\/prod\/gitlab-token is outside \/spira-gitlab-sync\/dev\//,
    );
    expect(run.output).not.toMatch(/webhookSecret/);
  });

  it('packages a YAML config from outside the repository into every artifact at the path SYNC_CONFIG names', async () => {
    const config = await example();
    const yaml = `# kept outside the repository\n${JSON.stringify({ ...config, pollIntervalSeconds: 300 })}\n`;
    const run = await packageWith('outside.yaml', yaml);
    expect(run.code, run.output).toBe(0);
    const template = await run.template();
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const schedule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule');

    expect(functions).toHaveLength(3);
    expect(schedule?.Properties?.ScheduleExpression).toBe('rate(5 minutes)');
    for (const f of functions) {
      const path = f.Properties?.Environment.Variables.SYNC_CONFIG;
      expect(path).toBe('.deploy-config/sync-config.json');
      const zip = unzipSync(
        new Uint8Array(await readFile(join(run.outDir, f.Properties?.Code.S3Key.split('/').pop()))),
      );
      expect(JSON.parse(Buffer.from(zip[path] as Uint8Array).toString('utf8'))).toMatchObject({
        pollIntervalSeconds: 300,
        spira: { apiKey: { ssm: '/spira-gitlab-sync/dev/spira-api-key' } },
      });
    }
  });

  it('packages the example config when SYNC_CONFIG is unset (stage dev), and refuses it for another stage', async () => {
    const dev = await packageService({ stage: 'dev' });
    const prod = await packageService({ stage: 'prod' });
    runs.push(dev, prod);

    expect(dev.code, dev.output).toBe(0);
    expect(dev.output).toMatch(/sync-config\.example\.json checked for stage dev/);
    expect(prod.code).not.toBe(0);
    expect(prod.output).toMatch(
      /spira\.apiKey: SSM parameter \/spira-gitlab-sync\/dev\/spira-api-key is outside \/spira-gitlab-sync\/prod\//,
    );
  });
});

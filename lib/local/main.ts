import { resolve } from 'node:path';
import { announceLocalRuntime } from '../cli/local-endpoints.js';
import { ConfigError } from '../config/errors.js';
import { processEnv } from '../config/runtime-env.js';
import { resolveSecrets } from '../config/secrets.js';
import { loadSyncConfig } from '../config/sync-config.js';
import type { Log } from '../ports/sync-ports.js';
import { DEMO_AMY_API_KEY, type DemoWorld, hookUp, seedDemo } from './demo.js';
import { startLocalRuntime } from './local-runtime.js';
import { GitLabStandIn } from './stand-ins/gitlab-stand-in.js';
import { SpiraStandIn } from './stand-ins/spira-stand-in.js';
import { statusPageRoutes } from './status-page.js';

/** `npm start`: the whole sync on this machine (CONTRACT §1). Demo mode when SYNC_CONFIG is unset. */
async function main(): Promise<void> {
  const env = processEnv();
  const port = Number(env.PORT ?? 3000);
  const dataDir = resolve(env.SYNC_DATA_DIR ?? '.data');
  const log = consoleLog();
  const demo = env.SYNC_CONFIG ? undefined : await startDemo();
  const config = demo
    ? demo.world.config
    : await resolveSecrets(await loadSyncConfig(env.SYNC_CONFIG as string), env, noSsm);
  const local = await startLocalRuntime({
    config,
    port,
    dataDir: demo ? undefined : dataDir,
    log,
    name: 'spira-gitlab-sync',
    routes: statusPageRoutes,
  });
  if (demo) hookUp(demo.gitlab, demo.world, local.url);
  // Tells `npx spira-gitlab-sync` where this process keeps its table and queue (SYNC_DATA_DIR/local.json).
  const forget = await announceLocalRuntime(dataDir, local, demo?.world.config);
  console.log(`spira-gitlab-sync is running (DynamoDB: ${local.dynamoEngine}, SQS: fauxqs)`);
  console.log(`  webhook endpoint  POST ${local.url}/webhooks/gitlab`);
  console.log(`  health            GET  ${local.url}/health`);
  console.log(`  status page       GET  ${local.url}/`);
  console.log(
    `  operator CLI      npx spira-gitlab-sync --help   (finds this process through ${dataDir}/local.json)`,
  );
  if (demo) printDemo(demo.world, demo.gitlab.baseUrl, demo.spira.baseUrl, local.url);
  const stop = async () => {
    await forget();
    await local.stop();
    await Promise.all([demo?.gitlab.stop(), demo?.spira.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function startDemo() {
  const [gitlab, spira] = await Promise.all([GitLabStandIn.start(), SpiraStandIn.start()]);
  return { gitlab, spira, world: await seedDemo(spira, gitlab) };
}

function printDemo(world: DemoWorld, gitlabUrl: string, spiraUrl: string, syncUrl: string): void {
  const spiraApi = `${spiraUrl}/Services/v7_0/RestService.svc`;
  console.log(`
Demo mode (no SYNC_CONFIG): local GitLab and Spira stand-ins, seeded.
  GitLab stand-in   ${gitlabUrl}/api/v4   project ${world.gitlabPath} (id ${world.gitlabProjectId})
  Spira stand-in    ${spiraApi}   product ${world.spiraProjectId}

Try it — create a GitLab issue as Fred:
  curl -s -X POST -H 'PRIVATE-TOKEN: ${world.gitlab.fred.token}' -H 'Content-Type: application/json' \\
    -d '{"title":"Login button does nothing","description":"Steps:\\n\\n1. open **/login**\\n2. click"}' \\
    ${gitlabUrl}/api/v4/projects/${world.gitlabProjectId}/issues

Then see the Spira incident appear (within a second):
  curl -s -H 'username: syncbot' -H 'api-key: ${world.config.spira.apiKey}' \\
    ${spiraApi}/projects/${world.spiraProjectId}/incidents

And the other way — log an incident in Spira as Amy (a Spira-only tester):
  curl -s -X POST -H 'username: amyt' -H 'api-key: ${DEMO_AMY_API_KEY}' -H 'Content-Type: application/json' \\
    -d '{"Name":"Report totals are wrong","Description":"<p>Off by one on <b>page 2</b></p>"}' \\
    ${spiraApi}/projects/${world.spiraProjectId}/incidents

It appears as a GitLab issue on the next poll (every ${world.config.pollIntervalSeconds} s):
  curl -s -H 'PRIVATE-TOKEN: ${world.gitlab.fred.token}' ${gitlabUrl}/api/v4/projects/${world.gitlabProjectId}/issues

Health: ${syncUrl}/health`);
}

const noSsm = async (name: string): Promise<string> => {
  throw new ConfigError(
    `SSM parameter ${name}: SSM secrets are read only when deployed; locally use a literal or { "env": … }`,
    [name],
  );
};

function consoleLog(): Log {
  const line = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    console.log(`${new Date().toISOString()} ${level} ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}`);
  return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

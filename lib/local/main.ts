import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { processEnv } from '../config/runtime-env.js';
import { resolveSecrets } from '../config/secrets.js';
import { loadSyncConfig } from '../config/sync-config.js';
import type { Log } from '../ports/sync-ports.js';
import { DEMO_AMY_API_KEY, type DemoWorld, hookUp, startDemo } from './demo.js';
import {
  announceLocalRuntime,
  isRunning,
  localEndpointsPath,
  readLocalEndpoints,
} from './local-endpoints.js';
import { startLocalRuntime } from './local-runtime.js';
import { statusPageRoutes } from './status-page.js';

/** How long a stop may take before the process exits anyway (CONTRACT: everything stops within 10 s). */
const STOP_DEADLINE_MS = 8_000;

/** `npm start`: the whole sync on this machine (CONTRACT §1). Demo mode when SYNC_CONFIG is unset. */
async function main(): Promise<void> {
  quietNodeVersionWarning();
  const env = processEnv();
  const port = Number(env.PORT ?? 3000);
  const dataDir = resolve(env.SYNC_DATA_DIR ?? '.data');
  const log = consoleLog();
  const stops: (() => Promise<unknown>)[] = [];
  const shutdown = onStopRequest(log, stops);
  await refuseSecondRun(dataDir);
  await ensurePortFree(port);
  const demo = env.SYNC_CONFIG ? undefined : await startDemo();
  if (demo) stops.push(() => Promise.all([demo.gitlab.stop(), demo.spira.stop()]));
  const config = demo
    ? demo.world.config
    : await resolveSecrets(await loadSyncConfig(env.SYNC_CONFIG as string), env, noSsm);
  const workerDelayMs = Number(env.SYNC_TEST_WORKER_DELAY_MS ?? 0);
  const local = await startLocalRuntime({
    config,
    port,
    dataDir: demo ? undefined : dataDir,
    log,
    name: 'spira-gitlab-sync',
    routes: statusPageRoutes,
    ...(workerDelayMs > 0 ? { workerDelayMs } : {}),
  });
  stops.unshift(() => local.stop());
  if (demo) hookUp(demo.gitlab, demo.world, local.url);
  // Tells `npx spira-gitlab-sync` where this process keeps its table and queue (SYNC_DATA_DIR/local.json).
  const forget = await announceLocalRuntime(dataDir, local, demo?.world.config);
  stops.unshift(forget);
  console.log(`spira-gitlab-sync is running (DynamoDB: ${local.dynamoEngine}, SQS: fauxqs)`);
  console.log(`  webhook endpoint  POST ${local.url}/webhooks/gitlab`);
  console.log(`  health            GET  ${local.url}/health`);
  console.log(`  status page       GET  ${local.url}/`);
  console.log(
    `  operator CLI      npx spira-gitlab-sync --help   (finds this process through ${dataDir}/local.json)`,
  );
  if (workerDelayMs > 0)
    console.log(`  TEST ONLY: SYNC_TEST_WORKER_DELAY_MS=${workerDelayMs} slows the worker down`);
  if (demo) printDemo(demo.world, demo.gitlab.baseUrl, demo.spira.baseUrl, local.url);
  shutdown.ready();
}

/**
 * Stops on SIGTERM, SIGINT or SIGHUP, and when the parent that started us (npm) is gone: no new webhooks
 * or polls, the worker finishes its batches, then the stores stop. A second signal, or the deadline,
 * exits at once (everything acknowledged is in the journal either way).
 */
function onStopRequest(log: Log, stops: (() => Promise<unknown>)[]) {
  let ready = false;
  let requested: string | undefined;
  const run = async (why: string) => {
    console.log(`${new Date().toISOString()} INFO stopping (${why}): finishing work in flight`);
    setTimeout(() => {
      log.error('stop took too long: exiting now');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    for (const stop of stops)
      await stop().catch((error: unknown) => log.error('stop', { error: String(error) }));
    console.log(`${new Date().toISOString()} INFO stopped`);
    process.exit(0);
  };
  const request = (why: string) => {
    if (requested) {
      if (why !== requested) process.exit(1);
      return;
    }
    requested = why;
    if (ready) void run(why);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => request(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) request(`parent process ${parent} is gone`);
  }, 500).unref();
  return {
    ready: () => {
      ready = true;
      if (requested) void run(requested);
    },
  };
}

/** One `npm start` per data folder: a live one named in local.json stops this start; a dead one's file goes. */
async function refuseSecondRun(dataDir: string): Promise<void> {
  const running = await readLocalEndpoints(dataDir).catch(() => undefined);
  if (!running || running.pid === process.pid) return;
  if (isRunning(running.pid))
    throw new StartError(
      `another npm start (pid ${running.pid}, ${running.url}) uses ${dataDir}: stop it first, or set SYNC_DATA_DIR to another folder`,
    );
  console.log(`Removing ${localEndpointsPath(dataDir)} of an earlier run (pid ${running.pid} is gone)`);
  await rm(localEndpointsPath(dataDir), { force: true });
}

/** Checks the port before anything starts, so that a clash leaves nothing behind. */
async function ensurePortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => server.close(() => ok()));
  }).catch((error: NodeJS.ErrnoException) => {
    throw portError(port, error);
  });
}

function portError(port: number, error: NodeJS.ErrnoException): Error {
  if (error.code === 'EADDRINUSE')
    return new StartError(
      `port ${port} on 127.0.0.1 is already in use (another npm start?): set PORT to a free port, e.g. PORT=${port + 1} npm start`,
    );
  if (error.code === 'EACCES')
    return new StartError(
      `port ${port} on 127.0.0.1 may not be opened by this user: set PORT (1024 or above)`,
    );
  return error;
}

/**
 * On Node 20 every AWS SDK client prints a 10-line warning that later SDK versions need Node 22; one line
 * says what matters (README "Node versions"). Other warnings are untouched.
 */
function quietNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
  if (Number(process.versions.node.split('.')[0]) < 22)
    console.log(
      `Note: Node ${process.version} works, but Node 20 is past its end of life: use Node 22 or 24 (README "Node versions")`,
    );
}

/** A start-up problem told in one line, without a stack. */
class StartError extends Error {}

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
  const clash =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? portError(Number(processEnv().PORT ?? 3000), error as NodeJS.ErrnoException)
      : error;
  console.error(clash instanceof ConfigError || clash instanceof StartError ? clash.message : clash);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ResolvedConfig } from '../config/secrets.js';
import { formatPath } from '../config/sync-config.js';
import { CliError } from '../ops/errors.js';
import type { LocalRuntime } from './local-runtime.js';

/**
 * What a running `npm start` tells the CLI (`<SYNC_DATA_DIR>/local.json`): where its DynamoDB table and
 * SQS queue are, its HTTP endpoint, and (demo mode) the config it made up. Removed when it stops.
 */
export const LocalEndpointsSchema = z.object({
  v: z.literal(1),
  pid: z.number().int().positive(),
  url: z.url(),
  region: z.string().min(1),
  tableName: z.string().min(1),
  queueUrl: z.url(),
  dynamoEndpoint: z.url(),
  sqsEndpoint: z.url(),
  /** Demo mode: the generated config (stand-in credentials only). */
  configPath: z.string().min(1).optional(),
  startedAt: z.iso.datetime(),
});
export type LocalEndpoints = z.infer<typeof LocalEndpointsSchema>;

/** The handshake file in a data folder. */
export function localEndpointsPath(dataDir: string): string {
  return join(dataDir, 'local.json');
}

/**
 * Called by `npm start` once the runtime is up: writes `local.json` (and, in demo mode, `demo-config.json`)
 * into the data folder so the CLI can reach the same table and queue. Returns the clean-up for shutdown.
 */
export async function announceLocalRuntime(
  dataDir: string,
  local: LocalRuntime,
  demoConfig?: ResolvedConfig,
): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const configPath = demoConfig ? join(dataDir, 'demo-config.json') : undefined;
  if (configPath) await writeFile(configPath, `${JSON.stringify(demoConfig, null, 2)}\n`, { mode: 0o600 });
  const { env } = local.runtime;
  const endpoints: LocalEndpoints = {
    v: 1,
    pid: process.pid,
    url: local.url,
    region: env.AWS_REGION,
    tableName: env.TABLE_NAME,
    queueUrl: env.QUEUE_URL,
    dynamoEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    sqsEndpoint: env.AWS_ENDPOINT_URL_SQS ?? '',
    ...(configPath ? { configPath } : {}),
    startedAt: new Date().toISOString(),
  };
  await writeFile(localEndpointsPath(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
  return async () => {
    await rm(localEndpointsPath(dataDir), { force: true });
    if (configPath) await rm(configPath, { force: true });
  };
}

/** Reads `local.json`; undefined when there is none. A malformed file is an error naming the field. */
export async function readLocalEndpoints(dataDir: string): Promise<LocalEndpoints | undefined> {
  const path = localEndpointsPath(dataDir);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not JSON: delete it and restart \`npm start\``);
  }
  const parsed = LocalEndpointsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
    throw new CliError(`${path} is malformed (${problems.join('; ')}): restart \`npm start\``);
  }
  return parsed.data;
}

/**
 * Whether a process with this id is alive (signal 0 only checks). A zombie is not: a SIGKILLed run's app is
 * one until something reaps it, and where PID 1 does not reap (some containers) that is never.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Linux: the state field of /proc/<pid>/stat is Z. Elsewhere (no /proc) a process that answers is alive. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

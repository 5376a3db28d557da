import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(import.meta.dirname, '../..');
/** What `serverless package` reads from the repository (everything else is excluded by package.patterns). */
const SERVICE_FILES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'sync-config.example.json',
  'deploy',
  'functions',
  'lib',
];

/** The outcome of one `serverless package`. */
export interface Packaged {
  code: number;
  /** stdout and stderr together, as a user sees them. */
  output: string;
  /** The service folder packaged (a copy of the repository's service files). */
  serviceDir: string;
  /** `.serverless/` of that folder: the template and one zip per function. */
  outDir: string;
  template(): Promise<CloudFormationTemplate>;
  remove(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation values are intrinsic functions or literals
export type CfnValue = any;
export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, CfnValue> }>;
  Outputs?: Record<string, { Value: CfnValue }>;
}

/** The environment of an offline `serverless package`: no AWS credentials, no SYNC_CONFIG, no telemetry. */
export function offlinePackagingEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', CI: 'true' };
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'SYNC_CONFIG',
  ])
    delete env[name];
  return env;
}

/**
 * Runs `serverless package --stage <stage>` (osls, offline, no AWS credentials) in a fresh copy of the
 * service's files with the repository's node_modules linked in: packaging writes .esbuild/ and .serverless/
 * into the service folder, and test files run in parallel. `SYNC_CONFIG` is passed as given (relative paths
 * resolve against the service folder, where a user runs serverless).
 */
export async function packageService(options: { syncConfig?: string; stage: string }): Promise<Packaged> {
  const serviceDir = await mkdtemp(join(tmpdir(), 'sgs-service-'));
  await Promise.all(SERVICE_FILES.map((f) => cp(join(REPO, f), join(serviceDir, f), { recursive: true })));
  await symlink(join(REPO, 'node_modules'), join(serviceDir, 'node_modules'), 'dir');
  const env = offlinePackagingEnv();
  if (options.syncConfig) env.SYNC_CONFIG = options.syncConfig;
  const osls = join(REPO, 'node_modules/osls/bin/serverless.js');
  const run = await promisify(execFile)(process.execPath, [osls, 'package', '--stage', options.stage], {
    cwd: serviceDir,
    env,
    timeout: 170_000,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  const outDir = join(serviceDir, '.serverless');
  return {
    ...run,
    serviceDir,
    outDir,
    template: async () =>
      JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')),
    remove: () => rm(serviceDir, { recursive: true, force: true }),
  };
}

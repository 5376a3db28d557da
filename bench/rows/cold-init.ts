import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Summary, summarize } from '../stats.js';
import type { Bundle } from './bundle-build.js';

/** Cold init of one function: a fresh `node` importing its bundle, then the first call building its runtime. */
export interface ColdInit {
  name: string;
  /** Module load (import of the bundle). */
  load: Summary;
  /** First invocation: the lazy runtime build (env, config, clients) plus a no-op handler run. */
  build: Summary;
  /** load + build. */
  init: Summary;
  /** Whole process, spawn to exit (adds Node's own start-up, which Lambda's init also pays). */
  process: Summary;
  /** Resident memory after init, MB (p50). */
  rssMb: number;
}

/** Events that make each handler build its runtime and then do (almost) nothing. */
const EVENTS: Record<string, unknown> = {
  // No X-Gitlab-Token: the runtime is built, then the request is refused with 401.
  'gitlab-webhook': {
    version: '2.0',
    rawPath: '/webhooks/gitlab',
    headers: {},
    body: '{}',
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/webhooks/gitlab' } },
  },
  'sync-worker': { Records: [] },
  // The probe's config has no active project, so the poll calls nothing.
  'spira-poller': {},
};

const PROBE = `
const t0 = performance.now();
const [, , url, event] = process.argv;
const mod = await import(url);
const t1 = performance.now();
const context = { functionName: 'probe', awsRequestId: 'probe', getRemainingTimeInMillis: () => 60000 };
let error;
try { await mod.handler(JSON.parse(event), context); } catch (e) { error = String(e); }
const t2 = performance.now();
const rss = process.memoryUsage().rss / 1048576;
process.stdout.write('\\n' + JSON.stringify({ load: t1 - t0, build: t2 - t1, rss, error }) + '\\n');
`;

/** Times `runs` cold starts of each bundle (after one discarded run that warms the OS file cache). */
export async function measureColdInit(
  root: string,
  bundles: readonly Bundle[],
  outdir: string,
  endpoints: { dynamo: string; sqs: string },
  runs: number,
): Promise<ColdInit[]> {
  const probe = join(outdir, 'init-probe.mjs');
  writeFileSync(probe, PROBE);
  const config = join(outdir, 'probe-config.json');
  writeFileSync(config, JSON.stringify(probeConfig(root)));
  const env = {
    PATH: process.env.PATH ?? '',
    TABLE_NAME: 'probe',
    QUEUE_URL: `${endpoints.sqs}/000000000000/probe.fifo`,
    SYNC_CONFIG: config,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    POWERTOOLS_SERVICE_NAME: 'spira-gitlab-sync',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const results: ColdInit[] = [];
  for (const bundle of bundles) {
    const args = [probe, pathToFileURL(bundle.file).href, JSON.stringify(EVENTS[bundle.name] ?? {})];
    const samples = [];
    for (let i = 0; i <= runs; i++) {
      const sample = await runProbe(args, env);
      if (i > 0) samples.push(sample);
    }
    results.push({
      name: bundle.name,
      load: summarize(samples.map((s) => s.load)),
      build: summarize(samples.map((s) => s.build)),
      init: summarize(samples.map((s) => s.load + s.build)),
      process: summarize(samples.map((s) => s.wall)),
      rssMb: summarize(samples.map((s) => s.rss)).p50,
    });
  }
  return results;
}

function runProbe(args: string[], env: Record<string, string>) {
  return new Promise<{ load: number; build: number; rss: number; wall: number }>((ok, fail) => {
    const at = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', () => {
      const wall = performance.now() - at;
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        const result = JSON.parse(line) as { load: number; build: number; rss: number; error?: string };
        if (result.error) fail(new Error(`cold-init probe: the handler threw ${result.error}`));
        else ok({ load: result.load, build: result.build, rss: result.rss, wall });
      } catch {
        fail(new Error(`cold-init probe printed no result: ${out.slice(-300)} ${err.slice(-500)}`));
      }
    });
  });
}

/** The example config with literal secrets and its project inactive (nothing to call during init). */
function probeConfig(root: string): unknown {
  const config = JSON.parse(readFileSync(join(root, 'sync-config.example.json'), 'utf8')) as {
    spira: Record<string, unknown>;
    gitlab: Record<string, unknown>;
    projects: { active?: boolean }[];
  };
  config.spira.apiKey = '{00000000-0000-0000-0000-000000000000}';
  config.gitlab.token = 'glpat-probe';
  config.gitlab.webhookSecret = 'probe-secret';
  for (const project of config.projects) project.active = false;
  return config;
}

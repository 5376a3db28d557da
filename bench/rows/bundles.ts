import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '../row.js';
import { ms } from '../stats.js';
import { type Bundle, bundleFunctions, lambdaRuntime } from './bundle-build.js';
import { type ColdInit, measureColdInit } from './cold-init.js';

export const FUNCTIONS = ['gitlab-webhook', 'sync-worker', 'spira-poller'] as const;

const MB = 1024 * 1024;
const INIT_TARGET_MS = 200;

export interface BundleFigures {
  rows: Row[];
  bundles: Bundle[];
  /** The same functions with the AWS SDK left out (what-if). */
  lean: Bundle[];
  inits: ColdInit[];
}

/** Row 7: each function bundled as serverless.yml does, then cold-started in fresh `node` processes. */
export async function benchBundles(
  root: string,
  endpoints: { dynamo: string; sqs: string },
  runs: number,
): Promise<BundleFigures> {
  const outdir = mkdtempSync(join(tmpdir(), 'spira-gitlab-sync-bench-'));
  try {
    const bundles = await bundleFunctions(root, FUNCTIONS, outdir);
    const inits = await measureColdInit(root, bundles, outdir, endpoints, runs);
    // What-if: the AWS SDK v3 left to the nodejs20.x runtime, which ships it (serverless-esbuild `external`).
    const lean = await bundleFunctions(root, FUNCTIONS, join(outdir, 'sdk-external'), [
      '@aws-sdk/*',
      '@smithy/*',
    ]);
    return {
      rows: [sizeRow(bundles, lean), initRow(inits, runs, lambdaRuntime(root))],
      bundles,
      lean,
      inits,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

function sizeRow(bundles: Bundle[], lean: Bundle[]): Row {
  const over = bundles.filter((b) => b.bytes >= MB);
  const row: Row = {
    id: '7a',
    title: 'Bundle size per function (minified)',
    measured: bundles.map((b) => `${b.name} ${mb(b.bytes)}`).join(' · '),
    target: '< 1 MB each',
    pass: over.length === 0,
    method:
      'esbuild with the settings of serverless.yml `custom.esbuild` (bundle, minify, ESM, target, banner, plugins), ' +
      'one bundle per function as `package.individually` does; gzip -9 size shown as an estimate of the zip.',
    details: [
      ...bundles.map(
        (b) =>
          `${b.name}: ${mb(b.bytes)} (gzip ${kb(b.gzipBytes)}); largest parts: ${b.top
            .map((t) => `${t.source} ${kb(t.bytes)}`)
            .join(', ')}; of zod, ${kb(b.zodLocaleBytes)} are its error-message locales`,
      ),
      `what-if, measured: with \`@aws-sdk/*\` and \`@smithy/*\` external (the Lambda runtime provides SDK v3): ${lean
        .map((b) => `${b.name} ${mb(b.bytes)}`)
        .join(', ')}`,
    ],
  };
  if (over.length > 0) {
    const first = over[0] as Bundle;
    row.miss = {
      why: `${over.map((b) => b.name).join(', ')} over 1 MB; the bulk is libraries, not our code: ${first.top
        .slice(0, 4)
        .map((t) => `${t.source} ${kb(t.bytes)}`)
        .join(', ')} in ${first.name}`,
      fix: 'see "Misses" below',
    };
  }
  return row;
}

function initRow(inits: ColdInit[], runs: number, runtime: string): Row {
  const worst = Math.max(...inits.map((i) => i.init.p50));
  const row: Row = {
    id: '7b',
    title: 'Cold init per function (module load + runtime build)',
    measured: inits.map((i) => `${i.name} ${ms(i.init.p50)}`).join(' · '),
    target: `< ${INIT_TARGET_MS} ms`,
    pass: worst < INIT_TARGET_MS,
    method:
      `a fresh \`node\` process per sample (${runs} samples per function after one discarded): import the bundle, ` +
      'then call its handler once with an event that only makes it build its lazy runtime (env, config file, ' +
      'clients) — 401 for the webhook, an empty batch for the worker, no active project for the poller. ' +
      `Node ${process.version} here; serverless.yml deploys on ${runtime}.`,
    details: inits.map(
      (i) =>
        `${i.name}: module load p50 ${ms(i.load.p50)}, runtime build + first call p50 ${ms(i.build.p50)}, total p50 ${ms(i.init.p50)} (max ${ms(i.init.max)}); whole process incl. Node start-up p50 ${ms(i.process.p50)}; resident memory after init ${Math.round(i.rssMb)} MB`,
    ),
  };
  if (!row.pass) {
    const slowest = inits.reduce((a, b) => (b.init.p50 > a.init.p50 ? b : a));
    row.miss = {
      why: `evaluating the bundle is the cost: ${slowest.name} spends ${ms(slowest.load.p50)} loading the module and ${ms(slowest.build.p50)} building its runtime`,
      fix: 'see "Misses" below',
    };
  }
  return row;
}

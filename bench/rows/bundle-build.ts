import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { parse } from 'yaml';

/** One function's bundle as serverless-esbuild would build it. */
export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Biggest contributors (npm package or `lib/`), bytes in the minified output. */
  top: { source: string; bytes: number }[];
  /** Bytes of zod's translated error messages (every locale comes with `import { z } from 'zod'`). */
  zodLocaleBytes: number;
}

/** The esbuild settings of serverless.yml (`custom.esbuild`), so the bench bundles what deploys. */
export function serverlessEsbuildOptions(root: string): BuildOptions {
  const doc = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    custom?: { esbuild?: Record<string, unknown> };
  };
  const o = doc.custom?.esbuild ?? {};
  const banner = o.banner as { js?: string } | undefined;
  return {
    bundle: o.bundle !== false,
    minify: o.minify !== false,
    sourcemap: o.sourcemap === true,
    target: String(o.target ?? 'node20'),
    platform: 'node',
    format: (o.format as 'esm' | 'cjs' | undefined) ?? 'esm',
    outExtension: { '.js': String(o.outputFileExtension ?? '.mjs') },
    mainFields: (o.mainFields as string[] | undefined) ?? ['module', 'main'],
    ...(banner?.js ? { banner: { js: banner.js } } : {}),
    ...(typeof o.plugins === 'string' ? { plugins: loadPlugins(root, o.plugins) } : {}),
  };
}

/** serverless-esbuild's `plugins`: a file (relative to the service) exporting an array of esbuild plugins. */
function loadPlugins(root: string, file: string): Plugin[] {
  const require = createRequire(join(root, 'package.json'));
  const plugins = require(resolve(root, file)) as Plugin[] | { default?: Plugin[] };
  return Array.isArray(plugins) ? plugins : (plugins.default ?? []);
}

/** The Lambda runtime serverless.yml deploys on (`provider.runtime`). */
export function lambdaRuntime(root: string): string {
  const doc = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as {
    provider?: { runtime?: string };
  };
  return doc.provider?.runtime ?? 'unknown';
}

/** Bundles `functions/<name>.ts` for every function into `outdir` (`external`: packages left out, for what-ifs). */
export async function bundleFunctions(
  root: string,
  names: readonly string[],
  outdir: string,
  external: string[] = [],
): Promise<Bundle[]> {
  const options = { ...serverlessEsbuildOptions(root), external };
  const entryPoints = Object.fromEntries(names.map((n) => [n, join(root, 'functions', `${n}.ts`)]));
  const result = await build({
    ...options,
    entryPoints,
    outdir,
    absWorkingDir: root,
    metafile: true,
    logLevel: 'silent',
  });
  return names.map((name) => {
    const [file, output] = Object.entries(result.metafile.outputs).find(([path]) =>
      basename(path).startsWith(`${name}.`),
    ) as [string, Metafile['outputs'][string]];
    const full = resolve(root, file);
    const code = readFileSync(full);
    const zodLocaleBytes = Object.entries(output.inputs)
      .filter(([path]) => path.includes('node_modules/zod/') && path.includes('/locales/'))
      .reduce((total, [, input]) => total + input.bytesInOutput, 0);
    return {
      name,
      file: full,
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      top: topSources(output),
      zodLocaleBytes,
    };
  });
}

function topSources(output: Metafile['outputs'][string]): Bundle['top'] {
  const bySource = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const source = sourceOf(path);
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  return [...bySource.entries()]
    .map(([source, bytes]) => ({ source, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
}

/** `node_modules/@aws-sdk/client-sqs/dist-es/…` → `@aws-sdk/client-sqs`; own code → `lib/` or `functions/`. */
function sourceOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return path.startsWith('functions') ? 'functions/' : 'lib/ (own code)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
}

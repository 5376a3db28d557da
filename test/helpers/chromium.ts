import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

/** A Chromium for the browser tests: its executable and the environment it needs. */
export interface TestChromium {
  executablePath: string;
  env: Record<string, string>;
}

/** Names a Chromium of the system instead (macOS and arm64 developers: the npm one is linux-x64 only). */
export const CHROMIUM_ENV = 'CHROMIUM_PATH';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The headless Chromium shipped inside the `@sparticuz/chromium` npm package (linux-x64), unpacked once into
 * `node_modules/.cache/sparticuz-chromium/<version>/`. The package's own `executablePath()` is not used: it
 * unpacks into /tmp without a version check, and parallel test workers then run a half-written binary
 * (`spawn ETXTBSY`). Here each worker unpacks into a folder of its own and renames it into place; the
 * first rename wins and the others use its result.
 */
export async function testChromium(): Promise<TestChromium> {
  const chosen = process.env[CHROMIUM_ENV];
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`${CHROMIUM_ENV}=${chosen}: no such file`);
    return { executablePath: chosen, env: {} };
  }
  const pkg = packageRoot(require.resolve('@sparticuz/chromium'));
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const target = join(ROOT, 'node_modules', '.cache', 'sparticuz-chromium', version);
  if (!existsSync(join(target, 'ready'))) await unpack(join(pkg, 'bin'), target);
  return {
    executablePath: join(target, 'chromium'),
    env: { FONTCONFIG_FILE: join(target, 'fonts.conf') },
  };
}

/** The folder of the package a resolved file belongs to (its `exports` hide `package.json`). */
function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!isPackage(dir)) {
    if (dirname(dir) === dir) throw new Error(`no package.json of @sparticuz/chromium above ${file}`);
    dir = dirname(dir);
  }
  return dir;
}

function isPackage(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === '@sparticuz/chromium';
  } catch {
    return false;
  }
}

async function unpack(bin: string, target: string): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `the npm-shipped Chromium is linux-x64 only (this is ${process.platform}-${process.arch}): set ${CHROMIUM_ENV} to a Chromium or Chrome executable`,
    );
  const temp = `${target}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  await mkdir(temp, { recursive: true });
  try {
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(temp, 'chromium')),
    );
    await chmod(join(temp, 'chromium'), 0o755);
    // SwiftShader's GL libraries sit next to the binary, where Chromium looks for them.
    await untar(join(bin, 'swiftshader.tar.br'), temp);
    await untar(join(bin, 'fonts.tar.br'), temp);
    // The package's fonts.conf names Lambda's folders; ours names the unpacked fonts and the system's.
    await writeFile(
      join(temp, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(target, 'fonts')}</dir>\n  <cachedir>${join(target, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(join(temp, 'ready'), `${new Date().toISOString()}\n`);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another worker renamed its copy into place first: use that one.
    if (existsSync(join(target, 'ready'))) return;
    throw error;
  }
}

/** Brotli-compressed tar → `into`: decompressed to a file first, then the system's `tar` unpacks it. */
async function untar(file: string, into: string): Promise<void> {
  const plain = join(into, 'unpack.tar');
  await pipeline(createReadStream(file), createBrotliDecompress(), createWriteStream(plain));
  const tar = spawn('tar', ['-x', '-f', plain, '-C', into], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((ok) => tar.once('close', ok));
  await rm(plain, { force: true });
  if (code !== 0) throw new Error(`tar -x of ${file} failed (${code}): ${stderr}`);
}

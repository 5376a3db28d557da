import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamo-emulator.js';
import { noneLeft, npmStart, processesMentioning, waitForHealth } from '../helpers/npm-start.js';

/** Issue 12, "clean stops": the real `npm start`, signalled the ways users and service managers do. */
describe('npm start stops cleanly', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'npm-start-stops-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Demo mode on a free port with its own data folder (the marker that finds the run's processes). */
  const start = async (name: string) => {
    const data = join(dir, name);
    const run = npmStart({ PORT: String(await freePort()), SYNC_DATA_DIR: data });
    expect((await waitForHealth(run)).status).toBe(200);
    // local.json is written just after the endpoint answers: wait for it, as a user's CLI would.
    for (let i = 0; i < 100 && !existsSync(join(data, 'local.json')); i++)
      await new Promise((ok) => setTimeout(ok, 50));
    expect(existsSync(join(data, 'local.json'))).toBe(true);
    expect(processesMentioning(data).length).toBeGreaterThanOrEqual(3); // npm, node, the JVM (and its watchdog)
    return { run, data };
  };

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to npm’s pid only: nothing of the run is left after 10 s',
    async (signal) => {
      const { run, data } = await start(`npm-${signal}`);

      process.kill(run.pid, signal);

      const seconds = await noneLeft(data, 10_000);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.output()).toMatch(/INFO stopped/);
      console.log(`${signal} to npm's pid: every process of the run gone after ${seconds.toFixed(1)} s`);
    },
    60_000,
  );

  it('SIGKILL of the app (node) leaves no child running; the next start finds no stale state', async () => {
    const { run, data } = await start('app-kill');
    const app = processesMentioning(data).find((pid) => pid !== run.pid && isApp(pid));
    expect(app).toBeDefined();

    process.kill(app as number, 'SIGKILL');

    await run.exited;
    const seconds = await noneLeft(data, 10_000);
    console.log(`SIGKILL of the app: DynamoDB Local gone ${seconds.toFixed(1)} s later`);
    const again = await start('app-kill');
    expect(again.run.output()).toMatch(/local\.json of an earlier run \(pid \d+ is gone\)/);
    process.kill(-again.run.pid, 'SIGTERM');
    await noneLeft(data, 10_000);
  }, 90_000);

  it('a busy PORT gives one line naming PORT, exit 1, and leaves nothing behind', async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    const data = join(dir, 'clash');
    try {
      const run = npmStart({ PORT: String(port), SYNC_DATA_DIR: data });
      const { code } = await run.exited;

      expect(code).toBe(1);
      const lines = ownLines(run.output());
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^port ${port} .*in use.*set PORT`))]);
      await noneLeft(data, 5_000);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('a config syntax error names the line and column', async () => {
    const config = join(dir, 'broken.json');
    await writeFile(config, '{\n  "spira": {\n    "baseUrl": "https://x",\n  }\n}\n');
    const run = npmStart({
      PORT: String(await freePort()),
      SYNC_DATA_DIR: join(dir, 'broken'),
      SYNC_CONFIG: config,
    });

    expect((await run.exited).code).toBe(1);
    expect(ownLines(run.output())).toEqual([
      `Config file ${config} is not valid JSON at line 4, column 3: ${jsonReason()}`,
    ]);
  }, 60_000);
});

/** The output without npm's banner and the Node 20 note (what the program itself said). */
function ownLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('> ') && !line.startsWith('Note: Node '));
}

/** V8's own words for a trailing comma before `}` (they differ between Node versions). */
function jsonReason(): string {
  try {
    JSON.parse('{"a":1,}');
  } catch (error) {
    return (error as Error).message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '');
  }
  return '';
}

function isApp(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('lib/local/main.ts');
  } catch {
    return false;
  }
}

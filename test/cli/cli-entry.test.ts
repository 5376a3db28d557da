import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../lib/cli/io.js';
import { runCli } from '../../lib/cli/main.js';
import { isRunning, readLocalEndpoints } from '../../lib/local/local-endpoints.js';

const run = promisify(execFile);
const COMMANDS = ['init', 'doctor', 'hooks', 'backfill', 'replay', 'audit', 'status'];

async function inProcess(args: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s), env, cwd });
  return { code, out: out.join(''), err: err.join('') };
}

describe('the spira-gitlab-sync command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sgs-entry-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('runs from package.json bin through npx and lists every command', async () => {
    const { stdout } = await run('npx', ['--no-install', 'spira-gitlab-sync', '--help'], { timeout: 60_000 });

    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it('prints help for a subcommand', async () => {
    const { code, out } = await inProcess(['backfill', '--help']);

    expect(code).toBe(0);
    expect(out).toMatch(/--dry-run\s+show the same summary without writing anything/);
    expect(out).toMatch(/--since <date>/);
  });

  it('fails on an unknown command', async () => {
    const { code, err } = await inProcess(['frobnicate']);

    expect(code).toBe(1);
    expect(err).toMatch(/unknown command 'frobnicate'/);
  });

  it('says how to get a config when there is none', async () => {
    const { code, err } = await inProcess(['status'], {}, dir);

    expect(code).toBe(1);
    expect(err).toMatch(
      /no config file: pass --config <file>, set SYNC_CONFIG, or write one with `spira-gitlab-sync init`/,
    );
  });

  it('ignores the local.json of an npm start that is no longer running, and rejects a malformed one', async () => {
    const endpoints = {
      v: 1,
      pid: 2 ** 22 + 12345,
      url: 'http://127.0.0.1:1',
      region: 'us-east-1',
      tableName: 't',
      queueUrl: 'http://127.0.0.1:2/000000000000/q.fifo',
      dynamoEndpoint: 'http://127.0.0.1:3',
      sqsEndpoint: 'http://127.0.0.1:2',
      startedAt: new Date().toISOString(),
    };
    await writeFile(join(dir, 'local.json'), JSON.stringify(endpoints));
    await writeFile(join(dir, 'sync-config.json'), '{}');

    const stale = await inProcess(['replay'], { SYNC_DATA_DIR: dir }, dir);
    await writeFile(join(dir, 'local.json'), JSON.stringify({ ...endpoints, queueUrl: 'not a url' }));
    const malformed = await inProcess(['replay'], { SYNC_DATA_DIR: dir }, dir);

    expect(isRunning(endpoints.pid)).toBe(false);
    expect(await readLocalEndpoints(join(dir, 'nothing-here'))).toBeUndefined();
    expect(stale.err).toMatch(/no running sync found/);
    expect(malformed.err).toMatch(/local\.json is malformed \(queueUrl: /);
  });

  it('aligns tables, numbers to the right', () => {
    expect(
      renderTable(
        ['name', 'n'],
        [
          ['a', 1],
          ['bbb', 22],
        ],
      ),
    ).toBe('name   n\na      1\nbbb   22\n');
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../lib/aws/clients.js';
import { runCli } from '../../lib/cli/main.js';
import type { DemoWorld } from '../../lib/local/demo.js';
import { announceLocalRuntime } from '../../lib/local/local-endpoints.js';
import { type Harness, type HarnessOptions, startHarness } from '../helpers/sync-harness.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** The sync harness plus a folder holding its config and the `local.json` a running `npm start` writes. */
export interface CliHarness extends Harness {
  dir: string;
  /** Runs the CLI in-process in `dir` (config and local.json found there, as for a user). */
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** Writes a config file into `dir` and returns its path. */
  writeConfig(name: string, config: unknown): Promise<string>;
  /** Every item of the sync's DynamoDB table, sorted by key. */
  tableItems(): Promise<Record<string, unknown>[]>;
}

/** Starts the harness and points the CLI at it the way `npm start` does. */
export async function startCliHarness(options: HarnessOptions = {}): Promise<CliHarness> {
  const h = await startHarness(options);
  const dir = await mkdtemp(join(tmpdir(), 'sgs-cli-'));
  await writeFile(join(dir, 'sync-config.json'), JSON.stringify(h.world.config, null, 2));
  const forget = await announceLocalRuntime(dir, h.local);
  const { db } = createAwsClients(h.local.runtime.env);
  return {
    ...h,
    dir,
    cli: async (args, env = {}) => {
      let out = '';
      let err = '';
      const code = await runCli(args, {
        out: (text) => {
          out += text;
        },
        err: (text) => {
          err += text;
        },
        env: { SYNC_DATA_DIR: dir, ...env },
        cwd: dir,
      });
      return { code, out, err };
    },
    writeConfig: async (name, config) => {
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(config, null, 2));
      return path;
    },
    tableItems: async () => {
      const { Items = [] } = await db.send(new ScanCommand({ TableName: h.local.runtime.env.TABLE_NAME }));
      return Items.sort((a, b) => String(a.pk).localeCompare(String(b.pk)));
    },
    stop: async () => {
      await forget();
      await h.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A deep copy of the seeded config, to change for one test. */
export function configCopy(world: DemoWorld): DemoWorld['config'] {
  return structuredClone(world.config);
}

// Run by deploy/sync-config-plugin.cjs (through tsx) before `serverless package` / `deploy` bundles anything:
//   check-config.ts <config file> <stage> <copy to write>
// Validates the config with the same schema the functions use, checks that the deployed functions of the
// stage can read its secrets, and writes the validated config (JSON) where every artifact takes it from.
// Exit 1 with one line per problem (field path and fix) on stderr.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deployProblems } from '../lib/config/deploy-check.js';
import { ConfigError } from '../lib/config/errors.js';
import { loadSyncConfig } from '../lib/config/sync-config.js';

const [file, stage, out] = process.argv.slice(2);
if (!file || !stage || !out) {
  process.stderr.write('usage: check-config.ts <config file> <stage> <copy to write>\n');
  process.exit(2);
}

try {
  const config = await loadSyncConfig(file);
  const problems = deployProblems(config, stage);
  if (problems.length > 0) {
    throw new ConfigError(
      `Config file ${file} cannot be deployed to stage ${stage}:\n  ${problems.join('\n  ')}`,
      problems,
    );
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(config, null, 2)}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  const unsaid = error.problems.filter((problem) => !error.message.includes(problem));
  const reasons = unsaid.length > 0 ? `\n  ${unsaid.join('\n  ')}` : '';
  process.stderr.write(`${error.message}${reasons}\n`);
  process.exit(1);
}

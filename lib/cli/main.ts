import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { auditCommand } from './commands/audit.js';
import { backfillCommand } from './commands/backfill.js';
import { doctorCommand } from './commands/doctor.js';
import { hooksInstallCommand } from './commands/hooks-install.js';
import { initCommand } from './commands/init.js';
import { replayCommand } from './commands/replay.js';
import { secretsPushCommand } from './commands/secrets-push.js';
import { statusCommand } from './commands/status.js';
import { CliError, type CliIo } from './io.js';

export { type CliIo, processIo } from './io.js';

type Action<O> = (options: O, io: CliIo, ...args: string[]) => Promise<number>;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The command tree with its flags and help texts; actions report their exit code through `done`. */
function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('spira-gitlab-sync')
    .description('Operate the Spira ⇄ GitLab sync: set it up, check it, backfill, inspect and recover.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError()
    .option(
      '--config <file>',
      'sync config (default: SYNC_CONFIG, the running demo, or ./sync-config.yaml|yml|json)',
    )
    .option('--data-dir <dir>', 'data folder of the local `npm start` (default: SYNC_DATA_DIR or .data)')
    .option(
      '--stage <stage>',
      'deployed stage: reads stack spira-gitlab-sync-<stage> (init, secrets push: its SSM parameters)',
    )
    .option('--stack <name>', 'deployed CloudFormation stack name')
    .option('--region <region>', 'AWS region (default: AWS_REGION or us-east-1)')
    .option('--table <name>', 'DynamoDB table (with --queue-url; default: TABLE_NAME)')
    .option('--queue-url <url>', 'SQS FIFO queue URL (with --table; default: QUEUE_URL)');
  const run =
    <O>(action: Action<O>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      done(await action(command.optsWithGlobals() as O, io, ...(args.slice(0, -2) as string[])));
    };
  program
    .command('init')
    .description(
      'write a commented config template; --from-live fills it from both systems; --stage writes SSM secrets for a deployment',
    )
    .option(
      '--out <file>',
      'file to write (.yaml/.yml keeps the comments; .json has none)',
      'sync-config.yaml',
    )
    .option('--force', 'overwrite an existing file')
    .option('--from-live', 'read project, statuses, users and releases from Spira and GitLab')
    .option('--spira-url <url>', 'Spira instance root (with --from-live)')
    .option('--spira-username <login>', 'Spira sync user (with --from-live; API key from SPIRA_API_KEY)')
    .option('--spira-project <id>', 'Spira product id (with --from-live)')
    .option('--gitlab-url <url>', 'GitLab root (with --from-live)', 'https://gitlab.com')
    .option(
      '--gitlab-project <path>',
      'GitLab project path, e.g. group/project (with --from-live; token from GITLAB_TOKEN)',
    )
    .action(run(initCommand));
  program
    .command('doctor')
    .description('check the config against the live systems; ✓/✗ lines with fixes; exit 0 only when all pass')
    .option(
      '--webhook-url <url>',
      'the webhook URL GitLab should call (default: from the stack or npm start)',
    )
    .option('--probe-status', 'create and delete one incident to test that Spira applies status changes')
    .option('--project <project>', 'only this project (repeatable)', collect)
    .action(run(doctorCommand));
  program
    .command('hooks')
    .description('GitLab project webhooks')
    .command('install')
    .description('create or update the GitLab webhook of every active project')
    .option('--url <url>', 'webhook URL (default: the stack output WebhookUrl, or the running npm start)')
    .option('--project <project>', 'only this project (repeatable)', collect)
    .action(run(hooksInstallCommand));
  program
    .command('secrets')
    .description('the secrets of a deployment')
    .command('push')
    .description(
      "store the config's { ssm: … } secrets as SecureString parameters of --stage, from SPIRA_API_KEY, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET (never printed)",
    )
    .action(run(secretsPushCommand));
  program
    .command('backfill')
    .description('initial sync of existing items in both directions, with a summary table')
    .option('--dry-run', 'show the same summary without writing anything')
    .option('--since <date>', 'only items changed on or after this date (2024-05-01 or an ISO date-time)')
    .option('--project <project>', 'only this project: Spira id or GitLab path (repeatable)', collect)
    .option('--details', 'one line per item as well')
    .option('--json', 'machine-readable output')
    .option('--no-progress', 'no progress bar')
    .action(run(backfillCommand));
  program
    .command('replay')
    .description('send parked messages (and --dlq dead letters) through the sync again')
    .argument('[messageIds...]', 'parked message ids to replay (see the list without arguments)')
    .option('--all', 'replay every parked message')
    .option('--dlq', 'also move every message of the dead-letter queue back to the queue')
    .action(async (ids: string[], _options: unknown, command: Command) =>
      done(await replayCommand({ ...command.optsWithGlobals(), ids }, io)),
    );
  program
    .command('audit')
    .description('the whole history of one item: velociraptor#12, group/project#12 or IN:42')
    .argument('<ref>', 'GitLab issue (project#iid) or Spira incident (IN:id)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, _options: unknown, command: Command) =>
      done(await auditCommand({ ...command.optsWithGlobals(), ref }, io)),
    );
  program
    .command('status')
    .description('per project: last poll, queue depth, last error, conflicts')
    .option('--json', 'machine-readable output')
    .action(run(statusCommand));
  return program;
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return report(io, error);
  }
}

function report(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    io.err(`✗ ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    io.err(`✗ ${error.message}\n`);
    return 1;
  }
  io.err(`✗ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  return 1;
}

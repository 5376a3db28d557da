import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** A secret: written literally, or read from an environment variable or an SSM SecureString parameter. */
export const SecretSchema = z.union([
  z.string().min(1),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ ssm: z.string().startsWith('/') }).strict(),
]);
export type Secret = z.infer<typeof SecretSchema>;

const GitLabStateSchema = z.enum(['opened', 'closed']);

const StatusMappingSchema = z
  .object({ spiraStatusId: z.number().int().positive(), gitlab: GitLabStateSchema, primary: z.boolean() })
  .strict();

const ReleasePairSchema = z
  .object({ spiraReleaseId: z.number().int().positive(), gitlabMilestoneId: z.number().int().positive() })
  .strict();

const IdsByLabel = z.record(z.string().min(1), z.number().int().positive()).default({});

/** GitLab labels ⇄ Spira PriorityId / SeverityId / IncidentTypeId (checked against the live template), other labels ⇄ Tags. */
const LabelMapsSchema = z
  .object({
    priority: IdsByLabel,
    severity: IdsByLabel,
    type: IdsByLabel,
    otherLabelsAsTags: z.boolean().default(true),
  })
  .strict();

const ProjectSchema = z
  .object({
    spiraProjectId: z.number().int().positive(),
    gitlabProject: z.string().min(1),
    active: z.boolean().default(true),
    incidentStatuses: z.array(StatusMappingSchema).min(2),
    releases: z.array(ReleasePairSchema).default([]),
    /** Type of the releases made from GitLab milestones (Spira's system types: 1 major, 2 minor, 3 iteration/sprint, 4 phase). */
    releaseTypeId: z.number().int().positive().default(3),
    labels: LabelMapsSchema.default({ priority: {}, severity: {}, type: {}, otherLabelsAsTags: true }),
  })
  .strict()
  .superRefine(checkStatusMappings);

/** The sync configuration file (CONTRACT §2), with this project's additions documented in the README. */
export const SyncConfigSchema = z
  .object({
    spira: z
      .object({
        baseUrl: z.url(),
        username: z.string().min(1),
        apiKey: SecretSchema,
        /** Comment lists read per project per poll cycle (Spira comments do not change LastUpdateDate). */
        commentPollBudget: z.number().int().min(0).default(10),
        /** What a deleted incident does to its issue: a note (default), close it, or nothing. Never a delete. */
        onIncidentDeleted: z.enum(['note', 'close', 'ignore']).default('note'),
        /** Releases are read every N poll cycles (they change rarely; keeps an idle cycle at two calls). */
        releasePollCycles: z.number().int().min(1).default(5),
      })
      .strict(),
    gitlab: z
      .object({
        baseUrl: z.url().default('https://gitlab.com'),
        account: z.string().min(1),
        login: z.string().min(1),
        token: SecretSchema,
        webhookSecret: SecretSchema,
        /** `neutralize` (default) keeps `@name` readable but inert in text we write into GitLab. */
        mentions: z.enum(['neutralize', 'keep']).default('neutralize'),
        /**
         * Opt-in safety net for lost webhooks: every N minutes list issues updated since the last seen change
         * (one call per project when nothing changed) and check that GitLab has not disabled the webhook. 0 = off.
         */
        reconcileMinutes: z.number().int().min(0).default(0),
        /**
         * GitLab fires no webhook when a milestone is edited: list milestones updated since the last poll
         * (one call per project per cycle; the only GitLab polling done by default). Turn off to poll nothing.
         */
        pollMilestones: z.boolean().default(true),
      })
      .strict(),
    timeOffsetHours: z.number().min(0).default(0),
    autoMapUsers: z.boolean().default(false),
    pollIntervalSeconds: z.number().int().min(1).default(60),
    projects: z.array(ProjectSchema).min(1),
    users: z
      .array(
        z.object({ spiraUserId: z.number().int().positive(), gitlabUsername: z.string().min(1) }).strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine(checkUniqueProjects);

export type SyncConfig = z.infer<typeof SyncConfigSchema>;
export type ProjectConfig = SyncConfig['projects'][number];
export type StatusMapping = z.infer<typeof StatusMappingSchema>;

function checkStatusMappings(project: z.infer<typeof ProjectSchema>, ctx: z.RefinementCtx): void {
  const seen = new Set<number>();
  project.incidentStatuses.forEach((mapping, index) => {
    if (seen.has(mapping.spiraStatusId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['incidentStatuses', index, 'spiraStatusId'],
        message: `Spira status ${mapping.spiraStatusId} is mapped twice`,
      });
    }
    seen.add(mapping.spiraStatusId);
  });
  for (const state of GitLabStateSchema.options) {
    const primaries = project.incidentStatuses.filter((m) => m.gitlab === state && m.primary).length;
    if (primaries !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['incidentStatuses'],
        message: `needs exactly one primary status for GitLab state "${state}", found ${primaries}`,
      });
    }
  }
}

function checkUniqueProjects(
  config: { projects: { spiraProjectId: number; gitlabProject: string }[] },
  ctx: z.RefinementCtx,
): void {
  const spira = new Set<number>();
  const gitlab = new Set<string>();
  config.projects.forEach((project, index) => {
    if (spira.has(project.spiraProjectId) || gitlab.has(project.gitlabProject)) {
      ctx.addIssue({ code: 'custom', path: ['projects', index], message: 'project is configured twice' });
    }
    spira.add(project.spiraProjectId);
    gitlab.add(project.gitlabProject);
  });
}

/** Formats a zod path the way users write it: `projects[0].incidentStatuses[2].gitlab`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/** Parses an already-loaded config object; throws ConfigError listing every problem with its field path. */
export function parseSyncConfig(raw: unknown, source = 'config'): SyncConfig {
  const result = SyncConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${formatPath(issue.path) || '(root)'}: ${issue.message}`,
  );
  throw new ConfigError(`Invalid ${source}:\n  ${problems.join('\n  ')}`, problems);
}

/** Reads a `.json`, `.yaml` or `.yml` config file and parses it. */
export async function loadSyncConfig(path: string): Promise<SyncConfig> {
  const text = await readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    const why =
      cause.code === 'ENOENT'
        ? 'no such file'
        : cause.code === 'EACCES'
          ? 'permission denied'
          : cause.message;
    throw new ConfigError(`Cannot read config file ${path}: ${why}`, [String(cause)], { cause });
  });
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    const where = syntaxPosition(text, cause);
    throw new ConfigError(
      `Config file ${path} is not valid ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'}${where}: ${syntaxReason(cause)}`,
      [String(cause)],
      { cause },
    );
  }
  return parseSyncConfig(raw, `config file ${path}`);
}

/** ` at line L, column C` of a JSON (V8 gives a position) or YAML (the parser gives line and column) error. */
function syntaxPosition(text: string, cause: unknown): string {
  const yamlAt = (cause as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  if (yamlAt) return ` at line ${yamlAt.line}, column ${yamlAt.col}`;
  const message = cause instanceof Error ? cause.message : '';
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return ` at line ${lineCol[1]}, column ${lineCol[2]}`;
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (offset === undefined) return '';
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The parser's reason without its own position (stated once, by syntaxPosition). */
function syntaxReason(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return (message.split('\n')[0] ?? message)
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '')
    .replace(/ at line \d+, column \d+:?$/, '');
}

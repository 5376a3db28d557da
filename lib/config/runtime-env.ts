import { z } from 'zod';
import { ConfigError } from './errors.js';
import { formatPath } from './sync-config.js';

/** Environment of the Lambda functions and the local runtime; the only reader of process.env. */
export const RuntimeEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  QUEUE_URL: z.url(),
  SYNC_CONFIG: z.string().min(1).default('sync-config.json'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Set locally to the stand-ins' endpoints; unset in AWS. */
  AWS_ENDPOINT_URL_DYNAMODB: z.url().optional(),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
});
export type RuntimeEnv = z.infer<typeof RuntimeEnvSchema>;

/** Parses the process environment once; a missing value stops the cold start with its name. */
export function readRuntimeEnv(env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const result = RuntimeEnvSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`, problems);
}

/** A copy of process.env for `{ env }` secrets (read here so nothing else touches process.env). */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return { ...process.env };
}

import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { CliError } from './io.js';

/** The outputs of a deployed stack that the CLI uses (serverless.yml `resources.Outputs`). */
export const StackOutputsSchema = z.object({
  WebhookUrl: z.url().optional(),
  TableName: z.string().min(1).optional(),
  QueueUrl: z.url().optional(),
  DeadLetterQueueUrl: z.url().optional(),
});
export type StackOutputs = z.infer<typeof StackOutputsSchema>;

/** The stack osls deploys for a stage: `<service>-<stage>`. */
export function stackNameFor(stage: string): string {
  return `spira-gitlab-sync-${stage}`;
}

/** Reads a CloudFormation stack's outputs with the default AWS credentials. */
export async function readStackOutputs(stackName: string, region: string): Promise<StackOutputs> {
  const client = new CloudFormationClient({ region });
  const answer = await client.send(new DescribeStacksCommand({ StackName: stackName })).catch((cause) => {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new CliError(
      `no running sync found: cannot read stack ${stackName} in ${region} (${why}). Check --stage/--stack and --region and your AWS credentials (cloudformation:DescribeStacks), or start \`npm start\`, or pass --table and --queue-url`,
      1,
      { cause },
    );
  });
  const outputs = Object.fromEntries(
    (answer.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  const parsed = StackOutputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? '(outputs)';
    throw new CliError(`stack ${stackName}: output ${field} is malformed`);
  }
  return parsed.data;
}

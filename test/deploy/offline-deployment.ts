/**
 * Starts a packaged service the way AWS would, offline: every function's zip unzipped into an empty folder
 * and its handler imported in a fresh Node process (lambda-host.mjs) whose environment is exactly what the
 * CloudFormation template gives that function, plus what Lambda itself sets (region, credentials, function
 * name) and endpoint overrides for the stand-ins (AWS_ENDPOINT_URL_DYNAMODB / _SQS / _SSM, honoured by the
 * AWS SDK v3). The table and the queues are created from the template's own resource definitions; an HTTP
 * API stand-in turns requests on the template's routes into API Gateway v2 events.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { unzipSync } from 'fflate';
import { startHttpApi } from './http-api-stand-in.js';
import type { CfnValue, CloudFormationTemplate } from './package-service.js';

const HOST = resolve(import.meta.dirname, 'lambda-host.mjs');
const REGION = 'us-east-1';
const LOCAL = { region: REGION, credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' } };

export interface Endpoints {
  dynamo: string;
  sqs: string;
  ssm: string;
  dynamoSupportsTtl: boolean;
}

/** One function's process: its environment as started, and invoke(). */
export interface OfflineFunction {
  name: string;
  env: Record<string, string>;
  /** Everything the function printed (Powertools logs are JSON lines on stdout). */
  output(): string;
  invoke(event: unknown): Promise<CfnValue>;
}

export interface OfflineDeployment {
  functions: Record<string, OfflineFunction>;
  /** The HTTP API stand-in's root; routes as the template declares them (`POST /webhooks/gitlab`). */
  apiUrl: string;
  table: string;
  queueUrl: string;
  dlqUrl: string;
  /** The stack's outputs as CloudFormation would give them (`WebhookUrl`, `TableName`…). */
  outputs: Record<string, string>;
  /** Feeds the queue to the worker as Lambda's event source mapping does, until it is empty. */
  drainQueue(worker?: string): Promise<{ batches: number; records: number; failed: number }>;
  stop(): Promise<void>;
}

export async function startOfflineDeployment(
  outDir: string,
  template: CloudFormationTemplate,
  endpoints: Endpoints,
): Promise<OfflineDeployment> {
  const refs = await provision(template, endpoints);
  const functions: Record<string, OfflineFunction> = {};
  const children: ChildProcess[] = [];
  const folders: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const p = resource.Properties ?? {};
    const dir = await mkdtemp(join(tmpdir(), 'sgs-lambda-'));
    folders.push(dir);
    await unzipInto(join(outDir, String(p.Code.S3Key).split('/').pop() ?? ''), dir);
    const [file, exportName] = splitHandler(String(p.Handler), dir);
    const variables = Object.entries(p.Environment?.Variables ?? {}).map(([k, v]) => [
      k,
      resolveValue(v, refs),
    ]);
    const env: Record<string, string> = {
      ...Object.fromEntries(variables),
      // Set by Lambda itself, not by the template.
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
      AWS_SESSION_TOKEN: 'offline',
      AWS_LAMBDA_FUNCTION_NAME: String(p.FunctionName),
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(p.MemorySize ?? 128),
      LAMBDA_TASK_ROOT: dir,
      TZ: ':UTC',
      // The stand-ins.
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SSM: endpoints.ssm,
    };
    const child = fork(HOST, [file, exportName], { cwd: dir, env, execArgv: [], stdio: 'pipe' });
    children.push(child);
    functions[logicalId] = host(logicalId, child, env, Number(p.Timeout ?? 3) * 1000);
  }
  const api = await startHttpApi(template, functions);
  refs.GetAtt['HttpApi.ApiEndpoint'] = api.url;
  // Outputs of what runs here (function versions and the deployment bucket do not exist offline).
  const outputs: Record<string, string> = {};
  for (const [key, o] of Object.entries(template.Outputs ?? {})) {
    try {
      outputs[key] = String(resolveValue(o.Value, refs));
    } catch {}
  }
  const worker = mappedFunction(template);
  const sqs = new SQSClient({ ...LOCAL, endpoint: endpoints.sqs });
  return {
    functions,
    apiUrl: api.url,
    outputs,
    table: refs.Ref.SyncTable as string,
    queueUrl: refs.Ref.SyncQueue as string,
    dlqUrl: refs.Ref.SyncDeadLetterQueue as string,
    drainQueue: async (name = worker) => {
      const counts = { batches: 0, records: 0, failed: 0 };
      const queueUrl = refs.Ref.SyncQueue as string;
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageSystemAttributeNames: ['All'],
            WaitTimeSeconds: 1,
          }),
        );
        if (Messages.length === 0) return counts;
        const Records: SQSRecord[] = Messages.map((m) => ({
          messageId: m.MessageId as string,
          receiptHandle: m.ReceiptHandle as string,
          body: m.Body ?? '',
          attributes: m.Attributes as unknown as SQSRecord['attributes'],
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: refs.GetAtt['SyncQueue.Arn'] as string,
          awsRegion: REGION,
        }));
        const answer = (await functions[name]?.invoke({ Records })) as {
          batchItemFailures: { itemIdentifier: string }[];
        };
        const failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId as string));
        if (done.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        counts.batches++;
        counts.records += Messages.length;
        counts.failed += failed.size;
        if (failed.size > 0) return counts;
      }
    },
    stop: async () => {
      await new Promise((ok) => api.server.close(ok));
      for (const child of children) child.kill();
      await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
    },
  };
}

type Refs = { Ref: Record<string, unknown>; GetAtt: Record<string, unknown> };

/** The table and queues as the template declares them (CloudFormation would name the table itself). */
async function provision(template: CloudFormationTemplate, endpoints: Endpoints): Promise<Refs> {
  const refs: Refs = { Ref: {}, GetAtt: {} };
  const dynamo = new DynamoDBClient({ ...LOCAL, endpoint: endpoints.dynamo });
  const sqs = new SQSClient({ ...LOCAL, endpoint: endpoints.sqs });
  const resources = Object.entries(template.Resources);
  for (const [id, r] of resources.filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const p = r.Properties ?? {};
    const name = `offline-${id}-${randomUUID().slice(0, 8)}`;
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: p.BillingMode,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
      }),
    );
    if (p.TimeToLiveSpecification && endpoints.dynamoSupportsTtl)
      await dynamo.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }),
      );
    refs.Ref[id] = name;
    refs.GetAtt[`${id}.Arn`] = `arn:aws:dynamodb:${REGION}:000000000000:table/${name}`;
  }
  // Queues another queue's RedrivePolicy names come first.
  const queues = resources.filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const order = [...queues].sort(([, a]) => (a.Properties?.RedrivePolicy ? 1 : -1));
  for (const [id, r] of order) {
    const { QueueName, ...attributes } = r.Properties ?? {};
    const Attributes = Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => {
        const value = resolveValue(v, refs);
        return [k, typeof value === 'object' ? JSON.stringify(value) : String(value)];
      }),
    );
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
    const { Attributes: created } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    refs.Ref[id] = QueueUrl;
    refs.GetAtt[`${id}.Arn`] = created?.QueueArn;
  }
  return refs;
}

/** Resolves `Ref` and `Fn::GetAtt` of provisioned resources; any other intrinsic is an error here. */
function resolveValue(value: CfnValue, refs: Refs): CfnValue {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, refs));
  if (value === null || typeof value !== 'object') return value;
  if ('Ref' in value) {
    if (!(value.Ref in refs.Ref)) throw new Error(`template refers to ${value.Ref}, not provisioned offline`);
    return refs.Ref[value.Ref];
  }
  if ('Fn::GetAtt' in value) {
    const key = [value['Fn::GetAtt']].flat().join('.');
    if (!(key in refs.GetAtt)) throw new Error(`template reads ${key}, not provisioned offline`);
    return refs.GetAtt[key];
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'];
    return (parts as CfnValue[]).map((part) => resolveValue(part, refs)).join(separator);
  }
  const [first] = Object.keys(value);
  if (first?.startsWith('Fn::')) throw new Error(`${first} is not resolved offline`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, refs)]));
}

async function unzipInto(zip: string, dir: string): Promise<void> {
  const files = unzipSync(new Uint8Array(await readFile(zip)));
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const target = resolve(dir, name);
    if (!target.startsWith(`${dir}/`)) throw new Error(`zip entry ${name} leaves the folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** `functions/gitlab-webhook.handler` → the bundle file Lambda's Node runtime would load, and the export. */
function splitHandler(handler: string, dir: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [join(dir, `${handler.slice(0, dot)}.mjs`), handler.slice(dot + 1)];
}

function host(name: string, child: ChildProcess, env: Record<string, string>, timeoutMs: number) {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const pending = new Map<string, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  child.on('message', (m: { id: string; result?: unknown; error?: { name: string; message: string } }) => {
    const waiting = pending.get(m.id);
    pending.delete(m.id);
    if (m.error)
      waiting?.fail(Object.assign(new Error(`${name}: ${m.error.message}`), { name: m.error.name }));
    else waiting?.ok(m.result);
  });
  child.on('exit', (code) => {
    for (const w of pending.values()) w.fail(new Error(`${name} exited (${code}): ${output.slice(-2000)}`));
    pending.clear();
  });
  return {
    name,
    env,
    output: () => output,
    invoke: (event: unknown) =>
      new Promise((ok, fail) => {
        const id = randomUUID();
        pending.set(id, { ok, fail });
        child.send({ id, event, timeoutMs });
      }),
  };
}

/** The function an SQS event source mapping feeds. */
function mappedFunction(template: CloudFormationTemplate): string {
  const mapping = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  return String(mapping?.Properties?.FunctionName?.['Fn::GetAtt']?.[0] ?? '');
}

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlinePackagingEnv } from '../deploy/package-service.js';

/** One statement of an IAM policy as CloudFormation holds it (values may be intrinsic functions). */
interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
}

/** A statement with where it was found. */
interface Found {
  where: string;
  statement: Statement;
}

/** Resource types whose properties hold IAM policy documents. */
const POLICY_HOLDERS: Record<string, (props: Record<string, unknown>) => [string, unknown][]> = {
  'AWS::IAM::Role': (p) => [
    ...((p.Policies as { PolicyName: unknown; PolicyDocument: unknown }[] | undefined) ?? []).map(
      (policy) => [`policy ${show(policy.PolicyName)}`, policy.PolicyDocument] as [string, unknown],
    ),
  ],
  'AWS::IAM::Policy': (p) => [['policy', p.PolicyDocument]],
  'AWS::IAM::ManagedPolicy': (p) => [['managed policy', p.PolicyDocument]],
  'AWS::S3::BucketPolicy': (p) => [['bucket policy', p.PolicyDocument]],
  'AWS::SQS::QueuePolicy': (p) => [['queue policy', p.PolicyDocument]],
};

describe('the packaged CloudFormation template grants least privilege', () => {
  let template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  let dir: string;
  beforeAll(async () => {
    // `serverless package` works offline; a private output directory keeps it clear of .serverless/.
    dir = await mkdtemp(join(tmpdir(), 'sls-package-'));
    await promisify(execFile)('npx', ['serverless', 'package', '--package', dir], {
      env: offlinePackagingEnv(),
      timeout: 170_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 180_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const statements = (): Found[] =>
    Object.entries(template.Resources).flatMap(([name, resource]) =>
      (POLICY_HOLDERS[resource.Type]?.(resource.Properties ?? {}) ?? []).flatMap(([what, document]) =>
        asArray((document as { Statement?: unknown } | undefined)?.Statement).map((statement) => ({
          where: `${name} (${resource.Type}) ${what}`,
          statement: statement as Statement,
        })),
      ),
    );

  it('lists what every statement allows', () => {
    const found = statements();
    console.log(
      found
        .map(
          ({ where, statement: s }) =>
            `${where}\n  ${s.Effect} ${asArray(s.Action).join(', ')}\n  on ${asArray(s.Resource).map(show).join('\n     ')}`,
        )
        .join('\n'),
    );
    expect(found.filter((f) => f.statement.Effect === 'Allow').length).toBeGreaterThan(0);
    // Nothing here grants an IAM role or policy to anyone else, or lets code change IAM.
    expect(found.flatMap((f) => asArray(f.statement.Action)).filter((a) => /^iam:|^sts:/i.test(a))).toEqual(
      [],
    );
  });

  it('has no Allow statement with a wildcard action, a `*` resource, or a NotAction / NotResource', () => {
    const problems = statements()
      .filter((f) => f.statement.Effect === 'Allow')
      .flatMap(({ where, statement: s }) => [
        ...asArray(s.Action)
          .filter((action) => action.includes('*'))
          .map((action) => `${where}: action ${action}`),
        ...asArray(s.Resource)
          .map(show)
          .filter((resource) => isWildcardResource(resource))
          .map((resource) => `${where}: resource ${resource}`),
        ...(s.NotAction || s.NotResource ? [`${where}: NotAction/NotResource`] : []),
        ...(s.Resource === undefined ? [`${where}: no Resource`] : []),
      ]);
    expect(problems).toEqual([]);
  });

  it('names the table and the queue by reference, scopes SSM to the stage path and logs to the service', () => {
    const allowed = statements().filter((f) => f.statement.Effect === 'Allow');
    const on = (prefix: string) =>
      allowed
        .filter((f) => asArray(f.statement.Action).some((a) => a.startsWith(prefix)))
        .flatMap((f) => asArray(f.statement.Resource).map(show));
    expect(new Set(on('dynamodb:'))).toEqual(new Set(['GetAtt SyncTable.Arn']));
    expect(new Set(on('sqs:'))).toEqual(new Set(['GetAtt SyncQueue.Arn']));
    expect(on('ssm:')).toEqual([expect.stringMatching(/:parameter\/spira-gitlab-sync\/dev\/\*$/)]);
    expect(on('logs:').every((r) => r.includes(':log-group:/aws/lambda/spira-gitlab-sync-dev'))).toBe(true);
    // No Scan: the functions read single items and queries only (the operator CLI's scans run with the
    // operator's own credentials).
    expect(allowed.flatMap((f) => asArray(f.statement.Action))).not.toContain('dynamodb:Scan');
  });

  it('keeps wildcards only in Deny statements, which narrow access (TLS-only deployment bucket)', () => {
    const denies = statements().filter((f) => f.statement.Effect === 'Deny');
    for (const { statement } of denies) {
      expect(statement).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': false } } });
    }
  });
});

/**
 * Whether a resource is "everything": `*` itself, or an ARN whose account-specific part is a wildcard
 * (`arn:aws:s3:::*`, `arn:aws:sqs:*:*:*`, `…:table/*`). A wildcard below a path that names this service
 * (`:parameter/spira-gitlab-sync/dev/*`, `:log-group:/aws/lambda/spira-gitlab-sync-dev*:*`) is scoped.
 */
function isWildcardResource(resource: string): boolean {
  if (resource === '*') return true;
  if (!resource.includes('*')) return false;
  const beforeWildcard = resource.slice(0, resource.indexOf('*'));
  return !/spira-gitlab-sync/.test(beforeWildcard);
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Renders CloudFormation values: `Fn::GetAtt` → `GetAtt X.Arn`, `Fn::Join`/`Fn::Sub` → the joined text. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [[fn, arg] = []] = Object.entries(value);
    if (fn === 'Fn::GetAtt') return `GetAtt ${(arg as string[]).join('.')}`;
    if (fn === 'Ref') return `\${${String(arg)}}`;
    if (fn === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg);
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map(show).join(separator);
    }
  }
  return JSON.stringify(value);
}

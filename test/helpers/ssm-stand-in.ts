/**
 * A wire-level stand-in for the two SSM Parameter Store operations the sync uses, GetParameter and
 * PutParameter (AWS JSON 1.1: `POST /`, `X-Amz-Target: AmazonSSM.<Operation>`). No maintained SSM emulator
 * is on the npm registry (serverless-offline-ssm only substitutes `${ssm:…}` variables). It keeps what the
 * SSM API reference documents and a client must respect:
 * - a SecureString read without `WithDecryption: true` returns the encrypted value, not the secret;
 * - a missing parameter is `ParameterNotFound` (HTTP 400), never an empty value;
 * - PutParameter of an existing name without `Overwrite: true` is `ParameterAlreadyExists`; each write
 *   increments `Version`;
 * - a hierarchical name must start with `/`; a Standard-tier value holds at most 4096 characters;
 * - requests are signed (SigV4 `Authorization` header), or refused.
 * Values are never recorded in `requests`.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Parameter {
  name: string;
  type: 'String' | 'SecureString' | 'StringList';
  value: string;
  version: number;
  modified: Date;
}

/** One request as the stand-in saw it (names only, never values). */
export interface SsmRecordedRequest {
  operation: string;
  name?: string;
  withDecryption?: boolean;
  status: number;
}

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class SsmStandIn {
  readonly requests: SsmRecordedRequest[] = [];
  private readonly parameters = new Map<string, Parameter>();
  private readonly key = randomBytes(32);

  private constructor(
    private readonly server: Server,
    /** Use as `AWS_ENDPOINT_URL_SSM`. */
    readonly endpoint: string,
  ) {}

  static async start(): Promise<SsmStandIn> {
    let standIn: SsmStandIn | undefined;
    const server = createServer((req, res) => {
      void standIn?.handle(req, res);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    standIn = new SsmStandIn(server, `http://127.0.0.1:${port}`);
    return standIn;
  }

  /** The stored value and version of a parameter (what an operator would see in the console). */
  peek(name: string): { type: string; value: string; version: number } | undefined {
    const p = this.parameters.get(name);
    return p && { type: p.type, value: p.value, version: p.version };
  }

  /** Every stored parameter name, sorted. */
  names(): string[] {
    return [...this.parameters.keys()].sort();
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : target;
    let input: Record<string, unknown> = {};
    const record: SsmRecordedRequest = { operation, status: 200 };
    try {
      if (req.method !== 'POST') throw new SsmError('UnknownOperationException', 'POST only');
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
        throw new SsmError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      if (typeof input.Name === 'string') record.name = input.Name;
      const output =
        operation === 'GetParameter'
          ? this.get(input, record)
          : operation === 'PutParameter'
            ? this.put(input)
            : undefined;
      if (!output) throw new SsmError('UnknownOperationException', `${operation} is not implemented here`);
      this.answer(res, 200, output);
    } catch (error) {
      const e =
        error instanceof SsmError
          ? error
          : new SsmError('SerializationException', error instanceof Error ? error.message : String(error));
      record.status = 400;
      this.answer(res, 400, { __type: e.type, message: e.message }, e.type);
    }
    this.requests.push(record);
  }

  private get(input: Record<string, unknown>, record: SsmRecordedRequest) {
    const name = requireName(input);
    record.withDecryption = input.WithDecryption === true;
    const p = this.parameters.get(name);
    if (!p) throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
    const value = p.type === 'SecureString' && !record.withDecryption ? this.encrypt(p.value) : p.value;
    return {
      Parameter: {
        Name: p.name,
        Type: p.type,
        Value: value,
        Version: p.version,
        LastModifiedDate: p.modified.getTime() / 1000,
        ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${p.name}`,
        DataType: 'text',
      },
    };
  }

  private put(input: Record<string, unknown>) {
    const name = requireName(input);
    const { Value: value, Type: type } = input;
    if (typeof value !== 'string' || value.length === 0)
      throw new SsmError('ValidationException', 'Value must not be empty');
    if (value.length > 4096)
      throw new SsmError(
        'ValidationException',
        'Standard tier parameters support a maximum parameter value of 4096 characters.',
      );
    const existing = this.parameters.get(name);
    if (existing && input.Overwrite !== true)
      throw new SsmError('ParameterAlreadyExists', 'The parameter already exists.');
    if (type !== undefined && type !== 'String' && type !== 'SecureString' && type !== 'StringList')
      throw new SsmError('ValidationException', `Type ${String(type)} is not valid`);
    const resolvedType = (type ?? existing?.type) as Parameter['type'] | undefined;
    if (!resolvedType) throw new SsmError('ValidationException', 'A parameter type is required');
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, { name, type: resolvedType, value, version, modified: new Date() });
    return { Version: version, Tier: 'Standard' };
  }

  /** What SSM returns for a SecureString read without decryption: KMS ciphertext, base64. */
  private encrypt(value: string): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(this.key).digest(), iv);
    return Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
  }

  private answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomBytes(8).toString('hex'),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  }
}

function requireName(input: Record<string, unknown>): string {
  const name = input.Name;
  if (typeof name !== 'string' || name.length === 0)
    throw new SsmError('ValidationException', 'Name must not be empty');
  if (name.includes('/') && !name.startsWith('/'))
    throw new SsmError(
      'ValidationException',
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it must begin with "/"',
    );
  return name;
}

import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API call as it crossed the tap. */
export interface AwsCall {
  service: 'dynamodb' | 'sqs';
  /** Operation from `X-Amz-Target` (`PutItem`, `SendMessage`, …). */
  op: string;
  /** When the call reached the tap (performance.now() ms). */
  at: number;
  /** Round trip through the emulator, ms. */
  ms: number;
  status: number;
  /** DynamoDB capacity units the emulator reported (RRU for reads, WRU for writes); undefined for SQS. */
  units?: number;
  /** Whether DynamoDB counts it as a read (RRU) or a write (WRU). */
  kind?: 'read' | 'write';
  /** Kind of DynamoDB item: the key's prefix before `#` (`recent`, `audit`, `gl-issue`, `hook`, `watch`…). */
  item?: string;
}

const DYNAMO_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DYNAMO_DATA_OPS = new Set([
  ...DYNAMO_READS,
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/**
 * A recording HTTP proxy in front of an AWS emulator (DynamoDB Local / dynalite or fauxqs). The sync's own
 * clients are pointed at it through the local runtime's endpoint options, so every call the unchanged engine
 * makes is counted without touching lib/. For DynamoDB it adds `ReturnConsumedCapacity: TOTAL` to data calls
 * (emulators do not check signatures), so RRU/WRU come from the engine's real item sizes.
 */
export class AwsTap {
  readonly calls: AwsCall[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  private constructor(
    private readonly server: Server,
    readonly service: AwsCall['service'],
    private readonly target: URL,
  ) {}

  /** Starts a tap on 127.0.0.1 forwarding to `target`. */
  static async start(service: AwsCall['service'], target: string): Promise<AwsTap> {
    const server = createServer();
    const tap = new AwsTap(server, service, new URL(target));
    server.on('request', (req, res) => void tap.forward(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return tap;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls recorded since `mark` (an index from {@link mark}). */
  since(mark: number): AwsCall[] {
    return this.calls.slice(mark);
  }

  mark(): number {
    return this.calls.length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
    this.agent.destroy();
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const op =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    let body = await readAll(req);
    const item = this.service === 'dynamodb' ? itemKindOf(body) : undefined;
    if (this.service === 'dynamodb' && DYNAMO_DATA_OPS.has(op)) body = withCapacity(body);
    const headers = { ...req.headers, 'content-length': String(body.length) };
    try {
      const answer = await this.send(req.method ?? 'POST', req.url ?? '/', headers, body);
      this.record({ op, at, status: answer.status, body: answer.body, item });
      const { 'transfer-encoding': _chunked, ...kept } = answer.headers;
      const out = { ...kept, 'content-length': String(answer.body.length) };
      res.writeHead(answer.status, out).end(answer.body);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  }

  private send(method: string, path: string, headers: Record<string, unknown>, body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((ok, fail) => {
      const upstream = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method,
          path,
          headers: headers as Record<string, string>,
          agent: this.agent,
        },
        (answer) => {
          readAll(answer).then(
            (buffer) => ok({ status: answer.statusCode ?? 0, headers: { ...answer.headers }, body: buffer }),
            fail,
          );
        },
      );
      upstream.on('error', fail);
      upstream.end(body);
    });
  }

  private record(call: {
    op: string;
    at: number;
    status: number;
    body: Buffer;
    item: string | undefined;
  }): void {
    const entry: AwsCall = {
      service: this.service,
      op: call.op,
      at: call.at,
      ms: performance.now() - call.at,
      status: call.status,
    };
    if (this.service === 'dynamodb' && DYNAMO_DATA_OPS.has(call.op)) {
      entry.kind = DYNAMO_READS.has(call.op) ? 'read' : 'write';
      if (call.item) entry.item = call.item;
      // A failed conditional write is still charged (at least one unit); the emulator reports nothing then.
      entry.units = Math.max(1, consumedUnits(call.body));
    }
    this.calls.push(entry);
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => ok(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}

/** `recent` for `{ Key: { pk: { S: 'recent#7' } } }` (GetItem, UpdateItem, DeleteItem) or `{ Item: … }` (PutItem). */
function itemKindOf(body: Buffer): string | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { Key?: PkHolder; Item?: PkHolder };
    const pk = json.Key?.pk?.S ?? json.Item?.pk?.S;
    return pk?.split('#')[0];
  } catch {
    return undefined;
  }
}

interface PkHolder {
  pk?: { S?: string };
}

function withCapacity(body: Buffer): Buffer {
  try {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...json, ReturnConsumedCapacity: 'TOTAL' }));
  } catch {
    return body;
  }
}

function consumedUnits(body: Buffer): number {
  try {
    const json = JSON.parse(body.toString('utf8')) as { ConsumedCapacity?: unknown };
    const list = Array.isArray(json.ConsumedCapacity) ? json.ConsumedCapacity : [json.ConsumedCapacity];
    return list.reduce(
      (sum: number, c) => sum + Number((c as { CapacityUnits?: number })?.CapacityUnits ?? 0),
      0,
    );
  } catch {
    return 0;
  }
}

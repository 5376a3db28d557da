import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rng, sleep, uniformOf } from './random.js';

/**
 * What a faulty network does to one REST call of the sync:
 * - `500`: answered 500 before the request reaches the stand-in (nothing applied);
 * - `429`: answered 429 with `Retry-After: 1` (GitLab sometimes `RateLimit-Reset` too) before it is applied;
 * - `lost-response`: forwarded and applied by the stand-in, then the connection is cut before the answer
 *   arrives (a timeout at the worst moment: the client sees a failure after the side effect happened).
 */
export type ApiFaultKind = '500' | '429' | 'lost-response';
export const API_FAULT_KINDS: readonly ApiFaultKind[] = ['500', '429', 'lost-response'];

/** One REST call that went through a proxy, for the diagnosis. */
export interface ProxiedCall {
  at: number;
  method: string;
  path: string;
  fault?: ApiFaultKind;
  status?: number;
}

export interface ApiProxyOptions {
  side: 'gitlab' | 'spira';
  /** Base URL of the stand-in. */
  upstream: string;
  seed: number;
  /** Share of the sync's calls that fail while faults are on (0.2). */
  rate: number;
  /** True for calls made with the sync's own credentials (people's calls are never faulted). */
  isSync(headers: IncomingHttpHeaders): boolean;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'proxy-connection']);

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((ok) => server.close(() => ok()));
}

/**
 * An HTTP proxy in front of one stand-in: the sync's config points at it, so every REST call of the sync
 * passes here and 20 % of them fail while `enabled`. Whether a call fails depends only on the seed, the
 * method and path and how many times that same call was made before, not on the interleaving of calls.
 */
export class ApiFaultProxy {
  enabled = false;
  readonly stats = {
    requests: 0,
    syncRequests: 0,
    faults: { '500': 0, '429': 0, 'lost-response': 0 } as Record<ApiFaultKind, number>,
  };
  readonly calls: ProxiedCall[] = [];
  private readonly seen = new Map<string, number>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: ApiProxyOptions,
  ) {}

  static async start(options: ApiProxyOptions): Promise<ApiFaultProxy> {
    const server = createServer();
    const url = await listen(server);
    const proxy = new ApiFaultProxy(server, url, options);
    server.on('request', (req, res) => {
      proxy.handle(req, res).catch(() => res.socket?.destroy());
    });
    return proxy;
  }

  get injected(): number {
    return API_FAULT_KINDS.reduce((sum, kind) => sum + this.stats.faults[kind], 0);
  }

  async stop(): Promise<void> {
    await close(this.server);
    this.agent.destroy();
  }

  private decide(method: string, path: string): { kind: ApiFaultKind; reset: boolean } | undefined {
    const call = `${this.options.side}|${method} ${path}`;
    const n = (this.seen.get(call) ?? 0) + 1;
    this.seen.set(call, n);
    const key = `${call}|${n}`;
    if (uniformOf(this.options.seed, key) >= this.options.rate) return undefined;
    const roll = uniformOf(this.options.seed, `${key}|kind`);
    const kind: ApiFaultKind = roll < 0.4 ? '500' : roll < 0.7 ? '429' : 'lost-response';
    return {
      kind,
      reset: this.options.side === 'gitlab' && uniformOf(this.options.seed, `${key}|reset`) < 0.5,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] as string;
    this.stats.requests++;
    const sync = this.options.isSync(req.headers);
    if (sync) this.stats.syncRequests++;
    const decision = this.enabled && sync ? this.decide(method, path) : undefined;
    const fault = decision?.kind;
    const call: ProxiedCall = { at: Date.now(), method, path, ...(fault ? { fault } : {}) };
    this.calls.push(call);
    if (fault) this.stats.faults[fault]++;
    if (fault === '500') {
      call.status = 500;
      const payload =
        this.options.side === 'gitlab'
          ? { message: '500 Internal Server Error' }
          : 'The server encountered an error processing the request.';
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
      return;
    }
    if (fault === '429') {
      call.status = 429;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'retry-after': '1' };
      if (decision?.reset) headers['ratelimit-reset'] = String(Math.floor(Date.now() / 1000) + 1);
      res.writeHead(429, headers);
      res.end(JSON.stringify({ message: 'Retry later' }));
      return;
    }
    const upstream = await this.forward(req, body);
    call.status = upstream.status;
    if (fault === 'lost-response') {
      // Applied upstream; the answer never reaches the sync.
      res.socket?.destroy();
      return;
    }
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.options.upstream);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const out = request(target, { method: req.method ?? 'GET', headers, agent: this.agent }, (answer) => {
        readAll(answer).then((payload) => {
          const back: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers))
            if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
          back['content-length'] = String(payload.length);
          resolve({ status: answer.statusCode ?? 502, headers: back, body: payload });
        }, reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}

/** One webhook delivery GitLab made, and what became of its copies. */
export interface FannedDelivery {
  at: number;
  event: string;
  idempotencyKey: string;
  /** The statuses of the copies, in the order they were answered. */
  statuses: number[];
}

/**
 * The GitLab hook points here: every delivery is sent to the sync's endpoint `copies` times, concurrently,
 * with the same headers (same `Idempotency-Key`) and small random delays, so copies of consecutive events
 * interleave and arrive out of order. GitLab gets the first answer.
 */
export class HookFanout {
  readonly deliveries: FannedDelivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly rng: Rng;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: { seed: number; copies: number; maxDelayMs: number; target: () => string },
  ) {
    this.rng = new Rng(options.seed, 'hook-fanout');
  }

  static async start(options: {
    seed: number;
    copies: number;
    maxDelayMs: number;
    target: () => string;
  }): Promise<HookFanout> {
    const server = createServer();
    const url = await listen(server);
    const fanout = new HookFanout(server, url, options);
    server.on('request', (req, res) => {
      fanout.handle(req, res).catch(() => res.socket?.destroy());
    });
    return fanout;
  }

  get copiesSent(): number {
    return this.deliveries.reduce((sum, d) => sum + d.statuses.length, 0);
  }

  /** Resolves once every copy sent so far has been answered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    await this.idle();
    await close(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && !HOP_BY_HOP.has(name) && name !== 'content-length')
        headers[name] = value;
    const delivery: FannedDelivery = {
      at: Date.now(),
      event: headers['x-gitlab-event'] ?? '?',
      idempotencyKey: headers['idempotency-key'] ?? '?',
      statuses: [],
    };
    this.deliveries.push(delivery);
    const delays = Array.from({ length: this.options.copies }, () => this.rng.int(this.options.maxDelayMs));
    const copies = delays.map(async (delay) => {
      await sleep(delay);
      const answer = await fetch(this.options.target(), { method: 'POST', headers, body });
      const text = await answer.text();
      delivery.statuses.push(answer.status);
      return { status: answer.status, type: answer.headers.get('content-type'), text };
    });
    for (const copy of copies) {
      const tracked = copy.catch(() => delivery.statuses.push(0));
      this.inFlight.add(tracked);
      void tracked.finally(() => this.inFlight.delete(tracked));
    }
    const first = await Promise.any(copies).catch(() => undefined);
    if (!first) {
      res.writeHead(502);
      res.end();
      return;
    }
    res.writeHead(first.status, first.type ? { 'content-type': first.type } : {});
    res.end(first.text);
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook delivery as it reached the sync's endpoint. */
export interface HookArrival {
  event: string;
  /** Issue iid (of the issue itself or of the issue a note belongs to). */
  iid: number | undefined;
  /** performance.now() when the delivery arrived and when the sync answered it. */
  at: number;
  doneAt: number;
  status: number;
}

/**
 * Sits between the GitLab stand-in's webhook and the sync's HTTP endpoint, stamping each delivery on arrival
 * (GitLab's deliveries log carries no time). Forwarding costs well under a millisecond on loopback.
 */
export class HookTap {
  readonly arrivals: HookArrival[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: string,
  ) {}

  static async start(target: string): Promise<HookTap> {
    const server = createServer();
    const tap = new HookTap(server, target);
    server.on('request', (req, res) => {
      tap.forward(req).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
        (error: unknown) => res.writeHead(502).end(String(error)),
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return tap;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))
        headers[name] = value;
    }
    const response = await fetch(`${this.target}${req.url ?? '/'}`, { method: 'POST', headers, body: raw });
    const body = await response.text();
    this.arrivals.push({
      event: String(req.headers['x-gitlab-event'] ?? ''),
      iid: iidOf(raw),
      at,
      doneAt: performance.now(),
      status: response.status,
    });
    return { status: response.status, body };
  }
}

function iidOf(raw: string): number | undefined {
  try {
    const hook = JSON.parse(raw) as {
      object_kind?: string;
      object_attributes?: { iid?: number };
      issue?: { iid?: number };
    };
    return hook.object_kind === 'note' ? hook.issue?.iid : hook.object_attributes?.iid;
  } catch {
    return undefined;
  }
}

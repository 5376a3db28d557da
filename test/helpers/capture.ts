import { createServer } from 'node:http';

/** A webhook receiver that answers 200 and keeps every request (headers lower-cased, raw body). */
export interface Capture {
  url: string;
  requests: { headers: Record<string, string>; body: string }[];
  stop(): Promise<void>;
}

export async function startCapture(): Promise<Capture> {
  const requests: Capture['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (value !== undefined) headers[name] = String(value);
      requests.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    stop: () => new Promise((ok) => server.close(() => ok())),
  };
}

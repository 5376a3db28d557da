import { startFauxqs } from 'fauxqs';

/** A running in-process SQS stand-in (fauxqs). */
export interface SqsEmulator {
  /** Use this as the SQSClient `endpoint` (fauxqs only finds queues by the URL it issued, see README). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts fauxqs in this process on a free port. It listens on all interfaces (no bind option). */
export async function startSqs(): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: 0, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A real `npm start` in its own process group (so a test can signal the group like a terminal does). */
export interface NpmStart {
  child: ChildProcess;
  /** npm's pid, which is also the process group id. */
  pid: number;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = join(import.meta.dirname, '..', '..');

export function npmStart(env: Record<string, string>): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => ok({ code, signal })),
  );
  return {
    child,
    pid: child.pid as number,
    url: `http://127.0.0.1:${env.PORT}`,
    output: () => output,
    exited,
  };
}

/**
 * Stops a run's whole process group with SIGTERM and waits for npm to exit. A group already gone (the run
 * ended by itself, e.g. after a failed start) is not an error here: the test's own assertion says why.
 */
export async function stopRun(run: NpmStart): Promise<void> {
  try {
    process.kill(-run.pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  await run.exited;
}

/** Waits until `GET /health` answers (any status); fails with the run's output after `timeoutMs`. */
export async function waitForHealth(run: NpmStart, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${run.url}/health`).catch(() => undefined);
    if (response) return response;
    if (run.child.exitCode !== null) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`npm start did not answer /health:\n${run.output()}`);
}

/** Pids of live processes whose command line or environment mentions `marker` (e.g. the run's data folder). */
export function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const text = [
        readFileSync(`/proc/${entry}/cmdline`, 'utf8'),
        readFileSync(`/proc/${entry}/environ`, 'utf8'),
      ].join('\0');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = state.slice(state.lastIndexOf(')') + 2).startsWith('Z');
      if (!zombie && text.includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Waits until no live process mentions `marker`; resolves with the seconds it took, or rejects. */
export async function noneLeft(marker: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const left = processesMentioning(marker);
    if (left.length === 0) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs)
      throw new Error(`processes still running after ${timeoutMs} ms: ${left.join(', ')}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

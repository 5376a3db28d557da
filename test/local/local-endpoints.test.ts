import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRunning } from '../../lib/local/local-endpoints.js';

describe('isRunning (is the npm start named in local.json alive?)', () => {
  it('says a live process is running', () => {
    expect(isRunning(process.pid)).toBe(true);
  });

  it('says a zombie is not running: a SIGKILLed app nobody reaped must not block the next start', async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never waits for it: a zombie for 5 s.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((ok) => parent.stdout.once('data', (d: Buffer) => ok(String(d)))),
      );
      let state = '';
      for (let i = 0; i < 50 && !state.startsWith('Z'); i++) {
        await new Promise((ok) => setTimeout(ok, 20));
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        state = stat.slice(stat.lastIndexOf(')') + 2);
      }
      expect(state.startsWith('Z'), 'the child became a zombie').toBe(true);
      expect(() => process.kill(pid, 0), 'signal 0 still reaches a zombie').not.toThrow();
      expect(isRunning(pid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('says a pid with no process is not running', async () => {
    const child = spawn('true');
    const pid = child.pid as number;
    await new Promise((ok) => child.once('exit', ok));
    expect(isRunning(pid)).toBe(false);
  });
});

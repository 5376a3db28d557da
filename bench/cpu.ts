import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far by this process and its direct children (DynamoDB Local's JVM). */
export interface CpuSnapshot {
  at: number;
  self: number;
  children: number;
}

const TICKS_PER_SECOND = 100;

export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  return { at: performance.now(), self: (usage.user + usage.system) / 1e6, children: childrenSeconds() };
}

/** Busy share of the machine between two snapshots, e.g. `1.85 of 2 cores (node 1.10, emulator 0.75)`. */
export function cpuBusy(
  from: CpuSnapshot,
  to: CpuSnapshot,
): { cores: number; self: number; children: number } {
  const wall = (to.at - from.at) / 1000;
  const self = (to.self - from.self) / wall;
  const children = (to.children - from.children) / wall;
  return { cores: self + children, self, children };
}

/** Linux only (/proc); 0 elsewhere. Field 4 of /proc/<pid>/stat is the parent, 14 and 15 the user and system ticks. */
function childrenSeconds(): number {
  let ticks = 0;
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const fields = statFields(name);
      if (fields && Number(fields[1]) === process.pid) ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return 0;
  }
  return ticks / TICKS_PER_SECOND;
}

/** The fields after `(comm)`: index 0 is field 3 (state). */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// CPU time read from /proc: this machine's clock ticks (user + system) of whole
// processes, all their threads included, so a phase's cost can be split by process:
// the system under test, PostgreSQL (every backend and helper), Redis.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0; // gone meanwhile
  }
}

/** PIDs of the processes whose command name is `name` (e.g. postgres, redis-server). */
function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

export interface CpuSample {
  [part: string]: number;
}

/** CPU milliseconds so far of each part: a PID, this process, or every process of a name. */
export function sampleCpu(parts: Record<string, number | 'self' | { named: string }>): CpuSample {
  const sample: CpuSample = {};
  for (const [part, which] of Object.entries(parts)) {
    if (which === 'self') {
      const usage = process.cpuUsage();
      sample[part] = (usage.user + usage.system) / 1000;
    } else if (typeof which === 'number') sample[part] = processCpuMs(which);
    else sample[part] = pidsNamed(which.named).reduce((sum, pid) => sum + processCpuMs(pid), 0);
  }
  return sample;
}

/** CPU milliseconds per job of each part between two samples. */
export function perJob(before: CpuSample, after: CpuSample, jobs: number): CpuSample {
  const result: CpuSample = {};
  for (const part of Object.keys(before)) result[part] = Math.round((((after[part] ?? 0) - (before[part] ?? 0)) / jobs) * 1000) / 1000;
  return result;
}

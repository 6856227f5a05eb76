// CPU time read from /proc: this machine's clock ticks (user + system) of whole
// processes, all their threads included, so a phase's cost can be split by process:
// the system under test, PostgreSQL (every backend and helper), Redis.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone meanwhile
  }
}

function processCpuMs(pid: number): number {
  const fields = stat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) * TICK_MS : 0;
}

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * CPU of every process named `name` (e.g. postgres), including those that ended: a
 * PostgreSQL backend or autovacuum worker that exits takes its CPU time with it, but
 * its parent (the postmaster) adds it to its children's time when it reaps it.
 */
function cpuOfNamed(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number)) {
    if (commOf(pid) !== name) continue;
    const fields = stat(pid);
    if (!fields) continue;
    total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    if (commOf(Number(fields[1])) !== name) total += (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  }
  return total;
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
    else sample[part] = cpuOfNamed(which.named);
  }
  return sample;
}

/** CPU milliseconds per job of each part between two samples. */
export function perJob(before: CpuSample, after: CpuSample, jobs: number): CpuSample {
  const result: CpuSample = {};
  for (const part of Object.keys(before)) result[part] = Math.round((((after[part] ?? 0) - (before[part] ?? 0)) / jobs) * 1000) / 1000;
  return result;
}

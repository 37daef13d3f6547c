import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system, ms) used so far, per part of the system under test. */
export type CpuSnapshot = Record<string, number>;

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime of a process from /proc/<pid>/stat (Linux), in ms; undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The PostgreSQL backends serving `databaseName` (their title is `postgres: user db host state`), by pid. */
function databaseBackends(databaseName: string): Map<number, number> {
  const backends = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const ms = title.startsWith('postgres: ') && title.includes(` ${databaseName} `) ? processCpuMs(Number(entry)) : undefined;
      if (ms !== undefined) backends.set(Number(entry), ms);
    } catch {
      // gone meanwhile
    }
  }
  return backends;
}

export interface CpuReader {
  read(): CpuSnapshot;
  stop(): void;
}

/**
 * CPU time of the named processes, of the database's backends (the server's work for this run, not
 * other clients') and of this process (the load generator). Pools close idle connections, and a backend
 * that exits takes its CPU time with it: backends are looked at every `everyMs`, and one that is gone
 * keeps the time last seen (so at most that interval of its work is missed).
 */
export function cpuReader(pids: Record<string, number | undefined>, databaseName: string, everyMs = 500): CpuReader {
  let last = new Map<number, number>();
  let retired = 0;
  const database = () => {
    const now = databaseBackends(databaseName);
    for (const [pid, ms] of last) if (!now.has(pid)) retired += ms;
    last = now;
    return retired + [...now.values()].reduce((sum, ms) => sum + ms, 0);
  };
  const timer = setInterval(database, everyMs);
  timer.unref();
  return {
    read: () => {
      const snapshot: CpuSnapshot = {};
      for (const [name, pid] of Object.entries(pids)) {
        const ms = pid === undefined ? undefined : processCpuMs(pid);
        if (ms !== undefined) snapshot[name] = ms;
      }
      snapshot.postgres = database();
      const own = process.cpuUsage();
      snapshot.loadGenerator = (own.user + own.system) / 1000;
      return snapshot;
    },
    stop: () => clearInterval(timer),
  };
}

/** Starts a measurement window; calling the result gives CPU ms per unit of work (request, event, delivery) per part. */
export function cpuWindow(read: () => CpuSnapshot): (units: number) => CpuSnapshot {
  const before = read();
  return (units) => {
    const after = read();
    const perUnit: CpuSnapshot = {};
    for (const [name, ms] of Object.entries(after)) perUnit[name] = Math.round(((ms - (before[name] ?? 0)) / Math.max(1, units)) * 100) / 100;
    return perUnit;
  };
}

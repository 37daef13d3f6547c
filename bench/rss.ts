import { readFileSync } from 'node:fs';

export interface MemoryFigures {
  /** Resident set when sampling started (the service up and idle), per process (MB). */
  atStartRssMb: Record<string, number>;
  /** Highest resident set seen by sampling, per process and for all of them at the same instant (MB). */
  peakRssMb: Record<string, number>;
  peakCombinedRssMb: number;
  /** The kernel's high-water mark (VmHWM) per process: includes start-up (e.g. the worker bundling its workflows). */
  highWaterMarkMb: Record<string, number>;
}

/** `VmRSS`/`VmHWM` of a process in MB, from /proc (Linux); undefined once it is gone or elsewhere. */
function readStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

const round = (mb: number) => Math.round(mb);

/** Samples the processes' RSS every `intervalMs` until `stop()`, which returns the peaks. */
export function sampleMemory(pids: Record<string, number>, intervalMs = 250): { stop(): MemoryFigures } {
  const peak: Record<string, number> = {};
  const hwm: Record<string, number> = {};
  let atStart: Record<string, number> | undefined;
  let combined = 0;
  const sample = () => {
    let total = 0;
    for (const [name, pid] of Object.entries(pids)) {
      const status = readStatus(pid);
      if (!status) continue;
      peak[name] = Math.max(peak[name] ?? 0, status.rss);
      hwm[name] = status.hwm;
      total += status.rss;
    }
    combined = Math.max(combined, total);
    atStart ??= { ...peak };
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const rounded = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([name, mb]) => [name, round(mb)]));
      return { atStartRssMb: rounded(atStart ?? {}), peakRssMb: rounded(peak), peakCombinedRssMb: round(combined), highWaterMarkMb: rounded(hwm) };
    },
  };
}

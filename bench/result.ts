import type { AcceptFigures } from './accept';
import type { EndToEndRun } from './end-to-end';
import type { BenchOptions } from './options';
import type { OutboundRun } from './outbound';
import type { MemoryFigures } from './rss';

/** What one `npm run bench` measured: bench.ts produces it, report.ts judges and prints it. */
export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: Machine;
  versions: { node: string; temporalCli?: string; temporalServer: string; postgres: string };
  /** Service settings the bench chose (the rest are the service's defaults or this environment's). */
  serviceSettings: Record<string, string>;
  accept: AcceptFigures;
  endToEnd: EndToEndRun;
  lag: EndToEndRun;
  outbound: OutboundRun[];
  memory: MemoryFigures & { temporalServerPeakRssMb?: number };
  targets: TargetRow[];
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  /** 1-minute load average when the run started and ended: well above 0 means other work shared the CPU. */
  loadAverage: { start: number; end?: number };
}

export interface TargetRow {
  target: string;
  measured: string;
  pass: boolean;
}

import type { AcceptFigures } from './accept';
import type { CpuSnapshot } from './cpu';
import type { EndToEndRun } from './end-to-end';
import type { BenchOptions } from './options';
import type { EventsApiRun } from './events-api';
import type { OutboundRun } from './outbound';
import type { RelayRun } from './relay';
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
  /** Each measurement is absent (or empty) when `--only` left its scenario out. */
  accept?: AcceptFigures;
  endToEnd?: EndToEndRun;
  lag?: EndToEndRun;
  outbound: OutboundRun[];
  /** `POST /v1/events` at each concurrency, each event delivered to a webhook destination. */
  events: EventsApiRun[];
  /** Signed webhooks → sales → forwarded to a webhook destination. */
  relay?: RelayRun;
  memory: MemoryFigures & { temporalServerPeakRssMb?: number };
  /** Every scenario's CPU per unit of work, per process (the same figures as in each scenario, side by side). */
  cpuByScenario: CpuRow[];
  targets: TargetRow[];
}

export interface CpuRow {
  scenario: string;
  /** The unit of work: request, event, delivery. */
  unit: string;
  perProcessMs: CpuSnapshot;
  /** API + worker + PostgreSQL + Temporal (the load generator, which also hosts the receivers, left out). */
  totalMs: number;
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

import { startBaseline } from './baseline';
import { type CpuSnapshot, cpuWindow, processCpuMs } from './cpu';
import { installStripe, newTenant } from './fixtures';
import { closedLoop, type LoadResult } from './load';
import type { BenchOptions } from './options';
import { completionTimeoutMs, waitForDrained } from './pipeline';
import type { Service } from './service';
import { stripeWebhooks } from './webhooks';

/**
 * What shares the machine with an accept run: `paused`, the worker is stopped for the timed window (as the
 * baseline, which has no consumer: the two paths are compared on the same cores); `draining`, it applies the
 * events meanwhile, as on a one-machine deployment.
 */
export type AcceptWorker = 'paused' | 'draining';

export interface AcceptRun {
  round: number;
  concurrency: number;
  integrations: number;
  worker: AcceptWorker;
  load: LoadResult;
  /** CPU ms per request during the timed window, per process. */
  cpuMsPerRequest: CpuSnapshot;
  /** requests/s over the same round's baseline at the same concurrency. */
  ratioToBaseline: number;
}

export interface BaselineRun {
  round: number;
  concurrency: number;
  load: LoadResult;
  cpuMsPerRequest: CpuSnapshot;
}

export interface AcceptFigures {
  rounds: number;
  baseline: BaselineRun[];
  runs: AcceptRun[];
}

/** One configuration over its rounds: the median round (by ratio) and the spread of the ratios. */
export interface AcceptSummary {
  concurrency: number;
  integrations: number;
  worker: AcceptWorker;
  median: AcceptRun;
  ratio: { median: number; min: number; max: number };
}

/** Before measuring: JIT-compiled code paths and warm connection pools on both sides (with 300, the first round still ran colder: up to 2× the API CPU per request). */
const WARMUP_REQUESTS = 1000;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The middle element of a non-empty list by `by` (the lower middle of an even count). */
export function medianBy<T>(items: T[], by: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Per concurrency, integrations and worker mode, in the order they were run. */
export function summarizeAccept({ runs }: AcceptFigures): AcceptSummary[] {
  const groups = new Map<string, AcceptRun[]>();
  for (const run of runs) {
    const key = `${run.concurrency}/${run.integrations}/${run.worker}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const ratios = group.map((run) => run.ratioToBaseline);
    const median = medianBy(group, (run) => run.ratioToBaseline);
    return { concurrency: median.concurrency, integrations: median.integrations, worker: median.worker, median, ratio: { median: median.ratioToBaseline, min: Math.min(...ratios), max: Math.max(...ratios) } };
  });
}

/** The baseline's median round at a concurrency. */
export function medianBaseline(figures: AcceptFigures, concurrency: number): BaselineRun {
  return medianBy(
    figures.baseline.filter((run) => run.concurrency === concurrency),
    (run) => run.load.requestsPerSecond,
  );
}

/**
 * `options.acceptRounds` rounds per concurrency, each: the baseline endpoint, then signed webhooks to one
 * integration and spread over `integrations`, first with the worker paused, then draining. A window lasts
 * about a second on 2 cores, so one round is at the mercy of a neighbour: the report gives medians. After
 * each run the worker is let catch up, so its backlog does not share the CPU with the next run.
 */
export async function measureAccept(service: Service, options: BenchOptions, log: (line: string) => void): Promise<AcceptFigures> {
  const tenant = await newTenant(service, 'accept');
  const one = await installStripe(service, tenant, 1);
  const spread = await installStripe(service, tenant, options.integrations);
  const baseline = await startBaseline(service);
  const figures: AcceptFigures = { rounds: options.acceptRounds, baseline: [], runs: [] };
  try {
    const warmup = Math.min(WARMUP_REQUESTS, options.acceptRequests);
    await baseline.run('warm-baseline', warmup, 10);
    await closedLoop(service.apiUrl, stripeWebhooks('warm-accept', warmup, [...one, ...spread]), 10);
    await waitForDrained(service, [...one, ...spread], completionTimeoutMs(warmup));
    for (const concurrency of options.concurrency) {
      for (let round = 1; round <= options.acceptRounds; round += 1) {
        const baselineCpu = cpuWindow(() => ({ ...service.cpu(), baseline: processCpuMs(baseline.pid) ?? 0 }));
        const reference = await baseline.run(`baseline-c${concurrency}-r${round}`, options.acceptRequests, concurrency);
        figures.baseline.push({ round, concurrency, load: reference, cpuMsPerRequest: baselineCpu(reference.requests) });
        log(`[bench] baseline   c=${concurrency} round ${round}: ${reference.requestsPerSecond} req/s, p99 ${reference.latencyMs.p99} ms`);
        for (const worker of ['paused', 'draining'] as const) {
          for (const ids of [one, spread]) {
            const requests = stripeWebhooks(`accept-c${concurrency}-i${ids.length}-${worker}-r${round}`, options.acceptRequests, ids);
            const cpu = cpuWindow(service.cpu);
            const load = worker === 'paused' ? await service.withWorkerPaused(() => closedLoop(service.apiUrl, requests, concurrency)) : await closedLoop(service.apiUrl, requests, concurrency);
            const ratioToBaseline = round2(load.requestsPerSecond / Math.max(1, reference.requestsPerSecond));
            figures.runs.push({ round, concurrency, integrations: ids.length, worker, load, cpuMsPerRequest: cpu(load.requests), ratioToBaseline });
            log(`[bench] accept     c=${concurrency} → ${ids.length} integration(s), worker ${worker}: ${load.requestsPerSecond} req/s (${ratioToBaseline} × baseline), p99 ${load.latencyMs.p99} ms, errors ${JSON.stringify(load.errors)}`);
            await waitForDrained(service, ids, completionTimeoutMs(options.acceptRequests));
          }
        }
      }
    }
  } finally {
    await baseline.stop();
  }
  return figures;
}

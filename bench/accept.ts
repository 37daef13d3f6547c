import { startBaseline } from './baseline';
import { type CpuSnapshot, cpuWindow, processCpuMs } from './cpu';
import { installStripe, newTenant } from './fixtures';
import { closedLoop, type LoadResult } from './load';
import type { BenchOptions } from './options';
import { completionTimeoutMs, waitForDrained } from './pipeline';
import type { Service } from './service';
import { stripeWebhooks } from './webhooks';

export interface AcceptRun {
  concurrency: number;
  integrations: number;
  load: LoadResult;
  /** CPU ms per request during the timed window, per process (the worker drains meanwhile). */
  cpuMsPerRequest: CpuSnapshot;
  /** requests/s over the baseline's at the same concurrency. */
  ratioToBaseline: number;
}

export interface AcceptFigures {
  baseline: Array<{ concurrency: number; load: LoadResult; cpuMsPerRequest: CpuSnapshot }>;
  runs: AcceptRun[];
}

/** Before measuring: JIT-compiled code paths and warm connection pools on both sides. */
const WARMUP_REQUESTS = 300;

/**
 * For each concurrency: the baseline endpoint, then signed webhooks to one integration and spread over
 * `integrations`. After each accept run the worker is let catch up, so its backlog does not share the
 * CPU with the next run.
 */
export async function measureAccept(service: Service, options: BenchOptions, log: (line: string) => void): Promise<AcceptFigures> {
  const tenant = await newTenant(service, 'accept');
  const one = await installStripe(service, tenant, 1);
  const spread = await installStripe(service, tenant, options.integrations);
  const baseline = await startBaseline(service);
  const figures: AcceptFigures = { baseline: [], runs: [] };
  try {
    const warmup = Math.min(WARMUP_REQUESTS, options.acceptRequests);
    await baseline.run('warm-baseline', warmup, 10);
    await closedLoop(service.apiUrl, stripeWebhooks('warm-accept', warmup, [...one, ...spread]), 10);
    await waitForDrained(service, [...one, ...spread], completionTimeoutMs(warmup));
    for (const concurrency of options.concurrency) {
      const baselineCpu = cpuWindow(() => ({ ...service.cpu(), baseline: processCpuMs(baseline.pid) ?? 0 }));
      const reference = await baseline.run(`baseline-c${concurrency}`, options.acceptRequests, concurrency);
      figures.baseline.push({ concurrency, load: reference, cpuMsPerRequest: baselineCpu(reference.requests) });
      log(`[bench] baseline   c=${concurrency}: ${reference.requestsPerSecond} req/s, p99 ${reference.latencyMs.p99} ms`);
      for (const ids of [one, spread]) {
        const requests = stripeWebhooks(`accept-c${concurrency}-i${ids.length}`, options.acceptRequests, ids);
        const cpu = cpuWindow(service.cpu);
        const load = await closedLoop(service.apiUrl, requests, concurrency);
        const ratioToBaseline = Math.round((load.requestsPerSecond / Math.max(1, reference.requestsPerSecond)) * 100) / 100;
        figures.runs.push({ concurrency, integrations: ids.length, load, cpuMsPerRequest: cpu(load.requests), ratioToBaseline });
        log(`[bench] accept     c=${concurrency} → ${ids.length} integration(s): ${load.requestsPerSecond} req/s (${ratioToBaseline} × baseline), p99 ${load.latencyMs.p99} ms, errors ${JSON.stringify(load.errors)}`);
        await waitForDrained(service, ids, completionTimeoutMs(options.acceptRequests));
      }
    }
  } finally {
    await baseline.stop();
  }
  return figures;
}

import { saleEvent } from '../test/support/outbound';
import { type CpuSnapshot, cpuWindow } from './cpu';
import { type ReceiptTally, saleEventIds, startDestination } from './destination';
import { newTenant, type Tenant } from './fixtures';
import { closedLoop, type LoadResult, type PreparedRequest } from './load';
import type { BenchOptions } from './options';
import { completionTimeoutMs } from './pipeline';
import type { Service } from './service';
import { perSecond } from './stats';

export interface EventsApiRun extends ReceiptTally {
  concurrency: number;
  /** The `POST /v1/events` answers (201 each) and their latency. */
  load: LoadResult;
  /** CPU ms per request while the requests were answered, per process (deliveries run meanwhile). */
  cpuMsPerRequest: CpuSnapshot;
  /** From the first request until the last delivery's receipt. */
  seconds: number;
  deliveriesPerSecond: number;
  /** CPU ms per delivery, per process, from the first request until every delivery settled: the event's whole cost. */
  cpuMsPerDelivery: CpuSnapshot;
}

/** Before measuring: JIT-compiled code paths and warm connection pools on both sides. */
const WARMUP_REQUESTS = 200;

/** `count` sale events as the core platform posts them, authenticated as the tenant. */
function postedSales(tenant: Tenant, count: number): PreparedRequest[] {
  const headers = { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' };
  return Array.from({ length: count }, () => ({ path: '/v1/events', body: JSON.stringify(saleEvent()), headers }));
}

/** `requests` sale events through `POST /v1/events` at `concurrency` (closed loop) to a workspace with one webhook destination, until all are delivered. */
async function runEventsApi(service: Service, requests: number, concurrency: number): Promise<EventsApiRun> {
  const tenant = await newTenant(service, `events-c${concurrency}`);
  const destination = await startDestination(service, tenant);
  try {
    const prepared = postedSales(tenant, requests);
    const total = cpuWindow(service.cpu);
    const accepting = cpuWindow(service.cpu);
    const startedAt = Date.now();
    const load = await closedLoop(service.apiUrl, prepared, concurrency);
    const cpuMsPerRequest = accepting(requests);
    await destination.settled(requests, completionTimeoutMs(requests));
    const cpuMsPerDelivery = total(requests);
    const elapsedMs = destination.lastSuccessAt() - startedAt;
    return {
      concurrency,
      load,
      cpuMsPerRequest,
      seconds: Math.round(elapsedMs / 100) / 10,
      deliveriesPerSecond: perSecond(requests, elapsedMs),
      cpuMsPerDelivery,
      ...destination.tally(await saleEventIds(service, tenant.workspaceId)),
    };
  } finally {
    await destination.close();
  }
}

/** For each concurrency, `acceptRequests` events posted and delivered; a small run first warms both sides. */
export async function measureEventsApi(service: Service, options: BenchOptions, log: (line: string) => void): Promise<EventsApiRun[]> {
  await runEventsApi(service, Math.min(WARMUP_REQUESTS, options.acceptRequests), 10);
  const runs: EventsApiRun[] = [];
  for (const concurrency of options.concurrency) {
    const run = await runEventsApi(service, options.acceptRequests, concurrency);
    runs.push(run);
    log(`[bench] events API c=${concurrency}: ${run.load.requestsPerSecond} req/s accepted (p99 ${run.load.latencyMs.p99} ms), ${run.deliveriesPerSecond} deliveries/s, ${run.missing} missing, ${run.duplicates} duplicate(s)`);
  }
  return runs;
}

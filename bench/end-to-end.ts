import { type CpuSnapshot, cpuWindow } from './cpu';
import { countRows, historyPerThousand, rowsPerEvent, workflowHistory } from './cost';
import { installStripe, newTenant } from './fixtures';
import { closedLoop, type LoadResult, openLoop, type PreparedRequest } from './load';
import type { BenchOptions } from './options';
import { completionTimeoutMs, type Lag, processingLag, waitForConversions } from './pipeline';
import type { Service } from './service';
import { perSecond } from './stats';
import { stripeWebhooks } from './webhooks';

export interface EndToEndRun {
  events: number;
  integrations: number;
  /** How the load was offered: closed loop at a concurrency, or open loop at a rate. */
  offered: { concurrency: number } | { ratePerSecond: number };
  /** The sending side: accept answers and their latency. */
  accept: LoadResult;
  /** From the first send until the last conversion committed. */
  seconds: number;
  eventsPerSecond: number;
  lag: Lag;
  /** CPU ms per event, per process, from the first send until the last conversion. */
  cpuMsPerEvent: CpuSnapshot;
  rowsPerEvent: { total: number; byTable: Record<string, number> };
  /** The integration workflows' history added by the run. */
  temporal: ReturnType<typeof historyPerThousand>;
}

/** Sends `requests` with `send`, waits until every event is a conversion, and measures what it cost. */
async function runEndToEnd(
  service: Service,
  name: string,
  integrations: number,
  prepare: (ids: string[]) => PreparedRequest[],
  send: (requests: PreparedRequest[]) => Promise<LoadResult>,
  offered: EndToEndRun['offered'],
): Promise<EndToEndRun> {
  const tenant = await newTenant(service, name);
  const ids = await installStripe(service, tenant, integrations);
  const requests = prepare(ids);
  const historyBefore = await workflowHistory(service, tenant.workspaceId, 'integrationWorkflow');
  const rowsBefore = await countRows(service);
  const cpu = cpuWindow(service.cpu);
  const startedAt = Date.now();
  const accept = await send(requests);
  const done = await waitForConversions(service, ids, requests.length, completionTimeoutMs(requests.length));
  const cpuMsPerEvent = cpu(requests.length);
  const elapsedMs = (done.lastProcessedAt?.getTime() ?? Date.now()) - startedAt;
  const rowsAfter = await countRows(service);
  return {
    events: requests.length,
    integrations,
    offered,
    accept,
    seconds: Math.round(elapsedMs / 100) / 10,
    eventsPerSecond: perSecond(requests.length, elapsedMs),
    lag: await processingLag(service, ids),
    cpuMsPerEvent,
    rowsPerEvent: rowsPerEvent(rowsBefore, rowsAfter, requests.length),
    temporal: historyPerThousand(historyBefore, await workflowHistory(service, tenant.workspaceId, 'integrationWorkflow'), requests.length),
  };
}

/** As fast as the API takes them (closed loop at the lowest configured concurrency): sustained events/s. */
export function measureThroughput(service: Service, options: BenchOptions): Promise<EndToEndRun> {
  const concurrency = Math.min(...options.concurrency);
  return runEndToEnd(
    service,
    'end-to-end',
    options.integrations,
    (ids) => stripeWebhooks('e2e', options.events, ids),
    (requests) => closedLoop(service.apiUrl, requests, concurrency),
    { concurrency },
  );
}

/** At a fixed offered rate (open loop), the processing lag a workspace sees in steady state. */
export function measureLag(service: Service, options: BenchOptions): Promise<EndToEndRun> {
  return runEndToEnd(
    service,
    'lag',
    options.integrations,
    (ids) => stripeWebhooks('lag', options.rate * options.lagSeconds, ids),
    (requests) => openLoop(service.apiUrl, requests, options.rate),
    { ratePerSecond: options.rate },
  );
}

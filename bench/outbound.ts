import { emitWorkspaceEvents } from '../db/queries/events';
import { saleEvent } from '../test/support/outbound';
import { historyPerThousand, workflowHistory } from './cost';
import { type CpuSnapshot, cpuWindow } from './cpu';
import { type ReceiptTally, startDestination } from './destination';
import { apiPost, newTenant } from './fixtures';
import { completionTimeoutMs } from './pipeline';
import type { Service } from './service';
import { perSecond } from './stats';

export interface OutboundRun extends ReceiptTally {
  deliveries: number;
  /** The receiver answered 500 to every n-th request (none: every request succeeded). */
  failEvery: number | null;
  /** From the moment the events were committed until the last successful receipt. */
  seconds: number;
  deliveriesPerSecond: number;
  /** CPU ms per delivery, per process, from the commit of the events until every delivery settled. */
  cpuMsPerDelivery: CpuSnapshot;
  /** The delivery workflows' history. */
  temporal: ReturnType<typeof historyPerThousand>;
}

/**
 * Outbound delivery of `count` workspace events to one webhook destination on a local receiver.
 * `count - 1` events are committed to the outbox at once (a backlog, as after a burst of conversions),
 * the last one arrives through `POST /v1/events`, which dispatches the whole outbox.
 */
export async function measureOutbound(service: Service, count: number, failEvery: number | null): Promise<OutboundRun> {
  const tenant = await newTenant(service, failEvery ? 'outbound-failures' : 'outbound');
  const destination = await startDestination(service, tenant, failEvery);
  try {
    const backlog = Array.from({ length: count - 1 }, () => ({ workspaceId: tenant.workspaceId, ...saleEvent() }));
    const expected = (await service.db.transaction().execute((trx) => emitWorkspaceEvents(trx, backlog))).map((event) => event.id);
    const cpu = cpuWindow(service.cpu);
    const startedAt = Date.now();
    expected.push((await apiPost<{ id: string }>(service, tenant, '/v1/events', saleEvent())).id);
    await destination.settled(count, completionTimeoutMs(count));
    const cpuMsPerDelivery = cpu(count);
    const elapsedMs = destination.lastSuccessAt() - startedAt;
    return {
      deliveries: count,
      failEvery,
      seconds: Math.round(elapsedMs / 100) / 10,
      deliveriesPerSecond: perSecond(count, elapsedMs),
      ...destination.tally(expected),
      cpuMsPerDelivery,
      temporal: historyPerThousand({ runs: 0, events: 0, signals: 0 }, await workflowHistory(service, tenant.workspaceId, 'deliveryBatchWorkflow'), count),
    };
  } finally {
    await destination.close();
  }
}

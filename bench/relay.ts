import { sql } from 'kysely';
import { type CpuSnapshot, cpuWindow } from './cpu';
import { type ReceiptTally, saleEventIds, startDestination } from './destination';
import { installStripe, newTenant } from './fixtures';
import { closedLoop, type LoadResult } from './load';
import type { BenchOptions } from './options';
import { completionTimeoutMs } from './pipeline';
import type { Service } from './service';
import { type Percentiles, percentiles, perSecond } from './stats';
import { stripeWebhooks } from './webhooks';

export interface RelayRun extends ReceiptTally {
  events: number;
  integrations: number;
  concurrency: number;
  /** The sending side: the webhooks' accept answers and their latency. */
  accept: LoadResult;
  /** From the first webhook sent until the last `sale.created` received by the destination. */
  seconds: number;
  eventsPerSecond: number;
  /** Webhook accepted (`inbox.received_at`) → its sale first answered 2xx at the destination's receiver. */
  lagMs: Percentiles;
  /** CPU ms per event, per process, from the first webhook until every delivery settled. */
  cpuMsPerEvent: CpuSnapshot;
}

/** When each of the workspace's sale events' webhooks was accepted, by event id. */
async function acceptedAt(service: Service, workspaceId: string): Promise<Map<string, number>> {
  const { rows } = await sql<{ id: string; received_at: Date }>`
    SELECT e.id, i.received_at FROM events e
    JOIN conversions c ON c.id = e.data->'conversion'->>'id'
    JOIN inbox i ON i.id = c.inbox_id
    WHERE e.workspace_id = ${workspaceId} AND e.type = 'sale.created'`.execute(service.db);
  return new Map(rows.map((row) => [row.id, row.received_at.getTime()]));
}

/**
 * The relay: signed Stripe webhooks (closed loop at the lowest configured concurrency) to Stripe
 * integrations in a workspace with a webhook destination subscribed to `sale.created` — verified,
 * converted into sales, forwarded. Every sale must reach the receiver once with a valid signature.
 */
export async function measureRelay(service: Service, options: BenchOptions): Promise<RelayRun> {
  const concurrency = Math.min(...options.concurrency);
  const tenant = await newTenant(service, 'relay');
  // Live mode: test-mode events are recorded as skipped for destinations, never sent.
  const ids = await installStripe(service, tenant, options.integrations, 'live');
  const destination = await startDestination(service, tenant);
  try {
    const webhooks = stripeWebhooks('relay', options.relayEvents, ids, { live: true });
    const cpu = cpuWindow(service.cpu);
    const startedAt = Date.now();
    const accept = await closedLoop(service.apiUrl, webhooks, concurrency);
    await destination.settled(webhooks.length, completionTimeoutMs(webhooks.length));
    const cpuMsPerEvent = cpu(webhooks.length);
    const elapsedMs = destination.lastSuccessAt() - startedAt;
    const accepted = await acceptedAt(service, tenant.workspaceId);
    const lags = [...destination.firstReceipts()].flatMap(([eventId, at]) => (accepted.has(eventId) ? [at - accepted.get(eventId)!] : []));
    return {
      events: webhooks.length,
      integrations: ids.length,
      concurrency,
      accept,
      seconds: Math.round(elapsedMs / 100) / 10,
      eventsPerSecond: perSecond(webhooks.length, elapsedMs),
      lagMs: percentiles(lags),
      cpuMsPerEvent,
      ...destination.tally(await saleEventIds(service, tenant.workspaceId)),
    };
  } finally {
    await destination.close();
  }
}

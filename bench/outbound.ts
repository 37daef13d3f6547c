import { sql } from 'kysely';
import { emitWorkspaceEvents } from '../db/queries/events';
import { type Receiver, startReceiver } from '../test/support/fakes/receiver';
import { waitFor } from '../test/support/harness';
import { newSigningSecret, saleEvent } from '../test/support/outbound';
import { historyPerThousand, workflowHistory } from './cost';
import { type CpuSnapshot, cpuWindow } from './cpu';
import { apiPost, installIntegration, newTenant } from './fixtures';
import { POLL_MS } from './pipeline';
import type { Service } from './service';
import { perSecond } from './stats';

export interface OutboundRun {
  deliveries: number;
  /** The receiver answered 500 to every n-th request (none: every request succeeded). */
  failEvery: number | null;
  /** From the moment the events were committed until the last successful receipt. */
  seconds: number;
  deliveriesPerSecond: number;
  /** Requests the receiver got, and how many it failed. */
  attempts: number;
  failedAttempts: number;
  /** Events answered 2xx at least once / never / more than once (extra 2xx receipts); ids nobody sent. */
  delivered: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  /** Successful receipts whose Standard Webhooks signature did not verify. */
  badSignatures: number;
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
  let requests = 0;
  let lastSuccessAt = 0;
  let badSignatures = 0;
  const receiver: Receiver = await startReceiver(newSigningSecret(), (request) => {
    requests += 1;
    if (failEvery && requests % failEvery === 0) return { status: 500, body: { error: 'bench: induced failure' } };
    // Checked on arrival: the signature's timestamp is only valid for 5 minutes.
    if (!verifies(() => receiver.verify(request))) badSignatures += 1;
    lastSuccessAt = Date.now();
    return { status: 200 };
  });
  try {
    const tenant = await newTenant(service, failEvery ? 'outbound-failures' : 'outbound');
    const destination = await installIntegration(service, tenant, 'webhook', { targetUrl: `${receiver.url}/hooks`, triggerEvents: ['sale.created'] }, { signingSecret: receiver.secret });
    const backlog = Array.from({ length: count - 1 }, () => ({ workspaceId: tenant.workspaceId, ...saleEvent() }));
    const expected = (await service.db.transaction().execute((trx) => emitWorkspaceEvents(trx, backlog))).map((event) => event.id);
    const cpu = cpuWindow(service.cpu);
    const startedAt = Date.now();
    expected.push((await apiPost<{ id: string }>(service, tenant, '/v1/events', saleEvent())).id);
    // Done when every delivery is settled (delivered or given up): no attempt comes after that, so late duplicates count too.
    await waitFor(async () => {
      service.assertRunning();
      const { rows } = await sql<{ total: number; open: number }>`
        SELECT count(*)::int AS total, (count(*) FILTER (WHERE status IN ('pending', 'delivering')))::int AS open
        FROM deliveries WHERE integration_id = ${destination}`.execute(service.db);
      return rows[0].total === count && rows[0].open === 0;
    }, `${count} deliveries to settle`, 120_000 + count * 20, POLL_MS);
    const cpuMsPerDelivery = cpu(count);

    const delivered = receiver.delivered();
    const wanted = new Set(expected);
    const successes = receiver.requests.filter((request) => request.status !== undefined && request.status < 300);
    const elapsedMs = lastSuccessAt - startedAt;
    return {
      deliveries: count,
      failEvery,
      seconds: Math.round(elapsedMs / 100) / 10,
      deliveriesPerSecond: perSecond(count, elapsedMs),
      attempts: receiver.requests.length,
      failedAttempts: receiver.requests.length - successes.length,
      delivered: expected.filter((id) => delivered.has(id)).length,
      missing: expected.filter((id) => !delivered.has(id)).length,
      duplicates: [...delivered.values()].reduce((sum, receipts) => sum + receipts - 1, 0),
      unexpected: [...delivered.keys()].filter((id) => !wanted.has(id)).length,
      cpuMsPerDelivery,
      badSignatures,
      temporal: historyPerThousand({ runs: 0, events: 0, signals: 0 }, await workflowHistory(service, tenant.workspaceId, 'deliveryBatchWorkflow'), count),
    };
  } finally {
    await receiver.close();
  }
}

function verifies(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

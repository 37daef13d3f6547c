import { sql } from 'kysely';
import { type Receiver, startReceiver } from '../test/support/fakes/receiver';
import { waitFor } from '../test/support/harness';
import { newSigningSecret } from '../test/support/outbound';
import { installIntegration, type Tenant } from './fixtures';
import { POLL_MS } from './pipeline';
import type { Service } from './service';

/** What a webhook destination's receiver got, against the events that should have reached it. */
export interface ReceiptTally {
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
}

export interface BenchDestination {
  id: string;
  /** When the receiver last answered 2xx (ms since the epoch; 0: never). */
  lastSuccessAt(): number;
  /** When each event (`webhook-id`) was first answered 2xx. */
  firstReceipts(): Map<string, number>;
  /** Waits until the destination has `count` deliveries, none of them still pending or delivering. */
  settled(count: number, timeoutMs: number): Promise<void>;
  tally(expectedIds: string[]): ReceiptTally;
  close(): Promise<void>;
}

/**
 * A webhook destination subscribed to `sale.created` in the tenant's workspace, on a local receiver
 * that verifies every signature on arrival (its timestamp is only valid for 5 minutes) and answers 200 —
 * or 500 to every `failEvery`-th request.
 */
export async function startDestination(service: Service, tenant: Tenant, failEvery: number | null = null): Promise<BenchDestination> {
  let requests = 0;
  let lastSuccessAt = 0;
  let badSignatures = 0;
  const firstReceipts = new Map<string, number>();
  const receiver: Receiver = await startReceiver(newSigningSecret(), (request) => {
    requests += 1;
    if (failEvery && requests % failEvery === 0) return { status: 500, body: { error: 'bench: induced failure' } };
    if (!verifies(() => receiver.verify(request))) badSignatures += 1;
    lastSuccessAt = Date.now();
    const id = String(request.headers['webhook-id']);
    if (!firstReceipts.has(id)) firstReceipts.set(id, lastSuccessAt);
    return { status: 200 };
  });
  try {
    const id = await installIntegration(service, tenant, 'webhook', { targetUrl: `${receiver.url}/hooks`, triggerEvents: ['sale.created'] }, { signingSecret: receiver.secret });
    return {
      id,
      lastSuccessAt: () => lastSuccessAt,
      firstReceipts: () => firstReceipts,
      // Settled = no attempt comes after it, so late duplicates count too.
      settled: (count, timeoutMs) =>
        waitFor(async () => {
          service.assertRunning();
          const { rows } = await sql<{ total: number; open: number }>`
            SELECT count(*)::int AS total, (count(*) FILTER (WHERE status IN ('pending', 'delivering')))::int AS open
            FROM deliveries WHERE integration_id = ${id}`.execute(service.db);
          return rows[0].total === count && rows[0].open === 0;
        }, `${count} deliveries to settle`, timeoutMs, POLL_MS).then(() => undefined),
      tally: (expectedIds) => {
        const delivered = receiver.delivered();
        const wanted = new Set(expectedIds);
        const successes = receiver.requests.filter((request) => request.status !== undefined && request.status < 300);
        return {
          attempts: receiver.requests.length,
          failedAttempts: receiver.requests.length - successes.length,
          delivered: expectedIds.filter((eventId) => delivered.has(eventId)).length,
          missing: expectedIds.filter((eventId) => !delivered.has(eventId)).length,
          duplicates: [...delivered.values()].reduce((sum, receipts) => sum + receipts - 1, 0),
          unexpected: [...delivered.keys()].filter((eventId) => !wanted.has(eventId)).length,
          badSignatures,
        };
      },
      close: () => receiver.close(),
    };
  } catch (error) {
    await receiver.close();
    throw error;
  }
}

/** The ids of the workspace's `sale.created` events: what its destination must receive, each once. */
export async function saleEventIds(service: Service, workspaceId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM events WHERE workspace_id = ${workspaceId} AND type = 'sale.created'`.execute(service.db);
  return rows.map((row) => row.id);
}

/** Every delivery settled and every event received once with a valid signature. */
export const exactlyOnce = (tally: ReceiptTally) => tally.missing === 0 && tally.duplicates === 0 && tally.unexpected === 0 && tally.badSignatures === 0;

function verifies(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

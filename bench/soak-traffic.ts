import { sql } from 'kysely';
import { Pool } from 'undici';
import type { Db } from '../db';
import { stripeWebhooks } from './webhooks';
import { sleep } from './stats';

/** What a sender saw: every id it sent, and the ids the API answered 2xx (after re-sending 503s and errors). */
export interface Sent {
  sent: Set<string>;
  accepted: Set<string>;
  /** Ids answered other than 2xx, 503 or a network error (each is a finding), with that status. */
  rejected: Map<string, number>;
}

/** How long a 503 or a connection error waits before the provider sends it again. */
const RESEND_MS = 500;

/**
 * A provider sending `build(i)` at `rate` per second until `stop()`, re-sending what got a 503 or no answer
 * (as Stripe does); `progress` is what it saw so far. `stop()` resolves once everything in flight has been answered 2xx or otherwise given up.
 */
export function pacedTraffic(rate: number, build: (i: number) => { id: string; send(): Promise<number> }): { progress: Sent; stop(): Promise<Sent> } {
  const result: Sent = { sent: new Set(), accepted: new Set(), rejected: new Map() };
  const inFlight = new Set<Promise<void>>();
  let sending = true;
  const deliver = async (item: { id: string; send(): Promise<number> }) => {
    for (;;) {
      const status = await item.send().catch(() => 0);
      if (status >= 200 && status < 300) return void result.accepted.add(item.id);
      if (status !== 503 && status !== 0) return void result.rejected.set(item.id, status);
      await sleep(RESEND_MS);
    }
  };
  const started = Date.now();
  const loop = (async () => {
    for (let i = 0; sending; ) {
      // Catch up to where the rate says we should be (timers are coarse at hundreds per second).
      const due = Math.floor(((Date.now() - started) * rate) / 1000);
      for (; i < due; i++) {
        const item = build(i);
        result.sent.add(item.id);
        const done = deliver(item).finally(() => inFlight.delete(done));
        inFlight.add(done);
      }
      await sleep(10);
    }
  })();
  return {
    progress: result,
    stop: async () => {
      sending = false;
      await loop;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      return result;
    },
  };
}

/**
 * Sockets a sender may hold: past it, requests wait in the pool. Unbounded (the global fetch), a retry storm
 * during an outage opened a socket per re-send until this process (which also runs the fault proxy) ran out of
 * file descriptors, 13,000 of them in CLOSE-WAIT, and the proxy could no longer accept: an outage of the harness.
 */
const SENDER_CONNECTIONS = 256;

/** `POST` to the API through a bounded pool; the answer's status and JSON body (if any). */
export function apiSender(apiUrl: string): (path: string, body: string, headers: Record<string, string>) => Promise<{ status: number; json: unknown }> {
  const pool = new Pool(apiUrl, { connections: SENDER_CONNECTIONS, pipelining: 1 });
  return async (path, body, headers) => {
    const response = await pool.request({ method: 'POST', path, body, headers });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, json };
  };
}

/** Signed Stripe webhooks `evt_<tag>_<i>` to one integration. */
export function webhookTraffic(apiUrl: string, integrationId: string, tag: string, rate: number) {
  const post = apiSender(apiUrl);
  return pacedTraffic(rate, (i) => {
    const [request] = stripeWebhooks(`${tag}_${i}`, 1, [integrationId]);
    return {
      id: `evt_${tag}_${i}_0`,
      send: async () => (await post(request.path, request.body, request.headers)).status,
    };
  });
}

/** Of `accepted`, how many have a conversion, and how many conversions or sale events are extra. */
export async function inboundOutcome(db: Db, integrationId: string, accepted: Set<string>): Promise<{ applied: number; doubled: number }> {
  const rows = await db.selectFrom('conversions').select(['external_event_id', sql<number>`count(*)::int`.as('n')]).where('integration_id', '=', integrationId).groupBy('external_event_id').execute();
  const applied = rows.filter((row) => accepted.has(row.external_event_id ?? '')).length;
  const extraConversions = rows.reduce((sum, row) => sum + row.n - 1, 0);
  const events = await db
    .selectFrom('events')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('integration_id', '=', integrationId)
    .where('type', '=', 'sale.created')
    .executeTakeFirstOrThrow();
  return { applied, doubled: extraConversions + Math.max(0, events.n - rows.length) };
}

import { sql, type Transaction } from 'kysely';
import { envelopeOf } from '../../db/queries/deliveries';
import type { Database, DeliveryStatus, IntegrationRow } from '../../db/schema';
import { destinationVerdict } from '../../lib/delivery-workflows';
import type { DeliveryOutcome, DeliveryResult, OutboundEnvelope } from '../../providers/types';
import type { DeliveryRef } from '../../workflows/delivery';

type Trx = Transaction<Database>;

const FINISHED: DeliveryStatus[] = ['succeeded', 'failed', 'skipped', 'held', 'disabled'];

export type OpenedAttempt =
  | { send: false; status: DeliveryStatus | 'superseded' }
  | { send: true; attempt: number; envelope: OutboundEnvelope; destination: IntegrationRow };

/**
 * Decides whether this attempt goes out, atomically with the destination's state (read FOR SHARE, so a
 * concurrent pause/resume waits): a finished or superseded delivery is left alone, a paused or
 * disconnected destination skips it, one in `error` holds it for the resume; otherwise it is numbered.
 */
export async function openAttempt(trx: Trx, ref: DeliveryRef): Promise<OpenedAttempt> {
  const delivery = await trx
    .selectFrom('deliveries')
    .innerJoin('events', 'events.id', 'deliveries.event_id')
    .select(['deliveries.status', 'deliveries.round', 'deliveries.integration_id', 'events.id', 'events.type', 'events.created_at', 'events.workspace_id', 'events.data'])
    .where('deliveries.id', '=', ref.deliveryId)
    .executeTakeFirst();
  if (!delivery || delivery.round !== ref.round) return { send: false, status: 'superseded' };
  if (FINISHED.includes(delivery.status)) return { send: false, status: delivery.status };
  const destination = await trx.selectFrom('integrations').selectAll().where('id', '=', delivery.integration_id).forShare().executeTakeFirstOrThrow();
  const current = trx.updateTable('deliveries').where('id', '=', ref.deliveryId).where('round', '=', ref.round);
  const verdict = destinationVerdict(destination.state);
  if (verdict) {
    await current.set({ ...verdict, next_attempt_at: null, updated_at: new Date() }).execute();
    return { send: false, status: verdict.status };
  }
  const { attempts } = await current
    .set({ status: 'delivering', attempts: sql`attempts + 1`, updated_at: new Date() })
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return { send: true, attempt: attempts, envelope: envelopeOf(delivery), destination };
}

const STATUS_AFTER: Record<DeliveryOutcome, DeliveryStatus> = {
  success: 'succeeded',
  retry: 'delivering',
  rejected: 'failed',
  gone: 'disabled',
};

export interface AttemptRecord {
  ref: DeliveryRef;
  attempt: number;
  startedAt: Date;
  latencyMs: number;
  result: DeliveryResult;
  /** When the next attempt is due (retryable failures only). */
  nextAttemptAt: Date | null;
}

/** Logs the attempt and moves the delivery on; returns its new status. */
export async function recordAttempt(trx: Trx, record: AttemptRecord): Promise<DeliveryStatus> {
  const { ref, result } = record;
  await trx
    .insertInto('delivery_attempts')
    .values({
      delivery_id: ref.deliveryId,
      attempt: record.attempt,
      round: ref.round,
      started_at: record.startedAt,
      latency_ms: record.latencyMs,
      request_headers: JSON.stringify(result.requestHeaders),
      status_code: result.statusCode,
      response_body: result.responseBodySnippet,
      error: result.error ?? null,
      outcome: result.outcome,
    })
    .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
  const status = STATUS_AFTER[result.outcome];
  const now = new Date();
  await trx
    .updateTable('deliveries')
    .set({
      status,
      reason: result.outcome === 'gone' ? 'the destination answered 410 Gone' : result.outcome === 'rejected' ? (result.error ?? null) : null,
      last_status_code: result.statusCode,
      last_error: result.error ?? null,
      last_latency_ms: record.latencyMs,
      next_attempt_at: record.nextAttemptAt,
      updated_at: now,
      ...(status === 'succeeded' ? { delivered_at: now } : {}),
    })
    .where('id', '=', ref.deliveryId)
    .where('round', '=', ref.round)
    .execute();
  return status;
}

import { type Kysely, sql, type Transaction } from 'kysely';
import { envelopeOf } from '../../db/queries/deliveries';
import type { Database, DeliveryStatus, IntegrationRow } from '../../db/schema';
import { destinationVerdict } from '../../lib/delivery-workflows';
import { storableText } from '../../lib/storable';
import type { DeliveryOutcome, DeliveryResult, OutboundEnvelope } from '../../providers/types';
import type { DeliveryRef } from '../../workflows/delivery';

type Db = Kysely<Database>;

const FINISHED: DeliveryStatus[] = ['succeeded', 'failed', 'skipped', 'held', 'disabled'];

/** `(id, round) IN (…)`: a delivery redelivered since has moved to a new round and is left alone. */
function inRound(refs: DeliveryRef[]) {
  return sql<boolean>`(deliveries.id, deliveries.round) IN (${sql.join(refs.map((ref) => sql`(${ref.deliveryId}, ${ref.round}::int)`))})`;
}

/**
 * The destination when it is active. Otherwise the still-open deliveries among `refs` are skipped
 * (paused, disconnected) or held (error) — with the state read FOR SHARE, so a concurrent resume, which
 * re-sends held deliveries, either sees these or happened first (and then they are sent).
 */
export async function activeDestination(db: Db, destinationId: string, refs: DeliveryRef[]): Promise<IntegrationRow | undefined> {
  const destination = await db.selectFrom('integrations').selectAll().where('id', '=', destinationId).executeTakeFirstOrThrow();
  if (destination.state === 'active') return destination;
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('integrations').selectAll().where('id', '=', destinationId).forShare().executeTakeFirstOrThrow();
    const verdict = destinationVerdict(locked.state);
    if (!verdict) return locked;
    await trx
      .updateTable('deliveries')
      .set({ ...verdict, next_attempt_at: null, updated_at: new Date() })
      .where(inRound(refs))
      .where('status', 'not in', FINISHED)
      .execute();
    return undefined;
  });
}

export interface Candidate {
  ref: DeliveryRef;
  /** Attempt number over the delivery's life (all rounds). */
  attempt: number;
  envelope: OutboundEnvelope;
}

/** Numbers the next attempt of each still-open delivery among `refs` and returns what to send. */
export async function openAttempts(db: Db, refs: DeliveryRef[]): Promise<Candidate[]> {
  const rows = await db
    .updateTable('deliveries')
    .from('events')
    .set({ status: 'delivering', attempts: sql`deliveries.attempts + 1`, updated_at: new Date() })
    .whereRef('events.id', '=', 'deliveries.event_id')
    .where(inRound(refs))
    .where('deliveries.status', 'not in', FINISHED)
    .returning(['deliveries.id as deliveryId', 'deliveries.round', 'deliveries.attempts', 'events.id', 'events.type', 'events.created_at', 'events.workspace_id', 'events.data'])
    .execute();
  return rows.map((row) => ({ ref: { deliveryId: row.deliveryId, round: row.round }, attempt: row.attempts, envelope: envelopeOf(row) }));
}

const STATUS_AFTER: Record<DeliveryOutcome, DeliveryStatus> = {
  success: 'succeeded',
  retry: 'delivering',
  rejected: 'failed',
  gone: 'disabled',
};

export interface AttemptRecord {
  candidate: Candidate;
  startedAt: Date;
  latencyMs: number;
  result: DeliveryResult;
  /** When the next attempt is due (retryable failures only). */
  nextAttemptAt: Date | null;
}

function reasonOf({ outcome, error }: DeliveryResult): string | null {
  if (outcome === 'gone') return 'the destination answered 410 Gone';
  return outcome === 'rejected' ? (error ?? null) : null;
}

/** What the destination answered, as text PostgreSQL takes (a Slack error code holding U+0000 must not fail the batch). */
function storableAnswer(result: DeliveryResult): DeliveryResult {
  return {
    ...result,
    error: result.error === undefined ? undefined : storableText(result.error),
    responseBodySnippet: result.responseBodySnippet === null ? null : storableText(result.responseBodySnippet),
  };
}

/** Logs the attempts and moves their deliveries on, in two statements whatever the count. */
export async function recordAttempts(trx: Transaction<Database>, answered: AttemptRecord[]): Promise<void> {
  if (answered.length === 0) return;
  const records = answered.map((record) => ({ ...record, result: storableAnswer(record.result) }));
  await trx
    .insertInto('delivery_attempts')
    .values(
      records.map(({ candidate, startedAt, latencyMs, result }) => ({
        delivery_id: candidate.ref.deliveryId,
        attempt: candidate.attempt,
        round: candidate.ref.round,
        started_at: startedAt,
        latency_ms: latencyMs,
        request_headers: JSON.stringify(result.requestHeaders),
        status_code: result.statusCode,
        response_body: result.responseBodySnippet,
        error: result.error ?? null,
        outcome: result.outcome,
      })),
    )
    .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
    .execute();
  const values = records.map(
    ({ candidate: { ref }, latencyMs, result, nextAttemptAt }) =>
      sql`(${ref.deliveryId}::text, ${ref.round}::int, ${STATUS_AFTER[result.outcome]}::text, ${reasonOf(result)}::text, ${result.statusCode}::int, ${result.error ?? null}::text, ${latencyMs}::int, ${nextAttemptAt}::timestamptz)`,
  );
  await sql`
    UPDATE deliveries AS d
    SET status = v.status, reason = v.reason, last_status_code = v.status_code, last_error = v.error, last_latency_ms = v.latency_ms,
        next_attempt_at = v.next_attempt_at, updated_at = now(),
        delivered_at = CASE WHEN v.status = 'succeeded' THEN now() ELSE d.delivered_at END
    FROM (VALUES ${sql.join(values)}) AS v(id, round, status, reason, status_code, error, latency_ms, next_attempt_at)
    WHERE d.id = v.id AND d.round = v.round`.execute(trx);
}

import { type Kysely, sql } from 'kysely';
import { envelopeOf } from '../../db/queries/deliveries';
import type { DeliveryStatus, StateReason } from '../../contract/states';
import type { Database, IntegrationRow } from '../../db/schema';
import { destinationVerdict } from '../../services/delivery-workflows';
import { storableText } from '../../lib/storable';
import type { OutboundEnvelope } from '../../contract/workspace-events';
import type { DeliveryOutcome, DeliveryResult } from '../../providers/types';
import type { DeliveryRef, RetryRef } from '../../contract/delivery';

type Db = Kysely<Database>;

const FINISHED: DeliveryStatus[] = ['succeeded', 'failed', 'skipped', 'held', 'disabled'];
export const GONE = 'the destination answered 410 Gone';
/** The disconnect a 410 asks for. */
export const DESTINATION_GONE: StateReason = { code: 'destination_gone', message: GONE };

/** `(id, round) IN (…)`: a delivery redelivered since has moved to a new round and is left alone. */
function inRound(refs: DeliveryRef[]) {
  return sql<boolean>`(deliveries.id, deliveries.round) IN (${sql.join(refs.map((ref) => sql`(${ref.deliveryId}, ${ref.round}::int)`))})`;
}

/** Why nothing is sent to the destination now; undefined when it is active and never answered 410 (`goneSeen`: a 410 this process saw). */
function stopVerdict(row: Pick<IntegrationRow, 'state' | 'gone_at'>, goneSeen: boolean): { status: DeliveryStatus; reason: string } | undefined {
  if (row.state !== 'disconnected' && (goneSeen || row.gone_at)) return { status: 'skipped', reason: `not sent: ${GONE}` };
  return destinationVerdict(row.state);
}

/**
 * The destination, and whether it is active. When it is not (or it answered 410), the still-open deliveries
 * among `refs` are skipped (paused, disconnected, gone) or held (error) — with the state read FOR SHARE, so
 * a concurrent resume, which re-sends held deliveries, either sees these or happened first (and then they are sent).
 */
export async function activeDestination(db: Db, destinationId: string, refs: DeliveryRef[], goneSeen = false): Promise<{ row: IntegrationRow; active: boolean }> {
  const row = await db.selectFrom('integrations').selectAll().where('id', '=', destinationId).executeTakeFirstOrThrow();
  if (!stopVerdict(row, goneSeen)) return { row, active: true };
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('integrations').selectAll().where('id', '=', destinationId).forShare().executeTakeFirstOrThrow();
    const verdict = stopVerdict(locked, goneSeen);
    if (!verdict) return { row: locked, active: true };
    if (refs.length > 0) {
      await trx
        .updateTable('deliveries')
        .set({ ...verdict, next_attempt_at: null, updated_at: new Date() })
        .where(inRound(refs))
        .where('status', 'not in', FINISHED)
        .execute();
    }
    return { row: locked, active: false };
  });
}

export interface Candidate {
  ref: DeliveryRef;
  /** Attempt number over the delivery's life (all rounds). */
  attempt: number;
  envelope: OutboundEnvelope;
}

/**
 * Opens the next attempt of each delivery among `refs` that waits for one: status `delivering` with no
 * next attempt due means "in flight" until its outcome is recorded. For a round's first attempt, a
 * delivery already attempted (by a batch activity that died after recording it) is not sent again:
 * those waiting for a retry come back in `waiting` with what is left of their wait.
 */
export async function openAttempts(db: Db, refs: DeliveryRef[], firstOfRound: boolean): Promise<{ candidates: Candidate[]; waiting: RetryRef[] }> {
  const rows = await db
    .updateTable('deliveries')
    .from('events')
    .set({ status: 'delivering', next_attempt_at: null, updated_at: new Date() })
    .whereRef('events.id', '=', 'deliveries.event_id')
    .where(inRound(refs))
    .where((eb) =>
      firstOfRound
        ? eb.or([eb('deliveries.status', '=', 'pending'), eb.and([eb('deliveries.status', '=', 'delivering'), eb('deliveries.next_attempt_at', 'is', null)])])
        : eb('deliveries.status', 'not in', FINISHED),
    )
    .returning(['deliveries.id as deliveryId', 'deliveries.round', sql<number>`deliveries.attempts + 1`.as('attempt'), 'events.id', 'events.type', 'events.created_at', 'events.workspace_id', 'events.data'])
    .execute();
  const candidates = rows.map((row) => ({ ref: { deliveryId: row.deliveryId, round: row.round }, attempt: row.attempt, envelope: envelopeOf(row) }));
  // Only a delivery the update could not open may be waiting for its retry.
  if (!firstOfRound || rows.length === refs.length) return { candidates, waiting: [] };
  const due = await db
    .selectFrom('deliveries')
    .select(['id', 'round', 'next_attempt_at'])
    .where(inRound(refs))
    .where('status', '=', 'delivering')
    .where('next_attempt_at', 'is not', null)
    .execute();
  const waiting = due.map((row) => ({ deliveryId: row.id, round: row.round, delayMs: Math.max(0, row.next_attempt_at!.getTime() - Date.now()) }));
  return { candidates, waiting };
}

/** What an attempt came to: the destination's answer, or `cancelled` (aborted in flight by a 410 to another delivery). */
export type RecordedOutcome = DeliveryOutcome | 'cancelled';

const STATUS_AFTER: Record<RecordedOutcome, DeliveryStatus> = {
  success: 'succeeded',
  retry: 'delivering',
  rejected: 'failed',
  gone: 'disabled',
  cancelled: 'skipped',
};

export interface AttemptRecord {
  candidate: Candidate;
  startedAt: Date;
  latencyMs: number;
  outcome: RecordedOutcome;
  result: DeliveryResult;
  /** When the next attempt is due (retryable failures only). */
  nextAttemptAt: Date | null;
}

function reasonOf({ outcome, result }: AttemptRecord): string | null {
  if (outcome === 'gone') return GONE;
  if (outcome === 'cancelled') return `cancelled in flight: ${GONE}`;
  return outcome === 'rejected' ? (result.error ?? null) : null;
}

/** What the destination answered, as text PostgreSQL takes (a provider's error text holding U+0000 must not fail the batch). */
function storableAnswer(result: DeliveryResult): DeliveryResult {
  return {
    ...result,
    error: result.error === undefined ? undefined : storableText(result.error),
    responseBodySnippet: result.responseBodySnippet === null ? null : storableText(result.responseBodySnippet),
  };
}

/**
 * The attempts' log rows and their deliveries' moves, as two data-modifying CTEs of the statement the
 * caller completes (the destination's streak: health.ts), so one statement records everything whatever
 * the count — no BEGIN/COMMIT round trips, and PostgreSQL commits it as one.
 */
export function withAttemptsRecorded(db: Db, answered: AttemptRecord[]) {
  const records = answered.map((record) => ({ ...record, result: storableAnswer(record.result) }));
  const values = records.map(
    (record) =>
      sql`(${record.candidate.ref.deliveryId}::text, ${record.candidate.ref.round}::int, ${record.candidate.attempt}::int, ${STATUS_AFTER[record.outcome]}::text, ${reasonOf(record)}::text, ${record.result.statusCode}::int, ${record.result.error ?? null}::text, ${record.latencyMs}::int, ${record.nextAttemptAt}::timestamptz)`,
  );
  return db
    .with('logged', (qc) =>
      qc
        .insertInto('delivery_attempts')
        .values(
          records.map(({ candidate, startedAt, latencyMs, outcome, result }) => ({
            delivery_id: candidate.ref.deliveryId,
            attempt: candidate.attempt,
            round: candidate.ref.round,
            started_at: startedAt,
            latency_ms: latencyMs,
            request_headers: JSON.stringify(result.requestHeaders),
            status_code: result.statusCode,
            response_body: result.responseBodySnippet,
            error: result.error ?? null,
            outcome,
          })),
        )
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing()),
    )
    .with(
      'moved',
      // Parenthesized: kysely writes a raw CTE as it is.
      () => sql`(
        UPDATE deliveries AS d
        SET status = v.status, reason = v.reason, attempts = greatest(d.attempts, v.attempt), last_status_code = v.status_code, last_error = v.error,
            last_latency_ms = v.latency_ms, next_attempt_at = v.next_attempt_at, updated_at = now(),
            delivered_at = CASE WHEN v.status = 'succeeded' THEN now() ELSE d.delivered_at END
        FROM (VALUES ${sql.join(values)}) AS v(id, round, attempt, status, reason, status_code, error, latency_ms, next_attempt_at)
        WHERE d.id = v.id AND d.round = v.round)`,
    );
}

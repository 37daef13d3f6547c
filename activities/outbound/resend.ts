import { sql } from 'kysely';
import type { Db } from '../../db';
import { assignBatches, destinationOf, startDeliveryBatches } from '../../services/delivery-workflows';
import type { SettleInput } from '../../contract/delivery';
import { formatDuration } from '../../lib/duration';
import type { ActivityDeps } from '../deps';

/**
 * After a destination leaves `error` for `active`: re-sends what it missed — deliveries held while it
 * was in error and those that failed during the failure streak — as a new round, and clears its health.
 */
export function resendFailedDeliveriesActivity({ db, temporal, config }: ActivityDeps) {
  return async function resendFailedDeliveries({ integrationId }: { integrationId: string }): Promise<number> {
    const batches = await db.transaction().execute(async (trx) => {
      const destination = await trx
        .selectFrom('integrations')
        .select(['id', 'workspace_id', 'provider', 'task_queue', 'failing_since'])
        .where('id', '=', integrationId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const since = destination.failing_since;
      const rows = await trx
        .updateTable('deliveries')
        .set({ status: 'pending', round: sql`round + 1`, reason: null, next_attempt_at: null, updated_at: new Date() })
        .where('integration_id', '=', integrationId)
        // Literal statuses: the partial index of held/failed deliveries stays usable when this is prepared.
        .where((eb) =>
          since
            ? eb.or([eb('status', '=', sql.lit('held' as const)), eb.and([eb('status', '=', sql.lit('failed' as const)), eb('updated_at', '>=', since)])])
            : eb('status', '=', sql.lit('held' as const)),
        )
        .returning(['id', 'round'])
        .execute();
      const planned = await assignBatches(trx, destinationOf(destination), rows.map((row) => ({ deliveryId: row.id, round: row.round })));
      await trx
        .updateTable('integrations')
        .set({ consecutive_failures: 0, failing_since: null, failure_alerted_at: null })
        .where('id', '=', integrationId)
        .execute();
      return planned;
    });
    await startDeliveryBatches(temporal, config, batches);
    return batches.reduce((sum, batch) => sum + batch.deliveries.length, 0);
  };
}

/** The workflow's last word on a delivery whose retries ran out (or were refused): failed, unless the activity already settled it. */
export function settleDeliveryActivity(db: Db) {
  return async function settleDelivery(input: SettleInput): Promise<void> {
    const reason = input.retriedForMs === undefined ? `gave up: ${input.error}` : await gaveUpReason(db, input, input.retriedForMs);
    await db
      .updateTable('deliveries')
      .set({ status: 'failed', reason, next_attempt_at: null, updated_at: new Date() })
      .where('id', '=', input.deliveryId)
      .where('round', '=', input.round)
      .where('status', 'in', ['pending', 'delivering'])
      .execute();
  };
}

/**
 * "gave up after 3 days of retries (7 attempts); last: HTTP 500": the round's attempts as logged (`deliveries.attempts`
 * counts every round) and the last one's own error; Temporal's failure when the round logged none.
 */
async function gaveUpReason(db: Db, { deliveryId, round, error }: SettleInput, retriedForMs: number): Promise<string> {
  const attempts = await db
    .selectFrom('delivery_attempts')
    .select('error')
    .where('delivery_id', '=', deliveryId)
    .where('round', '=', round)
    .orderBy('attempt', 'desc')
    .execute();
  const count = `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;
  return `gave up after ${formatDuration(retriedForMs)} of retries (${count}); last: ${attempts[0]?.error ?? error}`;
}

import type { Client } from '@temporalio/client';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db';
import type { Database } from '../../db/schema';
import { logger } from '../../lib/logger';
import { lifecycleSignals } from '../../workflows/definitions';
import { integrationWorkflowId } from '../../workflows/search-attributes';

export interface HealthPolicy {
  /** Consecutive failed attempts that move the destination to `error`. */
  threshold: number;
  /** …or failing for this long without a success. */
  windowMs: number;
}

/** A success clears the streak; written only when there is something to change, so a busy destination's row stays cool. */
export async function recordSuccess(trx: Transaction<Database>, integrationId: string): Promise<void> {
  await trx
    .updateTable('integrations')
    .set({ consecutive_failures: 0, failing_since: null, failure_alerted_at: null, last_delivery_success_at: new Date() })
    .where('id', '=', integrationId)
    .where((eb) =>
      eb.or([
        eb('consecutive_failures', '>', 0),
        eb('last_delivery_success_at', 'is', null),
        eb('last_delivery_success_at', '<', sql<Date>`now() - interval '1 second'`),
      ]),
    )
    .execute();
}

/**
 * Counts a failed attempt. Returns the reason to move the destination to `error` the first time the
 * streak crosses the policy (claimed in the row, so concurrent attempts raise it once).
 */
export async function recordFailure(trx: Transaction<Database>, integrationId: string, policy: HealthPolicy, lastError: string): Promise<string | undefined> {
  const row = await trx
    .updateTable('integrations')
    .set({
      consecutive_failures: sql`consecutive_failures + 1`,
      failing_since: sql`coalesce(failing_since, now())`,
      last_delivery_failure_at: new Date(),
    })
    .where('id', '=', integrationId)
    .returning(['consecutive_failures', 'failing_since', 'failure_alerted_at', 'state'])
    .executeTakeFirstOrThrow();
  if (row.state !== 'active' || row.failure_alerted_at) return undefined;
  const failingForMs = Date.now() - (row.failing_since?.getTime() ?? Date.now());
  const reason =
    row.consecutive_failures >= policy.threshold
      ? `${row.consecutive_failures} consecutive delivery failures (last: ${lastError})`
      : failingForMs >= policy.windowMs
        ? `deliveries failing for ${Math.round(failingForMs / 3_600_000)} h (last: ${lastError})`
        : undefined;
  if (!reason) return undefined;
  await trx.updateTable('integrations').set({ failure_alerted_at: new Date() }).where('id', '=', integrationId).execute();
  return reason;
}

/** Asks the destination's integration workflow to change state; a lost `fail` signal is re-armed for the next failure. */
export async function signalDestination(db: Db, temporal: Client, integrationId: string, action: 'fail' | 'disconnect', reason: string): Promise<void> {
  try {
    await temporal.workflow.getHandle(integrationWorkflowId(integrationId)).signal(lifecycleSignals[action], { reason, actor: 'system:outbound' });
    logger.warn({ integrationId, action, reason }, 'destination state change requested');
  } catch (error) {
    logger.warn({ err: error, integrationId, action }, 'could not signal the destination workflow');
    if (action === 'fail') await db.updateTable('integrations').set({ failure_alerted_at: null }).where('id', '=', integrationId).execute();
  }
}
